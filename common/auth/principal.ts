/** The roles of Xietong (see the policy table in policy.ts and the README). */
export const ROLES = ['NATIONAL_ADMIN', 'REGION_COORDINATOR', 'PROVINCE_ADMIN', 'AGENCY_OFFICER', 'ANALYST', 'ANONYMOUS'] as const;
/** One role. */
export type Role = (typeof ROLES)[number];

/** Who is asking: the subject and the province, region or agency the role is bound to. */
export interface Principal {
  sub: string | null;
  role: Role;
  province?: string;
  region?: string;
  agency?: string;
}

/** A caller without a token. */
export const ANONYMOUS: Principal = Object.freeze({ sub: null, role: 'ANONYMOUS' });

/** Whether a value is a role name. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
