import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import type { EnergyType } from '../../common/standards.js';
// A namespace import, so this file still loads (and the other tests still run) against code without the table.
import * as energy from './energy.js';
import { validateReport, type EnergyReportInput } from './report-input.js';

const base: EnergyReportInput = { agencyId: '340000:AG-0000001', year: 2024, buildingArea: 5000, energyUsingPeople: 200, quantities: [], costYuan: 1000 };

/** The GraphQLError validateReport throws for an input (fails the test when it returns instead). */
function refusal(input: Partial<EnergyReportInput>): GraphQLError {
  try {
    const stored = validateReport({ ...base, ...input });
    throw new Error(`accepted and would store ${JSON.stringify(stored)}`);
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    return e;
  }
}

/** A report with one quantity. */
const one = (energyType: EnergyType, quantity: number, unit?: string | null) => ({ quantities: [{ energyType, quantity, unit }] });

describe('validateReport: units are looked up only among the accepted ones', () => {
  const prototypeNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__'];

  it.each(prototypeNames)('refuses the unit %j with INVALID_UNIT and lists the accepted units', (unit) => {
    const e = refusal(one('ELECTRICITY', 5, unit));
    expect(e.extensions).toMatchObject({ code: 'INVALID_UNIT', energyType: 'ELECTRICITY', acceptedUnits: ['kWh', 'MWh', '万kWh'] });
  });

  it('refuses prototype names for every energy type', () => {
    for (const type of ['WATER', 'COAL', 'NATURAL_GAS', 'LPG', 'GASOLINE', 'DIESEL', 'HEAT'] as const) {
      for (const unit of prototypeNames) expect(refusal(one(type, 1, unit)).extensions).toMatchObject({ code: 'INVALID_UNIT', energyType: type });
    }
  });

  it('refuses the empty string and case variants, and takes the standard unit when none is given', () => {
    expect(refusal(one('ELECTRICITY', 5, '')).extensions.code).toBe('INVALID_UNIT');
    expect(refusal(one('ELECTRICITY', 5, 'kwh')).extensions.code).toBe('INVALID_UNIT');
    expect(validateReport({ ...base, ...one('ELECTRICITY', 5, null) }).electricity_kwh).toBe(5);
    expect(validateReport({ ...base, ...one('HEAT', 5) }).heat_mj).toBe(5);
  });

  it('refuses an energy type outside the enum with BAD_USER_INPUT', () => {
    expect(refusal(one('__proto__' as EnergyType, 1)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'quantities' });
  });
});

describe('validateReport: every stored number is finite and within its range', () => {
  it('refuses a cost that overflows once converted to fen', () => {
    const e = refusal({ costYuan: 1e308 });
    expect(e.extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'costYuan' });
    expect(e.message).toMatch(/between 0 and 1,000,000,000 yuan/);
  });

  it('refuses a quantity that overflows once scaled to the standard unit', () => {
    const e = refusal(one('ELECTRICITY', 1e305, '万kWh'));
    expect(e.extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: 'ELECTRICITY' });
    expect(e.message).toMatch(/between 0 and 800,000,000 kWh/);
    expect(refusal(one('NATURAL_GAS', 1e305, '万m3')).extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: 'NATURAL_GAS' });
    expect(refusal(one('HEAT', Number.MAX_VALUE, 'GJ')).extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: 'HEAT' });
  });

  it.each([Infinity, -Infinity, NaN])('refuses %p wherever a number goes', (v) => {
    expect(refusal({ costYuan: v }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'costYuan' });
    expect(refusal({ buildingArea: v }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'buildingArea' });
    expect(refusal({ energyUsingPeople: v }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'energyUsingPeople' });
    expect(refusal(one('WATER', v)).extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: 'WATER' });
  });

  it('refuses a year outside 2000..this year with BAD_USER_INPUT', () => {
    for (const year of [1999, new Date().getUTCFullYear() + 1, 2020.5, NaN]) expect(refusal({ year }).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'year' });
  });

  it('keeps refusing negative values, a non-positive area, fractional people and duplicates', () => {
    expect(refusal({ costYuan: -0.01 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'costYuan' });
    expect(refusal({ buildingArea: 0 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'buildingArea' });
    expect(refusal({ energyUsingPeople: 1.5 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'energyUsingPeople' });
    expect(refusal(one('WATER', -1e-9)).extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: 'WATER' });
    const twice = {
      quantities: [
        { energyType: 'WATER' as const, quantity: 1 },
        { energyType: 'WATER' as const, quantity: 2, unit: 't' },
      ],
    };
    expect(refusal(twice).extensions).toMatchObject({ code: 'BAD_USER_INPUT', energyType: 'WATER' });
  });

  it('stores -0 as 0', () => {
    const stored = validateReport({ ...base, energyUsingPeople: -0, costYuan: -0, ...one('WATER', -0) });
    expect(Object.is(stored.energy_using_people, 0)).toBe(true);
    expect(Object.is(stored.cost_fen, 0)).toBe(true);
    expect(Object.is(stored.water_m3, 0)).toBe(true);
  });
});

