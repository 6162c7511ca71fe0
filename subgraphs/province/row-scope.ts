import { rowScope } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';
import type { Condition, ListTable } from './repository.js';

/**
 * Row rules of the province subgraph: which rows of a table in one province a principal may
 * read (policy.ts says which scope a role has there). Applied to every list, lookup and entity.
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

/** Whether a principal may read one row (of a list table) it already has. */
export function rowVisible(principal: Principal, table: ListTable, row: { id: string; province: string; agency_id?: string; offered_to_pool?: number }): boolean {
  const scope = rowScope(principal, row.province);
  switch (scope.kind) {
    case 'all':
      return true;
    case 'pool':
      return table === 'assets' && row.offered_to_pool === 1;
    case 'agency':
      if (table === 'agencies') return row.id === scope.agency;
      return row.agency_id === scope.agency || (table === 'assets' && row.offered_to_pool === 1);
    case 'none':
      return false;
  }
}
