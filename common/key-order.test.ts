import { describe, expect, it } from '@jest/globals';
import { compareKeys } from './key-order.js';

describe('compareKeys', () => {
  it('orders numbers by value, null first, text as text', () => {
    const keys = [
      [2026, 10],
      [2026, 2],
      [2026, null],
      ['320000', 1],
      [2025, 12],
    ];
    expect([...keys].sort(compareKeys)).toEqual([
      [2025, 12],
      [2026, null],
      [2026, 2],
      [2026, 10],
      ['320000', 1],
    ]);
  });

  it('is the same order whether or not a path lists the keys it leaves null', () => {
    // The statistics key a month by (year, month); the breakdown by MONTH adds four null keys.
    const short = [
      ['p', 2026, 1],
      ['p', 2026, 10],
    ];
    const long = short.map((k) => [...k, null, null, null, null]);
    expect(Math.sign(compareKeys(short[0], short[1]))).toBe(Math.sign(compareKeys(long[0], long[1])));
    expect(compareKeys(short[0], long[0])).toBe(0);
  });
});