describe('validateReport: range boundaries (REPORT_RANGES)', () => {
  it('exports the documented ranges', () => {
    const r = energy.REPORT_RANGES;
    expect(r.buildingArea).toEqual({ min: 0.01, max: 10_000_000, unit: 'm2' });
    expect(r.energyUsingPeople).toEqual({ min: 0, max: 1_000_000, unit: 'people' });
    expect(r.costYuan).toEqual({ min: 0, max: 1_000_000_000, unit: 'yuan' });
    expect(r.totalKgce).toEqual({ min: 0, max: 100_000_000, unit: 'kgce' });
    expect(Object.keys(r.quantity)).toEqual(['ELECTRICITY', 'WATER', 'COAL', 'NATURAL_GAS', 'LPG', 'GASOLINE', 'DIESEL', 'HEAT']);
  });

  it('accepts each maximum and refuses just over it', () => {
    const r = energy.REPORT_RANGES;
    const atMax = validateReport({ ...base, buildingArea: r.buildingArea.max, energyUsingPeople: r.energyUsingPeople.max, costYuan: r.costYuan.max });
    expect(atMax).toMatchObject({ building_area: 10_000_000, energy_using_people: 1_000_000, cost_fen: 100_000_000_000 });
    expect(refusal({ buildingArea: 10_000_000.01 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'buildingArea' });
    expect(refusal({ energyUsingPeople: 1_000_001 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'energyUsingPeople' });
    expect(refusal({ costYuan: 1_000_000_000.01 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'costYuan' });
  });

  it('accepts the smallest area and refuses one that would store as 0', () => {
    expect(validateReport({ ...base, buildingArea: 0.01 }).building_area).toBe(0.01);
    expect(refusal({ buildingArea: 0.004 }).extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'buildingArea' });
  });

  it.each(['ELECTRICITY', 'WATER', 'COAL', 'NATURAL_GAS', 'LPG', 'GASOLINE', 'DIESEL', 'HEAT'] as const)('accepts the %s maximum alone and refuses one step over', (type) => {
    const { max } = energy.REPORT_RANGES.quantity[type];
    const step = energy.STANDARD_DIGITS[type] === 0 ? 1 : 0.01;
    const stored = validateReport({ ...base, ...one(type, max) });
    expect(stored[energy.ENERGY_COLUMNS[type]]).toBe(max);
    expect(stored.total_kgce_milli).toBeLessThanOrEqual(energy.REPORT_RANGES.totalKgce.max * 1000);
    expect(refusal(one(type, max + step)).extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: type });
  });

  it('checks the range after unit scaling', () => {
    // 80 000 万kWh = 800 000 000 kWh is the cap; 80 000.01 万kWh is 100 kWh over.
    expect(validateReport({ ...base, ...one('ELECTRICITY', 80_000, '万kWh') }).electricity_kwh).toBe(800_000_000);
    const e = refusal(one('ELECTRICITY', 80_000.01, '万kWh'));
    expect(e.extensions).toMatchObject({ code: 'INVALID_QUANTITY', energyType: 'ELECTRICITY' });
    expect(e.message).toContain('80,000 万kWh');
  });

  it('refuses a report whose total exceeds the kgce cap although each type is within its own', () => {
    const e = refusal({
      quantities: [
        { energyType: 'ELECTRICITY', quantity: 800_000_000 },
        { energyType: 'COAL', quantity: 100_000_000 },
      ],
    });
    expect(e.extensions).toMatchObject({ code: 'INVALID_QUANTITY', argumentName: 'quantities' });
    expect(e.message).toMatch(/100,000,000 kgce/);
  });

  it('keeps integer columns safe, and 90 000 reports at the caps still sum exactly', () => {
    const cap = validateReport({ ...base, costYuan: energy.REPORT_RANGES.costYuan.max, ...one('ELECTRICITY', energy.REPORT_RANGES.quantity.ELECTRICITY.max) });
    for (const v of [cap.cost_fen, cap.total_kgce_milli, cap.energy_using_people]) expect(Number.isSafeInteger(v * 90_000)).toBe(true);
    expect(energy.REPORT_RANGES.totalKgce.max * 1000 * 90_000).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(energy.REPORT_RANGES.costYuan.max * 100 * 90_000).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });

  it('stores a typical report as before', () => {
    const stored = validateReport({
      ...base,
      costYuan: 123456.78,
      quantities: [
        { energyType: 'ELECTRICITY', quantity: 40, unit: '万kWh' },
        { energyType: 'HEAT', quantity: 12.5, unit: 'GJ' },
      ],
    });
    expect(stored).toMatchObject({ building_area: 5000, energy_using_people: 200, electricity_kwh: 400_000, heat_mj: 12_500, cost_fen: 12_345_678, total_kgce_milli: 49_586_500 });
  });
});
