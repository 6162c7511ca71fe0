import type { RegionMembership } from '../../common/regions/membership.js';
import { ErrorCode, userError } from '../../common/errors.js';

/** A province/region filter as the contract's inputs carry it. */
export interface ScopeArgs {
  province?: string | null;
  provinces?: readonly string[] | null;
  region?: string | null;
}

/**
 * The provinces, among those this instance serves, that a filter selects: all served ones
 * when the filter names none; the intersection of named provinces and region (by the
 * membership the gateway's assertion carries) otherwise. Unknown province codes select nothing
 * here (the gateway rejects them before routing); a region the assertion does not carry is
 * UNKNOWN_REGION, never an empty selection that would pass for a zero.
 */
export function scopeProvinces(served: readonly string[], scope: ScopeArgs | null | undefined, regions: RegionMembership): string[] {
  let selected = [...served];
  if (!scope) return selected;
  const named = [...(scope.province ? [scope.province] : []), ...(scope.provinces ?? [])];
  if (scope.province != null || scope.provinces != null) selected = selected.filter((p) => named.includes(p));
  if (scope.region != null) {
    const members = regions.members(scope.region);
    if (!members) throw userError(ErrorCode.UNKNOWN_REGION, `Region ${scope.region} is not among the regions this call carries.`, { region: scope.region });
    selected = selected.filter((p) => members.includes(p));
  }
  return selected;
}
