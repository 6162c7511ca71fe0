import { describe, expect, it } from '@jest/globals';
import { RegionMembership } from './membership.js';
import type { Principal } from '../auth/principal.js';

describe('RegionMembership', () => {
  const table = RegionMembership.of([
    { code: 'GBA', provinceCodes: ['440000', '810000', '820000'] },
    { code: 'CY', provinceCodes: ['510000', '500000'] },
    { code: 'PPRD', provinceCodes: ['440000', '450000', '999999'] },
  ]);

  it('looks regions up by code and provinces by region, a province in several regions included', () => {
    expect(table.members('CY')).toEqual(['500000', '510000']);
    expect(table.members('YRD')).toBeUndefined();
    expect(table.regionsOf('440000')).toEqual(['GBA', 'PPRD']);
    expect(table.codes()).toEqual(['CY', 'GBA', 'PPRD']);
  });

  it('drops codes that are not GB/T 2260 provincial codes', () => {
    expect(table.members('PPRD')).toEqual(['440000', '450000']);
  });

  it('round-trips through the assertion claim with the same version', () => {
    const back = RegionMembership.fromClaim(JSON.parse(JSON.stringify(table.toClaim())))!;
    expect(back.toClaim()).toEqual(table.toClaim());
    expect(back.version).toBe(table.version);
  });

  it('gives the same version whatever the order, and another one for other members', () => {
    const reordered = RegionMembership.of([
      { code: 'PPRD', provinceCodes: ['450000', '440000'] },
      { code: 'CY', provinceCodes: ['500000', '510000'] },
      { code: 'GBA', provinceCodes: ['820000', '810000', '440000'] },
    ]);
    expect(reordered.version).toBe(table.version);
    expect(reordered.sameAs(table)).toBe(true);
    expect(RegionMembership.of([{ code: 'CY', provinceCodes: ['510000'] }]).sameAs(table)).toBe(false);
    expect(RegionMembership.of([{ code: 'CY', provinceCodes: ['510000'] }]).version).not.toBe(table.version);
  });

  it('refuses claims of the wrong shape and reads a missing claim as no regions', () => {
    expect(RegionMembership.fromClaim(['CY'])).toBeUndefined();
    expect(RegionMembership.fromClaim({ CY: '510000' })).toBeUndefined();
    expect(RegionMembership.fromClaim({ CY: [510000] })).toBeUndefined();
    expect(RegionMembership.fromClaim(undefined)).toBe(RegionMembership.EMPTY);
  });

  it("binds a coordinator's principal to its region's members once per table, and leaves other principals as they are", () => {
    const coordinator: Principal = Object.freeze({ sub: 'c-1', role: 'REGION_COORDINATOR', region: 'CY' });
    const bound = table.withMembers(coordinator)!;
    expect(bound).toEqual({ sub: 'c-1', role: 'REGION_COORDINATOR', region: 'CY', regionProvinces: ['500000', '510000'] });
    expect(Object.isFrozen(bound)).toBe(true);
    expect(table.withMembers(coordinator)).toBe(bound);
    // Another table (another value) decides anew: members it does not list are not the coordinator's.
    const other = RegionMembership.of([{ code: 'CY', provinceCodes: ['510000'] }]);
    expect(other.withMembers(coordinator)!.regionProvinces).toEqual(['510000']);
    expect(table.withMembers({ sub: 'c-2', role: 'REGION_COORDINATOR', region: 'NOPE' })).toBeUndefined();
    const admin: Principal = { sub: 'a', role: 'PROVINCE_ADMIN', province: '510000' };
    expect(table.withMembers(admin)).toBe(admin);
  });
});
