import type { Principal } from './principal.js';

/**
 * What an answer depends on besides the operation: the caller's role and binding (a region's
 * members included, so a region that changes members starts new keys), never the user. Caches
 * and shared in-flight requests key by it, so they never cross a scope.
 */
export function scopeKey(p: Principal): string {
  return [p.role, p.province ?? '', p.region ?? '', p.regionProvinces?.join(',') ?? '', p.agency ?? ''].join('|');
}
