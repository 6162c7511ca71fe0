import { findRegion } from '../standards.js';
import { provinceOfId } from '../ids.js';
import type { Principal, Role } from './principal.js';

/**
 * The access policy of Xietong, as one table. Classes of data (named by `@access(class:)` in
 * the SDL) per role:
 * - `rows`: individual records (agencies, buildings, assets, vehicles, reports, costs);
 * - `pool-context`: what the 公物仓 pool shows of a visible asset's holder whose own record is
 *   outside the caller's rows (agency name, level, place; never personal data or addresses);
 * - `aggregate`: province and region summaries (published figures);
 * - `vehicle-identity`: plates; `personal`: named people and their phone numbers;
 * - `restricted-address`: exact addresses of restricted (涉密) buildings;
 * - `write`: mutations; `audit`: the audit trail; `explore`: introspection and the explorer;
 * - `system`: what the gateway's background work reads (a province's data version, a service's SDL).
 * Which rows of `rows` a role sees is `rowScope` below, enforced by the shard router (which
 * provinces) and again by every province (which rows).
 */
export const POLICY: Record<Role, { classes: readonly DataClass[]; rows: string }> = {
  NATIONAL_ADMIN: { classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'personal', 'restricted-address', 'write', 'audit', 'explore'], rows: 'every province' },
  REGION_COORDINATOR: { classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'explore'], rows: 'the provinces of its region' },
  PROVINCE_ADMIN: { classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'personal', 'restricted-address', 'write', 'explore'], rows: 'its province in full; elsewhere only assets offered to the sharing pool' },
  AGENCY_OFFICER: { classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'personal', 'write'], rows: 'its own agency; elsewhere only assets offered to the sharing pool' },
  ANALYST: { classes: ['aggregate', 'explore'], rows: 'none (aggregates only)' },
  ANONYMOUS: { classes: ['aggregate'], rows: 'none (directory and published aggregates only)' },
  SYSTEM: { classes: ['system'], rows: 'none (data versions and service SDL only)' },
};
/** A class of data a field belongs to. */
export type DataClass = 'rows' | 'pool-context' | 'aggregate' | 'vehicle-identity' | 'personal' | 'restricted-address' | 'write' | 'audit' | 'explore' | 'system';

/** Whether a principal may see a class of data at all. */
export function mayAccess(principal: Principal, dataClass: string): boolean {
  return (POLICY[principal.role].classes as readonly string[]).includes(dataClass);
}

/** The province a principal is bound to (own province of an administrator or an officer's agency); none for other roles, whatever claims they carry. */
export function homeProvince(principal: Principal): string | undefined {
  if (principal.role === 'PROVINCE_ADMIN') return principal.province;
  if (principal.role === 'AGENCY_OFFICER') return principal.agency ? provinceOfId(principal.agency) : undefined;
  return undefined;
}

/** Which rows of a province a principal may read: all, only pooled assets, only its agency's (plus pooled assets), or none. */
export type RowScope = { kind: 'all' } | { kind: 'pool' } | { kind: 'agency'; agency: string } | { kind: 'none' };

/** The row scope of a principal in one province. */
export function rowScope(principal: Principal, province: string): RowScope {
  switch (principal.role) {
    case 'NATIONAL_ADMIN':
      return { kind: 'all' };
    case 'REGION_COORDINATOR':
      return principal.region && findRegion(principal.region)?.provinceCodes.includes(province) ? { kind: 'all' } : { kind: 'none' };
    case 'PROVINCE_ADMIN':
      return principal.province === province ? { kind: 'all' } : { kind: 'pool' };
    case 'AGENCY_OFFICER':
      return principal.agency && provinceOfId(principal.agency) === province ? { kind: 'agency', agency: principal.agency } : { kind: 'pool' };
    default:
      return { kind: 'none' };
  }
}

/** Whether a principal may change records of a province (and, for an agency officer, of which agency). */
export function mayWrite(principal: Principal, province: string, agency?: string): boolean {
  if (!mayAccess(principal, 'write')) return false;
  if (principal.role === 'NATIONAL_ADMIN') return true;
  if (principal.role === 'PROVINCE_ADMIN') return principal.province === province;
  if (principal.role === 'AGENCY_OFFICER') return agency !== undefined && principal.agency === agency;
  return false;
}
