import { describe, expect, it } from '@jest/globals';
import { checkYearRange, fieldOfEnum, orderGroups } from './breakdown.js';

describe('fieldOfEnum', () => {
  it('names the group field of a dimension or measure', () => {
    expect(fieldOfEnum('AGENCY_LEVEL')).toBe('agencyLevel');
    expect(fieldOfEnum('KGCE_PER_CAPITA')).toBe('kgcePerCapita');
    expect(fieldOfEnum('PROVINCE')).toBe('province');
  });
});

describe('orderGroups', () => {
  const read = (g: Record<string, unknown>, f: string) => g[f];
  it('orders by the measure, nulls (withheld groups) last, ties by key in either direction', () => {
    const groups = [
      { k: 'b', v: 2 },
      { k: 'a', v: null },
      { k: 'c', v: 2 },
      { k: 'd', v: 5 },
    ];
    expect(orderGroups([...groups], { read, keys: ['k'], measure: 'v', descending: true }).map((g) => g.k)).toEqual(['d', 'b', 'c', 'a']);
    expect(orderGroups([...groups], { read, keys: ['k'], measure: 'v', descending: false }).map((g) => g.k)).toEqual(['b', 'c', 'd', 'a']);
    expect(orderGroups([...groups], { read, keys: ['k'], descending: true }).map((g) => g.k)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('checkYearRange', () => {
  it('refuses reversed, out-of-range and too wide ranges with BAD_USER_INPUT', () => {
    expect(() => checkYearRange(2020, 2025)).not.toThrow();
    for (const [from, to] of [
      [2025, 2020],
      [1999, 2001],
      [2000, 2030],
      [2020.5, 2021],
    ])
      expect(() => checkYearRange(from, to)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});
