import { describe, expect, it } from '@jest/globals';
import { sumExact, ratio } from '../common/exact.js';
import { ENERGY_COEFFICIENTS, KGCE_PER_UNIT, standardBuildingArea } from '../common/standards.js';
import { kgceMilli, toStandardQuantity } from '../subgraphs/province/energy.js';
import { agencyCreditCode, isValidCreditCode } from '../subgraphs/province/seed/credit-code.js';
import { generateProvince, TEST_SCALE } from '../subgraphs/province/seed/generator.js';

describe('GB/T 2589-2020 conversion', () => {
  it('uses the reference coefficients', () => {
    expect(KGCE_PER_UNIT.ELECTRICITY).toBe(0.1229);
    expect(KGCE_PER_UNIT.NATURAL_GAS).toBe(1.2143);
    expect(KGCE_PER_UNIT.COAL).toBe(0.7143);
    expect(KGCE_PER_UNIT.LPG).toBe(1.7143);
    expect(KGCE_PER_UNIT.HEAT).toBe(0.03412);
    expect(KGCE_PER_UNIT.WATER).toBe(0);
    expect(ENERGY_COEFFICIENTS.filter((c) => !c.sourced).map((c) => c.energyType)).toEqual(['GASOLINE', 'DIESEL']);
  });

  it('computes kgce as hand-computed from the coefficients', () => {
    // 100 000 kWh x 0.1229 = 12 290; 2 000 m3 gas x 1.2143 = 2 428.6; 50 000 MJ x 0.03412 = 1 706;
    // 1 000 L gasoline x 1.4714 x 0.725 = 1 066.765; 500 kg coal x 0.7143 = 357.15 -> 17 848.515 kgce
    const q = { ELECTRICITY: 100_000, WATER: 9_999, COAL: 500, NATURAL_GAS: 2_000, LPG: 0, GASOLINE: 1_000, DIESEL: 0, HEAT: 50_000 };
    expect(kgceMilli(q)).toBe(17_848_515);
  });

  it('converts accepted units to standard units', () => {
    expect(toStandardQuantity('ELECTRICITY', 1.2345, '万kWh')).toBe(12_345);
    expect(toStandardQuantity('ELECTRICITY', 2.5, 'MWh')).toBe(2_500);
    expect(toStandardQuantity('HEAT', 12.34567, 'GJ')).toBe(12_345.67);
    expect(toStandardQuantity('COAL', 1.5, 't')).toBe(1_500);
    expect(toStandardQuantity('WATER', 3, undefined)).toBe(3);
  });

  it('refuses unknown units and negative quantities with stable codes', () => {
    expect(() => toStandardQuantity('ELECTRICITY', 1, 'kcal')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_UNIT' }) }));
    expect(() => toStandardQuantity('WATER', -1, 'm3')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_QUANTITY' }) }));
    expect(() => toStandardQuantity('WATER', Number.NaN, 'm3')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_QUANTITY' }) }));
  });
});

describe('exact combination', () => {
  it('adds decimal figures exactly and divides sums, not averages', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumExact([0.1, 0.2], 2)).toBe(0.3);
    expect(sumExact([1234.567, 0.001, 8765.432], 3)).toBe(10_000);
    expect(ratio(10, 0)).toBeNull();
    expect(ratio(300, 4)).toBe(75);
  });
});

describe('2014 office-area standard', () => {
  it('uses the grade upper bound, or the lower bound above the staff threshold', () => {
    expect(standardBuildingArea('PROVINCIAL', 100)).toBe(3_000);
    expect(standardBuildingArea('PROVINCIAL', 500)).toBe(13_000);
    expect(standardBuildingArea('MUNICIPAL', 150)).toBe(3_600);
    expect(standardBuildingArea('COUNTY', 120)).toBe(1_920);
    expect(standardBuildingArea('TOWNSHIP', 20)).toBe(360);
  });
});

describe('demo data', () => {
  it('is deterministic for a seed and differs between provinces', () => {
    const a = generateProvince('320000', TEST_SCALE);
    expect(generateProvince('320000', TEST_SCALE)).toEqual(a);
    expect(generateProvince('330000', TEST_SCALE).agencies[0].name).not.toBe(a.agencies[0].name);
    expect(generateProvince('320000', TEST_SCALE, 'other').assets[0]).not.toEqual(a.assets[0]);
  });

  it('has valid credit codes, standard categories and vehicle price caps', () => {
    const d = generateProvince('340000', TEST_SCALE);
    expect(d.agencies.every((x) => isValidCreditCode(x.credit_code))).toBe(true);
    expect(d.assets.every((x) => /^A0[1-8]\d{6}$/.test(x.category_code))).toBe(true);
    expect(d.vehicles.filter((v) => v.category === 'CONFIDENTIAL_COMMUNICATION').every((v) => v.price_fen <= 12_000_000)).toBe(true);
    expect(d.energy_reports.every((r) => r.total_kgce_milli > 0)).toBe(true);
  });

  it('computes GB 32100 check characters', () => {
    const code = agencyCreditCode('320100', '12345678');
    expect(code).toHaveLength(18);
    expect(isValidCreditCode(code)).toBe(true);
    expect(isValidCreditCode(code.slice(0, 17) + (code[17] === '0' ? '1' : '0'))).toBe(false);
  });
});
