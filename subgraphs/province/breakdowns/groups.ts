import { sumExact } from '../../../common/exact.js';

/** One group of a breakdown as a province answers it: its key, the provinces whose agencies form it, and additive parts. */
export interface BreakdownGroup {
  province: string | null;
  provinces: string[];
  agencyCount: number;
}

/** The additive fields of a part, each with its decimal places (0 for counts); a null part stays null when added. */
export type Additive<R> = Partial<Record<keyof R, number>>;

/**
 * Rows of one SQL query (grouped by province and the asked columns) combined into the groups
 * asked: rows that differ only by province are one group unless PROVINCE is a dimension. Each
 * group lists its provinces; its `additive` fields are summed exactly at their precision, every
 * other field is the first row's (a key, or a figure the same for every row of a key).
 */
export function groupRows<R extends { province: string; agencyCount: number }>(
  rows: readonly R[],
  keys: readonly (keyof R)[],
  byProvince: boolean,
  additive: Additive<R>,
): (Omit<R, 'province'> & BreakdownGroup)[] {
  const sums = Object.entries(additive) as [keyof R & string, number][];
  const groups = new Map<string, Omit<R, 'province'> & BreakdownGroup>();
  for (const row of rows) {
    const keyed = { ...row, province: byProvince ? row.province : null, provinces: [row.province] };
    const key = JSON.stringify(keys.map((k) => keyed[k]));
    const seen = groups.get(key) as Record<string, unknown> | undefined;
    if (!seen) {
      groups.set(key, keyed as Omit<R, 'province'> & BreakdownGroup);
      continue;
    }
    for (const [field, places] of sums) {
      const [a, b] = [seen[field], row[field]] as (number | null)[];
      seen[field] = a === null || b === null ? null : sumExact([a, b], places);
    }
    seen.provinces = [...new Set([...(seen.provinces as string[]), row.province])].sort();
  }
  return [...groups.values()];
}

/**
 * The fewest agencies forming any figure of a group: its own, or the sub-figures' (a group's
 * pooled value is formed by the agencies with pooled cards) and the rest of them (the total
 * minus the pooled value is the other agencies' figure). Counts of 0 form no figure. The gateway
 * withholds a group by it (gateway/shard/breakdown.ts), as by its agencies.
 */
export function leastAgencies(...counts: number[]): number {
  return Math.min(...counts.filter((n) => n > 0), Number.MAX_SAFE_INTEGER);
}
