import type { Principal } from './principal.js';

/**
 * What an answer depends on besides the operation: the caller's role and binding (a region's
 * members included, so a region that changes members starts new keys), never the user. Caches
 * and shared in-flight requests key by it, so they never cross a scope.
 */
export function scopeKey(p: Principal): string {
  let key = keys.get(p);
  if (key === undefined) keys.set(p, (key = [p.role, p.province ?? '', p.region ?? '', p.regionProvinces?.join(',') ?? '', p.agency ?? ''].join('|')));
  return key;
}

// Principals are never changed once made (a verified token's is kept and reused, see
// RegionMembership.withMembers), so each one's key is built once; the map holds no principal alive.
const keys = new WeakMap<Principal, string>();
