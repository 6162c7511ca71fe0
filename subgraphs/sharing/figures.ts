/**
 * The aggregate figures of the sharing workflows: breakdowns and statistics of completed
 * transfers and of the vehicle platform's trips, withheld by the caller as breakdown.ts decides.
 * The statistics are breakdowns too, so the two never disclose differently.
 */

import type { Kysely } from 'kysely';
import { checkYear, checkYearRange, fieldOfEnum } from '../../common/breakdown.js';
import { checkCombinedDimensions, withholdFigures, type DisclosureCaller } from '../../common/disclosure.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { ratio } from '../../common/exact.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import { beijingMonth, beijingMonthStart, breakdownOfFacts, type Fact, type FactGroup } from './breakdown.js';
import type { SharingDatabase } from './db/schema.js';
import { instant, regionProvinces } from './records.js';

/** The dimensions of the transfer breakdown. */
export type TransferDimension = 'SOURCE_PROVINCE' | 'TARGET_PROVINCE' | 'CATEGORY' | 'FLOW';
/** The dimensions of the booking breakdown. */
export type BookingDimension = 'MONTH' | 'VEHICLE_PROVINCE' | 'AGENCY_PROVINCE' | 'VEHICLE_KIND' | 'CATEGORY';

/** A breakdown's arguments. */
export interface BreakdownArgs<D extends string> {
  from: number;
  to: number;
  by?: readonly D[] | null;
  orderBy?: string | null;
  descending?: boolean | null;
}

/** The longest period `bookingStatistics` covers, in months. */
const MAX_STATISTICS_MONTHS = 12;

type TransferFigure = 'transferCount' | 'originalFen' | 'netFen';
type TripFigure = 'tripCount' | 'totalKm' | 'costFen';

/** The figures of the sharing workflows over one database. */
export class SharingFigures {
  constructor(private readonly db: Kysely<SharingDatabase>) {}

  /** Completed transfers to a region's agencies, by year and the asked dimensions. */
  async transferBreakdown(region: string, args: BreakdownArgs<TransferDimension>, regions: RegionMembership, caller: DisclosureCaller) {
    return answerOf(region, await this.transferGroups(region, args, regions, caller));
  }

  /** One year's completed transfers to a region's agencies, in-province and across provinces: the transfer breakdown by flow. */
  async transferStatistics(region: string, year: number, regions: RegionMembership, caller: DisclosureCaller) {
    checkYear(year);
    const groups = await this.transferGroups(region, { from: year, to: year, by: ['FLOW'] }, regions, caller);
    const figures: Record<string, number> = {};
    const withheld = new Map<string, string>();
    for (const [flow, prefix] of [
      ['IN_PROVINCE', 'inProvince'],
      ['CROSS_PROVINCE', 'crossProvince'],
    ] as const) {
      const g = groups.find((x) => x.keys.flow === flow);
      figures[`${prefix}Count`] = g?.figures?.transferCount ?? 0;
      figures[`${prefix}OriginalValue`] = g?.figures?.originalValue ?? 0;
      if (g?.withheld) for (const field of [`${prefix}Count`, `${prefix}OriginalValue`]) withheld.set(field, g.withheld);
    }
    return { region: { code: region }, year, ...withholdFigures(figures, withheld) };
  }

