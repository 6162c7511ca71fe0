import { rowScope } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';
import type { Condition, ListTable } from './repository.js';

/**
 * Row rules of the province subgraph: which rows of a table in one province a principal may
 * read (policy.ts says which scope a role has there). {@link VisibleRows} puts it into the SQL
 * of every read, whatever path asked for the row.
 */
export function rowCondition(principal: Principal, province: string, table: ListTable): Condition | undefined {
  const scope = rowScope(principal, province);
  const inProvince: Condition = (eb) => eb('t.province', '=', province);
  switch (scope.kind) {
    case 'all':
      return inProvince;
    case 'pool':
      return table === 'assets' ? (eb) => eb.and([inProvince(eb), eb('t.offered_to_pool', '=', 1)]) : undefined;
    case 'agency': {
      if (table === 'agencies') return (eb) => eb.and([inProvince(eb), eb('t.id', '=', scope.agency)]);
      if (table === 'assets') return (eb) => eb.and([inProvince(eb), eb.or([eb('t.agency_id', '=', scope.agency), eb('t.offered_to_pool', '=', 1)])]);
      return (eb) => eb.and([inProvince(eb), eb('t.agency_id', '=', scope.agency)]);
    }
    case 'none':
      return undefined;
  }
}

/** The rows of a table a principal may read among some provinces: one condition (false when none). */
export function visibleCondition(principal: Principal, provinces: readonly string[], table: ListTable): Condition {
  const perProvince = provinces.flatMap((p) => rowCondition(principal, p, table) ?? []);
  if (perProvince.length === 1) return perProvince[0];
  return (eb) => (perProvince.length ? eb.or(perProvince.map((c) => c(eb))) : eb('t.province', 'in', ['']));
}
