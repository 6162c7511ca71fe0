import { provinceOfId } from '../ids.js';
import { callerKey, type Principal, type Role } from './principal.js';

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
 * - `data-quality`: a province's data-quality check, naming the ids of faulty rows (and only for
 *   a province whose rows the role reads in full);
 * - `system`: what the gateway's background work reads (a province's data version, a service's SDL);
 * - `workflow`: the steps of a 公物仓 transfer the sharing service takes at a province (reserve,
 *   receive, complete, release) and the candidate check before a request.
 * Who may take each step of the sharing workflows is `WORKFLOW_ACTIONS` below.
 * Which rows of `rows` a role sees is `rowScope` below, enforced by the shard router (which
 * provinces) and again by every province (which rows).
 */
export const POLICY: Record<Role, { classes: readonly DataClass[]; rows: string }> = {
  NATIONAL_ADMIN: {
    classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'personal', 'restricted-address', 'write', 'audit', 'explore', 'data-quality'],
    rows: 'every province',
  },
  REGION_COORDINATOR: { classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'explore'], rows: 'the provinces of its region' },
  PROVINCE_ADMIN: {
    classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'personal', 'restricted-address', 'write', 'explore', 'data-quality'],
    rows: 'its province in full; elsewhere only assets offered to the sharing pool',
  },
  AGENCY_OFFICER: {
    classes: ['rows', 'pool-context', 'aggregate', 'vehicle-identity', 'personal', 'write'],
    rows: 'its own agency; elsewhere only assets offered to the sharing pool',
  },
  ANALYST: { classes: ['aggregate', 'explore'], rows: 'none (aggregates only)' },
  ANONYMOUS: { classes: ['aggregate'], rows: 'none (directory and published aggregates only)' },
  SYSTEM: { classes: ['system'], rows: 'none (data versions and service SDL only)' },
  WORKFLOW: { classes: ['workflow'], rows: 'none (the transfer steps of the sharing service only)' },
};
/** A class of data a field belongs to. */
export type DataClass =
  'rows' | 'pool-context' | 'aggregate' | 'vehicle-identity' | 'personal' | 'restricted-address' | 'write' | 'audit' | 'explore' | 'system' | 'workflow' | 'data-quality';

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
      return principal.regionProvinces?.includes(province) ? { kind: 'all' } : { kind: 'none' };
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

/** The parties of one workflow record an action is checked against. */
export interface WorkflowParties {
  /** The province whose administrator decides: the asset's or the vehicle's. */
  owner?: string;
  /** The agency that receives an asset or books a vehicle. */
  agency?: string;
  /** Who asked (`callerKey`: subject, role and binding), for cancelling one's own request and deciding only others'. */
  requester?: string;
  /** The provinces a rental company is admitted for. */
  provinces?: readonly string[];
}

const national = (p: Principal) => p.role === 'NATIONAL_ADMIN';
const adminOf = (p: Principal, province: string | undefined) => p.role === 'PROVINCE_ADMIN' && province !== undefined && p.province === province;
const officerOf = (p: Principal, agency: string | undefined) => p.role === 'AGENCY_OFFICER' && agency !== undefined && p.agency === agency;
const requesterIs = (p: Principal, r: WorkflowParties['requester']) => r !== undefined && p.sub !== null && callerKey(p) === r;

/**
 * Who may take each step of the sharing workflows, as one table (the README prints `who`). The
 * sharing subgraph checks every step here; a refusal names the step, never the parties.
 */
export const WORKFLOW_ACTIONS = {
  requestAssetTransfer: {
    who: "the receiving agency's officer, an administrator of the receiving agency's province, a national administrator",
    allows: (p: Principal, t: WorkflowParties) => national(p) || officerOf(p, t.agency) || (t.agency !== undefined && adminOf(p, provinceOfId(t.agency))),
  },
  decideAssetTransfer: {
    who: 'an administrator of the province that holds the asset (also for a transfer to another region), a national administrator; never whoever requested it',
    allows: (p: Principal, t: WorkflowParties) => (national(p) || adminOf(p, t.owner)) && !requesterIs(p, t.requester),
  },
  cancelAssetTransfer: { who: 'whoever requested it, while it waits for a decision', allows: (p: Principal, t: WorkflowParties) => requesterIs(p, t.requester) },
  shareVehicle: {
    who: "an administrator of the vehicle's province, a national administrator",
    allows: (p: Principal, t: WorkflowParties) => national(p) || adminOf(p, t.owner),
  },
  admitRentalCompany: {
    who: 'an administrator of the one province it admits the company for (its own tender), a national administrator (any provinces)',
    allows: (p: Principal, t: WorkflowParties) => national(p) || (t.provinces?.length === 1 && adminOf(p, t.provinces[0])),
  },
  registerRentalVehicle: {
    who: "an administrator of the vehicle's base province (one the company is admitted for), a national administrator",
    allows: (p: Principal, t: WorkflowParties) => national(p) || adminOf(p, t.owner),
  },
  bookVehicle: { who: 'an agency officer, for its own agency', allows: (p: Principal, t: WorkflowParties) => officerOf(p, t.agency) },
  decideBooking: {
    who: "an administrator of the vehicle's province, a national administrator",
    allows: (p: Principal, t: WorkflowParties) => national(p) || adminOf(p, t.owner),
  },
  cancelBooking: {
    who: "whoever booked, an administrator of the vehicle's province, a national administrator",
    allows: (p: Principal, t: WorkflowParties) => requesterIs(p, t.requester) || national(p) || adminOf(p, t.owner),
  },
  completeTrip: {
    who: "whoever booked, an administrator of the vehicle's province, a national administrator",
    allows: (p: Principal, t: WorkflowParties) => requesterIs(p, t.requester) || national(p) || adminOf(p, t.owner),
  },
} as const;
/** A step of a sharing workflow. */
export type WorkflowAction = keyof typeof WORKFLOW_ACTIONS;

/** Whether a principal may take a workflow step on a record with these parties. */
export function mayAct(principal: Principal, action: WorkflowAction, parties: WorkflowParties): boolean {
  return mayAccess(principal, 'write') && WORKFLOW_ACTIONS[action].allows(principal, parties);
}

/** Which workflow records (transfers, bookings) a principal may read: by the provinces or the agency they involve. */
export type WorkflowScope = { kind: 'all' } | { kind: 'provinces'; provinces: readonly string[] } | { kind: 'agency'; agency: string } | { kind: 'none' };

/**
 * The workflow records a principal reads: a national administrator all; a coordinator those
 * touching its region; a province administrator those touching its province; an officer those
 * of its agency (as receiver, holder or booker); other roles none (statistics only).
 */
export function workflowScope(principal: Principal): WorkflowScope {
  switch (principal.role) {
    case 'NATIONAL_ADMIN':
      return { kind: 'all' };
    case 'REGION_COORDINATOR':
      return principal.regionProvinces?.length ? { kind: 'provinces', provinces: principal.regionProvinces } : { kind: 'none' };
    case 'PROVINCE_ADMIN':
      return principal.province ? { kind: 'provinces', provinces: [principal.province] } : { kind: 'none' };
    case 'AGENCY_OFFICER':
      return principal.agency ? { kind: 'agency', agency: principal.agency } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}
