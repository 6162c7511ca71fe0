import { describe, expect, it } from '@jest/globals';
import { decimalOf, plus, ratio, RATIO_DIGITS, sumExact, unitsOf, times, toNumber, toPrecision } from './exact.js';

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

describe('exact decimals', () => {
  it('reads the decimal a number is written as, exponents included', () => {
    expect(decimalOf(1.2166785)).toEqual({ units: 12166785n, scale: 7 });
    expect(decimalOf('0.835')).toEqual({ units: 835n, scale: 3 });
    expect(decimalOf(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(decimalOf(2e21)).toEqual({ units: 2_000_000_000_000_000_000_000n, scale: 0 });
    expect(decimalOf(-12.5)).toEqual({ units: -125n, scale: 1 });
    expect(() => decimalOf(Number.NaN)).toThrow(RangeError);
  });

  it('multiplies and adds without binary error', () => {
    // 0.1229 kgce/kWh x 3 kWh is 0.3687; the doubles give 0.36869999999999997.
    expect(0.1229 * 3).not.toBe(0.3687);
    expect(toNumber(times(decimalOf(0.1229), decimalOf(3)))).toBe(0.3687);
    expect(toNumber(times(decimalOf('1.4571'), decimalOf('0.835')))).toBe(1.2166785);
    expect(toNumber(plus(decimalOf(0.1), decimalOf(0.2)))).toBe(0.3);
  });

  it('rounds once, half away from zero', () => {
    expect(unitsOf(decimalOf('2.0005'), 3)).toBe(2001);
    expect(unitsOf(decimalOf('-2.0005'), 3)).toBe(-2001);
    expect(unitsOf(decimalOf('1.0049999'), 2)).toBe(100);
    // 1.005 as a double is 1.00499999999999989...; its decimal is 1.005.
    expect(unitsOf(decimalOf(1.005), 2)).toBe(101);
  });

  it('publishes ratios of the written decimals to RATIO_DIGITS places', () => {
    expect(RATIO_DIGITS).toBe(4);
    expect(122.9 / 10).toBe(12.290000000000001);
    expect(ratio(122.9, 10)).toBe(12.29);
    expect(ratio(1, 3)).toBe(0.3333);
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(1, 8)).toBe(0.125);
    expect(ratio(1, 20_000)).toBe(0.0001);
    expect(ratio(1, 20_001)).toBe(0);
    expect(ratio(10, 3, 2)).toBe(3.33);
  });
});
