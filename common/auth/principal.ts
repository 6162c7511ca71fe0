/** The roles of Xietong (see the policy table in policy.ts and the README). */
export const USER_ROLES = ['NATIONAL_ADMIN', 'REGION_COORDINATOR', 'PROVINCE_ADMIN', 'AGENCY_OFFICER', 'ANALYST', 'ANONYMOUS'] as const;
/** A role a user (or anonymous caller) can have. */
export type UserRole = (typeof USER_ROLES)[number];
/**
 * Every role: the users', SYSTEM (the gateway's own background work) and WORKFLOW (the sharing
 * service's transfer steps at a province); the last two never appear in a user token.
 */
export const ROLES = [...USER_ROLES, 'SYSTEM', 'WORKFLOW'] as const;
/** One role. */
export type Role = (typeof ROLES)[number];

/** Who is asking: the subject and the province, region or agency the role is bound to. */
export interface Principal {
  sub: string | null;
  role: Role;
  province?: string;
  region?: string;
  /**
   * The member provinces of `region` as the region table said when this request was
   * authenticated (set by whoever verified the caller, never taken from a claim of its own).
   */
  regionProvinces?: readonly string[];
  agency?: string;
}

/** A caller without a token. */
export const ANONYMOUS: Principal = Object.freeze({ sub: null, role: 'ANONYMOUS' });

/** The gateway itself, for background work: data-version polls and contract checks (policy class `system` only). */
export const SYSTEM: Principal = Object.freeze({ sub: 'xietong-gateway', role: 'SYSTEM' });

/** The sharing service, taking the steps of a 公物仓 transfer at a province (policy class `workflow` only). */
export const WORKFLOW: Principal = Object.freeze({ sub: 'xietong-sharing', role: 'WORKFLOW' });

/** Whether a value is a role a user token may carry (anonymous excluded). */
export function isUserRole(value: unknown): value is Exclude<UserRole, 'ANONYMOUS'> {
  return typeof value === 'string' && value !== 'ANONYMOUS' && (USER_ROLES as readonly string[]).includes(value);
}

/** Whether a value is a role name. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** One string naming a caller: subject, role and binding. Two callers share it only when they are the same caller. */
export function callerKey(p: Principal): string {
  return JSON.stringify([p.sub ?? '', p.role, p.province ?? '', p.region ?? '', p.agency ?? '']);
}
