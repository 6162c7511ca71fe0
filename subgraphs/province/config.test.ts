import { describe, expect, it } from '@jest/globals';
import { parseMapping } from './config.js';

const column = (spec: unknown) => ({ energy_reports: { columns: { electricity_kwh: spec } } });

describe('parseMapping', () => {
  it('accepts a column name, or a column with a numeric scale', () => {
    expect(parseMapping(column('dian'), 'm.json')).toEqual(column('dian'));
    expect(parseMapping(column({ column: 'dian', scale: 10000 }), 'm.json')).toEqual(column({ column: 'dian', scale: 10000 }));
  });

  it('names what is wrong with a column, never a bare "Invalid input"', () => {
    expect(() => parseMapping(column({ column: 'dian', scale: '10000' }), 'm.json')).toThrow(
      'energy_reports.columns.electricity_kwh.scale: scale must be a number (standard value = local value x scale, e.g. 10000 for 万kWh), not a string',
    );
    expect(() => parseMapping(column(5), 'm.json')).toThrow('energy_reports.columns.electricity_kwh: expected a column name, or { "column": NAME, "scale": NUMBER }');
    expect(() => parseMapping(column({ column: 'dian', unit: '万kWh' }), 'm.json')).toThrow('energy_reports.columns.electricity_kwh: Unrecognized key: "unit"');
    expect(() => parseMapping(column({ column: 'dian', scale: -1 }), 'm.json')).toThrow('energy_reports.columns.electricity_kwh.scale');
  });
});
