import type { Repository } from '../repository.js';
import type { StandardTable } from './schema.js';

/**
 * Whether a province's values are in the standard units, judged from their medians: a column
 * kept in 万kWh, 万m3, GJ or yuan without its `scale` in the mapping puts every value off by a
 * power of ten, which no single row betrays but the median does. Each probe is a ratio of two
 * standard columns with the range real institutions fall in (wide: an order of magnitude on each
 * side of the reference averages, §1.4, §3.3, §4.2), and names the mapping entry to fix.
 */
interface Probe {
  table: StandardTable;
  column: string;
  per?: string;
  unit: string;
  min: number;
  max: number;
}

/** The probes, each a standard column (over another) and its plausible range. */
export const UNIT_PROBES: readonly Probe[] = [
  // 9-15 kgce/m2 (§1.4) at 0.1229 kgce/kWh is 70-120 kWh/m2 when all of it is electricity.
  { table: 'energy_reports', column: 'electricity_kwh', per: 'building_area', unit: 'kWh per m2 of building area', min: 3, max: 1_500 },
  // 11-70 m3 per person (§1.4 [S13]).
  { table: 'energy_reports', column: 'water_m3', per: 'energy_using_people', unit: 'm3 per person', min: 1, max: 700 },
  // 16-30 m2 per post (§3.3).
  { table: 'buildings', column: 'construction_area', per: 'established_staff', unit: 'm2 per established post', min: 2, max: 300 },
  // 12-45万 yuan caps (§4.2): 1万-200万 yuan, in fen.
  { table: 'vehicles', column: 'price_fen', unit: 'fen', min: 1_000_000, max: 200_000_000 },
];

/** The median of positive numbers (undefined for none). */
function median(values: number[]): number | undefined {
  const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  return v.length ? v[v.length >> 1] : undefined;
}

/** What each probe finds off by a power of ten, with the mapping entry and the scale to try. */
export async function unitProblems(repo: Repository, sample = 500): Promise<string[]> {
  const problems: string[] = [];
  for (const p of UNIT_PROBES) {
    const columns = p.per ? [p.column, p.per] : [p.column];
    const rows = (await repo.db
      .selectFrom(repo.source(p.table))
      .select(columns.map((c) => `t.${c}`) as never)
      .limit(sample)
      .execute()) as Record<string, number>[];
    const m = median(rows.map((r) => (p.per ? Number(r[p.column]) / Number(r[p.per]) : Number(r[p.column]))));
    if (m === undefined || (m >= p.min && m <= p.max)) continue;
    const factor = 10 ** Math.round(Math.log10(Math.sqrt(p.min * p.max) / m));
    const off = factor >= 1 ? `about ${factor.toLocaleString('en-US')} times too small` : `about ${(1 / factor).toLocaleString('en-US')} times too large`;
    problems.push(
      `mapping.${p.table}.columns.${p.column}: the median is ${m.toPrecision(3)} ${p.unit}, outside ${p.min}-${p.max} (${off}); ` +
        'if the local column keeps another unit, set its scale so that standard = local x scale',
    );
  }
  return problems;
}