  /** Completed trips on a region's platform vehicles, by year (or month) and the asked dimensions. */
  async bookingBreakdown(region: string, args: BreakdownArgs<BookingDimension>, regions: RegionMembership, caller: DisclosureCaller) {
    checkYearRange(args.from, args.to);
    const by = new Set(args.by ?? []);
    checkCombined(
      [...by].filter((d) => d !== 'VEHICLE_PROVINCE' && d !== 'AGENCY_PROVINCE'),
      regionProvinces(region, regions),
      caller,
    );
    const trips = await this.trips(regionProvinces(region, regions), beijingMonthStart(args.from, 1), beijingMonthStart(args.to + 1, 1));
    const facts = trips.map(({ fact, row }): Fact<TripFigure> => {
      const { year, month } = beijingMonth(Number(row.starts_ms));
      return {
        ...fact,
        keys: {
          year,
          month: by.has('MONTH') ? month : null,
          vehicleProvince: by.has('VEHICLE_PROVINCE') ? row.vehicle_province : null,
          agencyProvince: by.has('AGENCY_PROVINCE') ? row.agency_province : null,
          vehicleKind: by.has('VEHICLE_KIND') ? row.kind : null,
          category: by.has('CATEGORY') ? row.category : null,
        },
      };
    });
    const groups = breakdownOfFacts(facts, {
      keys: ['year', 'month', 'vehicleProvince', 'agencyProvince', 'vehicleKind', 'category'],
      // Months lie on a line too: the year's total is published.
      lineDims: [...by].map(fieldOfEnum),
      caller,
      orderBy: fieldOfEnum(args.orderBy ?? 'TRIP_COUNT'),
      descending: args.descending !== false,
      derive: (s) => ({ totalCost: s.costFen / 100, costPerKm: ratio(s.costFen, s.totalKm * 100) }),
    });
    return answerOf(region, groups);
  }

