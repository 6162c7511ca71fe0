import { createHash } from 'node:crypto';
import { findProvince } from '../standards.js';
import type { Principal } from '../auth/principal.js';

/**
 * Which provinces form each cooperation region, as one immutable value. The directory owns the
 * regions (a data file it reloads); the gateway reads them from it and passes the membership it
 * holds to every subgraph inside the signed assertion of each call, so all services decide by
 * the same table and none keeps one of its own. A value never changes: a new table is a new value.
 */
export class RegionMembership {
  /** No regions: what a call carries when it needs none (the gateway's and sharing's own work). */
  static readonly EMPTY = new RegionMembership(new Map());

  /** A stable digest of the table; answers cached under one version are never served under another. */
  readonly version: string;
  // Built once: every subgraph call's assertion carries it.
  private readonly claim: Readonly<Record<string, readonly string[]>>;
  // A value never changes, so a principal's members under it do not either: bound once per principal.
  private readonly bound = new WeakMap<Principal, Principal>();

  private constructor(private readonly byCode: ReadonlyMap<string, readonly string[]>) {
    this.claim = Object.freeze(Object.fromEntries(byCode));
    this.version = createHash('sha256').update(JSON.stringify(this.claim)).digest('hex').slice(0, 16);
  }

  /** The membership of some regions (each code once; unknown province codes are dropped). */
  static of(regions: readonly { code: string; provinceCodes: readonly string[] }[]): RegionMembership {
    const entries = [...regions]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((r) => [r.code, Object.freeze([...new Set(r.provinceCodes.filter((c) => findProvince(c)))].sort())] as const);
    return new RegionMembership(new Map(entries));
  }

  /** The membership as an assertion carries it, or undefined when the claim is not one. */
  static fromClaim(claim: unknown): RegionMembership | undefined {
    if (claim === undefined) return RegionMembership.EMPTY;
    if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) return undefined;
    const entries = Object.entries(claim as Record<string, unknown>);
    if (!entries.every(([, v]) => Array.isArray(v) && v.every((c) => typeof c === 'string'))) return undefined;
    return RegionMembership.of(entries.map(([code, provinceCodes]) => ({ code, provinceCodes: provinceCodes as string[] })));
  }

  /** Whether another value holds exactly the same regions and members. */
  sameAs(other: RegionMembership): boolean {
    return this === other || JSON.stringify(this.claim) === JSON.stringify(other.claim);
  }

  /** The member provinces of a region; undefined when no region has that code. */
  members(code: string): readonly string[] | undefined {
    return this.byCode.get(code);
  }

  /** The codes of every region, sorted. */
  codes(): string[] {
    return [...this.byCode.keys()];
  }

  /** The regions a province belongs to (a province may belong to several), sorted by code. */
  regionsOf(province: string): string[] {
    return this.codes().filter((code) => this.byCode.get(code)!.includes(province));
  }

  /**
   * A region coordinator's principal with its region's members as this table says
   * (`regionProvinces`), the same frozen object for the same principal every time; undefined when
   * the table has no such region. A principal bound to no region is returned as it is.
   */
  withMembers(principal: Principal): Principal | undefined {
    if (principal.region === undefined) return principal;
    const known = this.bound.get(principal);
    if (known) return known;
    const members = this.members(principal.region);
    if (!members) return undefined;
    const bound = Object.freeze({ ...principal, regionProvinces: members });
    this.bound.set(principal, bound);
    return bound;
  }

  /** The compact form an assertion carries: region code -> member codes. */
  toClaim(): Readonly<Record<string, readonly string[]>> {
    return this.claim;
  }
}
