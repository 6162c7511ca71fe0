import { describe, expect, it } from '@jest/globals';
import { ratio, sumExact, toPrecision } from './exact.js';

describe('exact combination', () => {
  it('adds values in units of their precision, whatever the order', () => {
    const values = [0.1, 0.2, 0.3, 1234.56, 0.01, 99999.99];
    const forwards = sumExact(values, 2);
    expect(sumExact([...values].reverse(), 2)).toBe(forwards);
    expect(forwards).toBe(101235.16);
    expect(sumExact([], 3)).toBe(0);
  });

  it('rounds a sum to the precision of its field', () => {
    expect(toPrecision(0.1 + 0.2, 2)).toBe(0.3);
    expect(toPrecision(1234.5678, 0)).toBe(1235);
  });

  it('divides sums, and has no value for an empty denominator', () => {
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(0, 5)).toBe(0);
  });
});
