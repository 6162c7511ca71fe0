import { describe, expect, it } from '@jest/globals';
import { ENERGY_TYPES, KGCE_PER_UNIT } from '../../common/standards.js';
import { ACCEPTED_UNITS, kgceMilli, REPORT_RANGES, unitFactor, type EnergyQuantities } from './energy.js';

describe('unit tables', () => {
  it('have no prototype and cannot be changed at run time', () => {
    for (const type of ENERGY_TYPES) {
      expect(Object.getPrototypeOf(ACCEPTED_UNITS[type])).toBeNull();
      expect(Object.isFrozen(ACCEPTED_UNITS[type])).toBe(true);
    }
    expect(Object.isFrozen(ACCEPTED_UNITS)).toBe(true);
  });

  it('resolve only their own units', () => {
    expect(unitFactor('ELECTRICITY', '万kWh')).toBe(10_000);
    for (const unit of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '']) expect(unitFactor('ELECTRICITY', unit)).toBeUndefined();
  });
});

describe('REPORT_RANGES', () => {
  it('lets each energy type alone reach at most the total-kgce cap', () => {
    for (const type of ENERGY_TYPES) {
      const alone = { ...(Object.fromEntries(ENERGY_TYPES.map((t) => [t, 0])) as EnergyQuantities), [type]: REPORT_RANGES.quantity[type].max };
      expect(kgceMilli(alone)).toBeLessThanOrEqual(REPORT_RANGES.totalKgce.max * 1000);
      // Within a factor of 2 of the cap: no type is capped far tighter than the total needs.
      if (KGCE_PER_UNIT[type] > 0) expect(kgceMilli(alone)).toBeGreaterThan(REPORT_RANGES.totalKgce.max * 500);
    }
  });

  it('keeps 90 000 reports at the integer-column caps below 2^53', () => {
    for (const perReport of [REPORT_RANGES.totalKgce.max * 1000, REPORT_RANGES.costYuan.max * 100, REPORT_RANGES.energyUsingPeople.max]) {
      expect(perReport * 90_000).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    }
  });
});