  /**
   * Platform figures of a region over whole calendar months [from, to): utilisation, completed
   * and cross-province trips, cost per km. Each family of figures is withheld when the booking
   * breakdown by MONTH withholds one of the period's months, decided over the whole calendar
   * years the period touches (a thin month and its complement), so no two periods, nor a period
   * and a year, can be differenced into a withheld month.
   */
  async bookingStatistics(region: string, from: string, to: string, regions: RegionMembership, caller: DisclosureCaller) {
    const provinces = regionProvinces(region, regions);
    const starts = monthStart(from, 'from');
    const ends = monthStart(to, 'to');
    if (ends <= starts) throw userError(ErrorCode.BAD_USER_INPUT, '`to` must be after `from`.', { argumentName: 'to' });
    if (ends > monthsAfter(starts, MAX_STATISTICS_MONTHS))
      throw userError(ErrorCode.BAD_USER_INPUT, `A period may span at most ${MAX_STATISTICS_MONTHS} months.`, { argumentName: 'to' });
    const years = { starts: beijingMonthStart(beijingMonth(starts).year, 1), ends: beijingMonthStart(beijingMonth(ends - 1).year + 1, 1) };
    const [vehicles, held, trips] = await Promise.all([
      this.db
        .selectFrom('platform_vehicles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('active', '=', 1)
        .where('province', 'in', [...provinces])
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('bookings as b')
        .innerJoin('platform_vehicles as v', 'v.id', 'b.vehicle_id')
        .select(['b.starts_ms', 'b.ends_ms', 'b.agency_id', 'b.agency_province', 'b.vehicle_province', 'v.kind', 'v.owner_agency_id'])
        .where('b.vehicle_province', 'in', [...provinces])
        .where('b.status', 'in', ['APPROVED', 'COMPLETED'])
        .where('b.starts_ms', '<', years.ends)
        .where('b.ends_ms', '>', years.starts)
        .execute(),
      this.trips(provinces, years.starts, years.ends),
    ]);
    // Held hours count in the month they fall in: a booking over a month's end is two facts.
    const heldFacts = held.flatMap((b) =>
      monthsOf(Math.max(years.starts, Number(b.starts_ms)), Math.min(years.ends, Number(b.ends_ms))).map(([at, ms]): Fact<'bookedMs'> => {
        const { year, month } = beijingMonth(at);
        return { keys: { year, month }, pair: [b.agency_province, b.vehicle_province], sides: [b.agency_id, ownerOf(b)], figures: { bookedMs: ms } };
      }),
    );
    // Trips keyed by their month: the breakdown by MONTH's groups.
    const monthly = (rows: typeof trips) => rows.map(({ fact, row }) => ({ ...fact, keys: beijingMonth(Number(row.starts_ms)) }));
    const [h, all, c] = [
      this.inPeriod(heldFacts, starts, ends, caller),
      this.inPeriod(monthly(trips), starts, ends, caller),
      this.inPeriod(monthly(trips.filter((t) => t.row.agency_province !== t.row.vehicle_province)), starts, ends, caller),
    ];
    const vehicleCount = Number(vehicles.n);
    const km = all.sums.totalKm ?? 0;
    const fen = all.sums.costFen ?? 0;
    const figures = {
      bookedHours: (h.sums.bookedMs ?? 0) / 3_600_000,
      utilisation: ratio(h.sums.bookedMs ?? 0, vehicleCount * (ends - starts)),
      completedTrips: all.sums.tripCount ?? 0,
      crossProvinceTrips: c.sums.tripCount ?? 0,
      totalKm: km,
      totalCost: fen / 100,
      costPerKm: ratio(fen, km * 100),
    };
    const withheld = new Map<string, string>();
    const withhold = (family: { withheld: string | null }, fields: string[]) => family.withheld && fields.forEach((f) => withheld.set(f, family.withheld!));
    withhold(h, ['bookedHours', 'utilisation']);
    withhold(all, ['completedTrips', 'totalKm', 'totalCost', 'costPerKm']);
    withhold(c, ['crossProvinceTrips']);
    return { region: { code: region }, from: new Date(starts).toISOString(), to: new Date(ends).toISOString(), vehicleCount, ...withholdFigures(figures, withheld) };
  }

  /** Monthly facts summed over the months of [starts, ends), withheld when the breakdown by month withholds any of those months. */
  private inPeriod<F extends string>(facts: Fact<F>[], starts: number, ends: number, caller: DisclosureCaller) {
    const months = breakdownOfFacts(facts, { keys: ['year', 'month'], lineDims: ['month'], caller, descending: true }).filter((g) => {
      const at = beijingMonthStart(Number(g.keys.year), Number(g.keys.month));
      return at >= starts && at < ends;
    });
    const sums: Record<string, number> = {};
    for (const g of months) for (const [field, value] of Object.entries(g.figures ?? {})) sums[field] = (sums[field] ?? 0) + (value ?? 0);
    return { sums, withheld: months.find((g) => g.withheld)?.withheld ?? null };
  }

  private async transferGroups(region: string, args: BreakdownArgs<TransferDimension>, regions: RegionMembership, caller: DisclosureCaller) {
    checkYearRange(args.from, args.to);
    // No combined-dimension check here: within a pair of provinces only CATEGORY varies (FLOW follows from the pair), one dimension at most.
    const by = new Set(args.by ?? []);
    const rows = await this.db
      .selectFrom('transfers')
      .select(['source_province', 'source_agency_id', 'target_province', 'target_agency_id', 'category_code', 'original_value_fen', 'net_value_fen', 'completed_at'])
      .where('status', '=', 'COMPLETED')
      .where('target_province', 'in', [...regionProvinces(region, regions)])
      .where('completed_at', '>=', beijingMonthStart(args.from, 1))
      .where('completed_at', '<', beijingMonthStart(args.to + 1, 1))
      .execute();
    const facts = rows.map((r): Fact<TransferFigure> => {
      const { year } = beijingMonth(Number(r.completed_at));
      return {
        keys: {
          year,
          sourceProvince: by.has('SOURCE_PROVINCE') ? r.source_province : null,
          targetProvince: by.has('TARGET_PROVINCE') ? r.target_province : null,
          category: by.has('CATEGORY') ? (r.category_code?.slice(0, 3) ?? null) : null,
          flow: by.has('FLOW') ? (r.source_province === r.target_province ? 'IN_PROVINCE' : 'CROSS_PROVINCE') : null,
        },
        pair: [r.source_province, r.target_province],
        // One transfer is its giver's and its receiver's figure: both sides must be many.
        sides: [r.source_agency_id, r.target_agency_id],
        figures: { transferCount: 1, originalFen: Number(r.original_value_fen ?? 0), netFen: Number(r.net_value_fen ?? 0) },
      };
    });
    return breakdownOfFacts(facts, {
      keys: ['year', 'sourceProvince', 'targetProvince', 'category', 'flow'],
      lineDims: [...by].map(fieldOfEnum),
      caller,
      orderBy: fieldOfEnum(args.orderBy ?? 'ORIGINAL_VALUE'),
      descending: args.descending !== false,
      derive: (s) => ({ originalValue: s.originalFen / 100, netValue: s.netFen / 100 }),
    });
  }

  /** Completed trips on some provinces' platform vehicles that started in [starts, ends), each as a fact with its row. */
  private async trips(provinces: readonly string[], starts: number, ends: number) {
    const rows = await this.db
      .selectFrom('bookings as b')
      .innerJoin('platform_vehicles as v', 'v.id', 'b.vehicle_id')
      .select(['b.agency_id', 'b.agency_province', 'b.vehicle_province', 'b.starts_ms', 'b.mileage_km', 'b.cost_fen', 'v.kind', 'v.category', 'v.owner_agency_id'])
      .where('b.vehicle_province', 'in', [...provinces])
      .where('b.status', '=', 'COMPLETED')
      .where('b.starts_ms', '>=', starts)
      .where('b.starts_ms', '<', ends)
      .execute();
    return rows.map((row) => {
      const fact: Fact<TripFigure> = {
        keys: {},
        pair: [row.agency_province, row.vehicle_province],
        sides: [row.agency_id, ownerOf(row)],
        figures: { tripCount: 1, totalKm: Number(row.mileage_km ?? 0), costFen: Number(row.cost_fen ?? 0) },
      };
      return { fact, row };
    });
  }
}

/**
 * The agency a trip on a vehicle is also the figure of: an agency vehicle's owner (its use is that
 * agency's fleet use). Vehicles shared before owners were recorded stand for one agency in their
 * province, the fewest their owners could be. A rental vehicle is no agency's.
 */
function ownerOf(row: { kind: string; owner_agency_id: string | null; vehicle_province: string }): string | null {
  if (row.kind !== 'AGENCY') return null;
  return row.owner_agency_id ?? `${row.vehicle_province}:unrecorded owner`;
}

/**
 * Refuses more than one combined dimension besides the provinces to a caller who cannot add up
 * every pair: one who reads every province of the region in full knows every pair, since each
 * joins a region province (the receiver's, the vehicle's).
 */
function checkCombined(dimensions: string[], regionProvinces: readonly string[], caller: DisclosureCaller): void {
  checkCombinedDimensions(
    dimensions,
    regionProvinces.every((p) => caller.knows(p).all),
  );
}

/** A breakdown's answer: its region, when it was read, and each group's keys, agencies, reason and figures (none when withheld). */
function answerOf(region: string, groups: FactGroup[]) {
  return {
    region: { code: region },
    asOf: new Date().toISOString(),
    groups: groups.map(({ keys, agencyCount, withheld, figures }) => ({ ...keys, agencyCount, withheld, ...figures })),
  };
}

/** A month start in Beijing time, given as `2026-03` or as an instant that is one; BAD_USER_INPUT otherwise. */
function monthStart(value: string, field: string): number {
  const short = /^(\d{4})-(\d{2})$/.exec(value);
  const ms = short ? beijingMonthStart(Number(short[1]), Number(short[2])) : instant(value, field);
  const { year, month } = beijingMonth(ms);
  const valid = (!short || (Number(short[2]) >= 1 && Number(short[2]) <= 12 && year >= 2000 && year <= 2100)) && beijingMonthStart(year, month) === ms;
  if (!valid)
    throw userError(ErrorCode.BAD_USER_INPUT, `${field} must be the start of a calendar month in Beijing time, e.g. 2026-03 or 2026-03-01T00:00:00+08:00.`, {
      argumentName: field,
    });
  return ms;
}

/** The instant `n` calendar months after a Beijing month start. */
function monthsAfter(ms: number, n: number): number {
  const { year, month } = beijingMonth(ms);
  return beijingMonthStart(year, month + n);
}

/** The Beijing months a span [starts, ends) touches: where its part in each starts, and the milliseconds it holds. */
function monthsOf(starts: number, ends: number): [number, number][] {
  const out: [number, number][] = [];
  for (let at = starts; at < ends;) {
    const { year, month } = beijingMonth(at);
    const next = Math.min(ends, beijingMonthStart(year, month + 1));
    out.push([at, next - at]);
    at = next;
  }
  return out;
}
