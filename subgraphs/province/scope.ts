import type { RegionMembership } from '../../common/regions/membership.js';

/** A province/region filter as the contract's inputs carry it. */
export interface ScopeArgs {
  province?: string | null;
  provinces?: readonly string[] | null;
  region?: string | null;
}

/**
 * The provinces, among those this instance serves, that a filter selects: all served ones
 * when the filter names none; the intersection of named provinces and region (by the
 * membership the gateway's assertion carries) otherwise. Unknown codes select nothing here:
 * the gateway rejects them before routing.
 */
export function scopeProvinces(served: readonly string[], scope: ScopeArgs | null | undefined, regions: RegionMembership): string[] {
  let selected = [...served];
  if (!scope) return selected;
  const named = [...(scope.province ? [scope.province] : []), ...(scope.provinces ?? [])];
  if (scope.province != null || scope.provinces != null) selected = selected.filter((p) => named.includes(p));
  if (scope.region != null) {
    const members = regions.members(scope.region) ?? [];
    selected = selected.filter((p) => members.includes(p));
  }
  return selected;
}
