import { EventEmitter } from 'node:events';
import { ErrorCode, userError } from '../../common/errors.js';
import { findProvince } from '../../common/standards.js';
import type { RegionMembership } from '../../common/regions/membership.js';

/** A registered province instance. */
export interface ProvinceEndpoint {
  code: string;
  url: string;
}

/** A province/region scope as filters carry it. */
export interface Scope {
  province?: string | null;
  provinces?: readonly string[] | null;
  region?: string | null;
}

/**
 * The province instances the shard router may route to (code -> URL). Changes take effect on
 * the next fetch; listeners hear of them ('change'). The in-process store is the embedded
 * default; a shared store for several gateway replicas plugs in behind the same interface.
 */
export class ProvinceRegistry extends EventEmitter {
  private readonly endpoints = new Map<string, ProvinceEndpoint>();
  /** The codes in order, kept until the next change: every cached answer's key reads them. */
  private sortedCodes: readonly string[] | null = null;

  constructor(initial: readonly ProvinceEndpoint[] = []) {
    super();
    for (const e of initial) this.register(e);
  }

  /** Adds or replaces a province instance. */
  register(endpoint: ProvinceEndpoint): void {
    if (!findProvince(endpoint.code)) throw new Error(`${endpoint.code} is not a GB/T 2260 provincial code`);
    new URL(endpoint.url);
    this.endpoints.set(endpoint.code, { ...endpoint });
    this.sortedCodes = null;
    this.emit('change', endpoint.code);
  }

  /** Replaces every endpoint at once (a reload from a shared store); emits 'change' when anything differs. */
  replaceAll(endpoints: readonly ProvinceEndpoint[]): void {
    const before = JSON.stringify(this.list());
    this.endpoints.clear();
    for (const e of endpoints) if (findProvince(e.code)) this.endpoints.set(e.code, { ...e });
    this.sortedCodes = null;
    if (JSON.stringify(this.list()) !== before) this.emit('change', '*');
  }

  /** Removes a province instance. */
  unregister(code: string): void {
    if (!this.endpoints.delete(code)) return;
    this.sortedCodes = null;
    this.emit('change', code);
  }

  /** The endpoint of a province, if registered. */
  get(code: string): ProvinceEndpoint | undefined {
    return this.endpoints.get(code);
  }

  /** All registered endpoints, by code. */
  list(): ProvinceEndpoint[] {
    return this.codes().map((code) => this.endpoints.get(code)!);
  }

  /** The registered codes in order; the same array until the registry changes. */
  codes(): readonly string[] {
    return (this.sortedCodes ??= Object.freeze([...this.endpoints.keys()].sort((a, b) => a.localeCompare(b))));
  }

  /**
   * The registered provinces a scope selects (a region's by the membership given): every one
   * when the scope is empty. Unknown codes and provinces named explicitly but not registered are
   * errors with stable codes; a region's unregistered members are left out (see `missingMembers`).
   */
  resolveScope(scope: Scope | null | undefined, regions: RegionMembership): string[] {
    const all = [...this.codes()];
    if (!scope) return all;
    let selected = all;
    if (scope.province != null || scope.provinces != null) {
      // ID literals may reach the router as numbers (the planner prints `320000` unquoted).
      const named = [...(scope.province != null ? [scope.province] : []), ...(scope.provinces ?? [])].map(String);
      for (const code of named) this.requireRegistered(code);
      selected = selected.filter((c) => named.includes(c));
    }
    if (scope.region != null) {
      const members = requireRegion(String(scope.region), regions);
      selected = selected.filter((c) => members.includes(c));
    }
    return selected;
  }

  /** The registered provinces of a region (none for an unknown one). */
  regionProvinces(regionCode: string, regions: RegionMembership): string[] {
    const members = regions.members(regionCode) ?? [];
    return this.codes().filter((c) => members.includes(c));
  }

  /** The members of a region that have not joined this gateway, sorted. */
  missingMembers(regionCode: string, regions: RegionMembership): string[] {
    return (regions.members(regionCode) ?? []).filter((c) => !this.endpoints.has(c));
  }

  /** Throws UNKNOWN_PROVINCE or PROVINCE_NOT_REGISTERED unless the code is a registered province. */
  requireRegistered(input: string): void {
    const code = String(input);
    if (!findProvince(code)) throw userError(ErrorCode.UNKNOWN_PROVINCE, `Unknown province code "${code}"; use a 6-digit GB/T 2260 code such as 320000.`, { province: code });
    if (!this.endpoints.has(code)) {
      throw userError(ErrorCode.PROVINCE_NOT_REGISTERED, `Province ${code} (${findProvince(code)!.name}) has not joined this gateway.`, { province: code });
    }
  }
}

/** The members of a region code, or UNKNOWN_REGION naming the regions there are. */
export function requireRegion(code: string, regions: RegionMembership): readonly string[] {
  const members = regions.members(code);
  if (members) return members;
  const known = regions.codes();
  throw userError(
    ErrorCode.UNKNOWN_REGION,
    `Unknown region "${code}"; ${known.length ? `known regions are ${known.join(', ')}` : 'no regions have been read from the directory yet'}.`,
    {
      region: code,
    },
  );
}
