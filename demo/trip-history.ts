import type { ProvinceDatabase } from '../subgraphs/province/db/database.js';
import { Repository } from '../subgraphs/province/repository.js';
import type { SharingStore } from '../subgraphs/sharing/db/database.js';
import type { BookingRow } from '../subgraphs/sharing/db/schema.js';
import { tripCostFen } from '../subgraphs/sharing/bookings.js';
import { readRegions } from '../common/regions/region-file.js';
import { Random } from '../subgraphs/province/seed/random.js';

const HOUR = 3_600_000;
/** The platform opened with the rental companies' admission (2026-01-05); the history runs to the end of November 2026. */
const OPENED = Date.parse('2026-01-06T08:00:00+08:00');
const UNTIL = Date.parse('2026-12-01T00:00:00+08:00');
/** Trip lengths: a working day, a whole day, two days. */
const LENGTHS = [10 * HOUR, 24 * HOUR, 48 * HOUR];

/**
 * Seeds the demo platform's past: completed trips on every platform vehicle from its opening to
 * the end of November 2026, so the booking statistics and breakdowns have figures to show.
 * Agencies of the vehicle's province book most trips and agencies of the rest of its region the
 * others; one in twenty is cancelled. A vehicle's trips never overlap and are charged as a real
 * trip is (`tripCostFen`). Deterministic; returns the number of bookings written.
 */
export async function seedTripHistory(store: SharingStore, provinces: ReadonlyMap<string, ProvinceDatabase>): Promise<number> {
  const r = new Random('trip-history');
  const pick = <T>(xs: readonly T[]): T => r.pick(xs);
  const agencies = new Map<string, string[]>();
  for (const [code, pdb] of provinces) {
    const repo = new Repository(pdb);
    agencies.set(
      code,
      (await repo.db.selectFrom(repo.source('agencies')).select('t.id').orderBy('t.id').limit(60).execute()).map((a) => a.id),
    );
  }
  const regions = readRegions();
  const neighbours = (code: string) =>
    [...new Set(regions.filter((g) => g.provinceCodes.includes(code)).flatMap((g) => g.provinceCodes))].filter((p) => p !== code && agencies.has(p));
  const vehicles = await store.db.selectFrom('platform_vehicles').selectAll().where('active', '=', 1).orderBy('id').execute();
  const rows: BookingRow[] = [];
  for (const v of vehicles) {
    const across = neighbours(v.province);
    for (let starts = OPENED + Math.floor(r.next() * 5) * 24 * HOUR; ;) {
      const ends = starts + pick(LENGTHS);
      if (ends > UNTIL) break;
      const province = across.length && r.next() < 0.25 ? pick(across) : v.province;
      const cancelled = r.next() < 0.05;
      const km = 20 + Math.floor(r.next() * ((ends - starts) / HOUR) * 12);
      rows.push({
        id: `BK-${String(starts).padStart(14, '0')}${(rows.length & 0xffffffff).toString(16).padStart(8, '0')}`,
        vehicle_id: v.id,
        vehicle_province: v.province,
        agency_id: pick(agencies.get(province)!),
        agency_province: province,
        purpose: pick(['公务出行', '跨省联合检查', '会议保障', '调研', '应急保障']),
        passengers: 1 + Math.floor(r.next() * Math.min(v.seats, 6)),
        daily_rate_fen: v.daily_rate_fen,
        per_km_fen: v.per_km_fen,
        starts_ms: starts,
        ends_ms: ends,
        status: cancelled ? 'CANCELLED' : 'COMPLETED',
        occupies: cancelled ? 0 : 1,
        requested_by: 'demo-history',
        requested_role: 'AGENCY_OFFICER',
        decided_by: 'demo-history',
        outcome_reason: cancelled ? '行程取消' : null,
        mileage_km: cancelled ? null : km,
        cost_fen: cancelled ? null : tripCostFen({ starts_ms: starts, ends_ms: ends, daily_rate_fen: v.daily_rate_fen, per_km_fen: v.per_km_fen }, km),
        requested_at: starts - 72 * HOUR,
        decided_at: starts - 48 * HOUR,
        completed_at: ends,
      });
      // The next trip starts at 08:00 Beijing time one to six days after this one ends.
      const day = Math.ceil((ends + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR;
      starts = day + Math.floor(r.next() * 6) * 24 * HOUR + 8 * HOUR;
    }
  }
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto('bookings')
        .values(rows.slice(i, i + 200))
        .execute();
  });
  return rows.length;
}
