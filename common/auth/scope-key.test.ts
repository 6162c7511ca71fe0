import { describe, expect, it } from '@jest/globals';
import type { Principal } from './principal.js';
import { scopeKey } from './scope-key.js';

describe('scopeKey', () => {
  it('is the role and binding, never the user', () => {
    const a: Principal = { sub: 'u-1', role: 'REGION_COORDINATOR', region: 'YRD', regionProvinces: ['310000', '320000'] };
    const b: Principal = { sub: 'u-2', role: 'REGION_COORDINATOR', region: 'YRD', regionProvinces: ['310000', '320000'] };
    expect(scopeKey(a)).toBe(scopeKey(b));
    expect(scopeKey(a)).toBe('REGION_COORDINATOR||YRD|310000,320000|');
  });

  it('tells apart every role and binding, a region with other members included', () => {
    const principals: Principal[] = [
      { sub: 'x', role: 'NATIONAL_ADMIN' },
      { sub: 'x', role: 'ANALYST' },
      { sub: null, role: 'ANONYMOUS' },
      { sub: 'x', role: 'PROVINCE_ADMIN', province: '310000' },
      { sub: 'x', role: 'PROVINCE_ADMIN', province: '320000' },
      { sub: 'x', role: 'REGION_COORDINATOR', region: 'YRD', regionProvinces: ['310000'] },
      { sub: 'x', role: 'REGION_COORDINATOR', region: 'YRD', regionProvinces: ['310000', '320000'] },
      { sub: 'x', role: 'AGENCY_OFFICER', agency: '310000:AG-0000001' },
    ];
    expect(new Set(principals.map(scopeKey)).size).toBe(principals.length);
    // Asked again (now from its memory), each answers the same.
    expect(principals.map(scopeKey)).toEqual(principals.map((p) => scopeKey({ ...p })));
  });
});
