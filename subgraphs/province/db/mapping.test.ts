import { describe, expect, it } from '@jest/globals';
import { resolveMapping, toLocalRows } from './mapping.js';

describe('local schema mapping', () => {
  it('defaults every table and column to the standard', () => {
    const t = resolveMapping().get('assets')!;
    expect(t.table).toBe('assets');
    expect(t.byStandard.get('original_value_fen')).toEqual({ standard: 'original_value_fen', column: 'original_value_fen', scale: 1, inSplit: false });
  });

  it('renames, scales and splits, and converts rows to local units', () => {
    const tables = resolveMapping({
      energy_reports: { table: 'js_energy', columns: { electricity_kwh: { column: 'dl_wkwh', scale: 10_000 }, id: 'bh' } },
      buildings: { split: { table: 'building_areas', key: 'building_id', columns: ['construction_area'] } },
    });
    expect(toLocalRows(tables.get('energy_reports')!, { id: 'x', electricity_kwh: 123_456 })).toEqual({ main: { bh: 'x', dl_wkwh: 12.3456 } });
    expect(toLocalRows(tables.get('buildings')!, { id: 'b1', name: 'n', construction_area: 100.5 })).toEqual({
      main: { id: 'b1', name: 'n' },
      split: { construction_area: 100.5, building_id: 'b1' },
    });
  });

  it('refuses an invalid mapping with every problem listed', () => {
    expect(() =>
      resolveMapping({
        assets: { table: 'drop table x;', columns: { nope: 'x', name: { column: 'ok', scale: -1 } } },
        unknown: {},
      } as never),
    ).toThrow(/unknown standard table "unknown"[\s\S]*not a plain identifier[\s\S]*unknown standard column "nope"[\s\S]*scale must be a positive number/);
  });
});
