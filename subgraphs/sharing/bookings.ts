import type { Kysely } from 'kysely';
import type { RegionMembership } from '../../common/regions/membership.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { isIdOfKind, provinceOfId } from '../../common/ids.js';
import { findProvince } from '../../common/standards.js';
import { runOnce } from '../../common/idempotency.js';
import { mayAct } from '../../common/auth/policy.js';
import { callerKey, type Principal } from '../../common/auth/principal.js';
import { isUniqueViolation } from '../../common/db/errors.js';
import { isBookingOverlap, OCCUPYING_STATUSES } from './db/database.js';
import type { BookingRow, PlatformVehicleRow, RentalCompanyRow, SharingDatabase } from './db/schema.js';
import type { ProvinceSteps } from './province-steps.js';
import {
  boundedText,
  calendarDay,
  fenOf,
  forbidden,
  instant,
  isPlainId,
  newestFirstPage,
  newRecordId,
  plainId,
  readableBy,
  recordEvent,
  scopeOf,
  storedResults,
  type Db,
  touching,
  wholeNumber,
} from './records.js';

const CATEGORIES = ['CONFIDENTIAL_COMMUNICATION', 'EMERGENCY', 'LAW_ENFORCEMENT', 'SPECIAL_TECHNICAL', 'OTHER'];
const DAY_MS = 86_400_000;
/** The longest window one booking may hold. */
export const MAX_BOOKING_DAYS = 30;
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
/** A mainland plate: province abbreviation, issuing-office letter, five characters (six for new-energy vehicles); no I or O. */
const PLATE = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5,6}$/;
/** Upper bounds of what a client may set: rates in yuan, odometer readings in km. */
const MAX_DAILY_RATE = 100_000;
const MAX_KM_RATE = 1_000;
const MAX_ODOMETER_KM = 2_000_000;
// A booking may start this much before "now": the client's clock and the trip to the server.
const CLOCK_SKEW_MS = 60_000;

/**
 * The cross-region official-vehicle platform (the 安徽 model): agency vehicles their provinces
 * share and vehicles of rental companies admitted by tender, booked by agencies of any province.
 *
 * | from              | step          | who (policy WORKFLOW_ACTIONS)   | to         |
 * |-------------------|---------------|---------------------------------|------------|
 * |                   | bookVehicle   | an agency officer               | REQUESTED  |
 * | REQUESTED         | approveBooking| the vehicle's province          | APPROVED   |
 * | REQUESTED         | rejectBooking | the vehicle's province          | REJECTED   |
 * | REQUESTED, APPROVED | cancelBooking | the booker, the vehicle's province | CANCELLED |
 * | APPROVED          | completeTrip  | the booker, the vehicle's province | COMPLETED |
 *
 * A REQUESTED, APPROVED or COMPLETED booking holds its window: the database refuses a second
 * booking that overlaps it on the same vehicle (db/database.ts), whatever the concurrency.
 */
export class Bookings {
  constructor(
    private readonly db: Kysely<SharingDatabase>,
    /** PostgreSQL locks a vehicle before booking it; SQLite runs one write at a time anyway. */
    private readonly kind: 'sqlite' | 'postgres',
    private readonly steps: ProvinceSteps,
  ) {}

  /** Puts an agency vehicle in service on the platform, with the facts its province gives. */
  async shareVehicle(
    principal: Principal,
    input: { vehicleId: string; seats: number; dailyRate: number; perKmRate: number; idempotencyKey?: string | null },
  ): Promise<PlatformVehicleRow> {
    if (!isIdOfKind(input.vehicleId, 'vehicle')) throw userError(ErrorCode.BAD_USER_INPUT, `${input.vehicleId} is not a vehicle id.`, { argumentName: 'vehicleId' });
    const province = provinceOfId(input.vehicleId)!;
    if (!mayAct(principal, 'shareVehicle', { owner: province })) throw forbidden(principal, 'share', input.vehicleId);
    const seats = seatCount(input.seats);
    const [daily, perKm] = [fenOf(input.dailyRate, 'dailyRate', MAX_DAILY_RATE), fenOf(input.perKmRate, 'perKmRate', MAX_KM_RATE)];
    const facts = await this.steps.shareableVehicle(province, input.vehicleId);
    if ('unavailable' in facts) throw userError(ErrorCode.PROVINCE_UNAVAILABLE, `Province ${province} cannot be reached; try again later.`, { province });
    const vehicle = 'done' in facts ? facts.done : null;
    if (!vehicle) throw userError(ErrorCode.NOT_FOUND, `No vehicle ${input.vehicleId}.`, { id: input.vehicleId });
    if (vehicle.status !== 'IN_SERVICE')
      throw userError(ErrorCode.INVALID_STATE, `Vehicle ${input.vehicleId} is ${vehicle.status}; only vehicles in service can be shared.`, { id: input.vehicleId });
    await this.uniquePlate(() =>
      runOnce(storedResults(this.db), { principal, operation: 'shareVehicle', clientKey: input.idempotencyKey, input }, async (trx) => {
        const known = await trx.selectFrom('platform_vehicles').select('odometer_km').where('id', '=', vehicle.vehicleId).executeTakeFirst();
        const row: PlatformVehicleRow = {
          id: vehicle.vehicleId,
          kind: 'AGENCY',
          province,
          company_id: null,
          owner_agency_id: vehicle.agencyId,
          model: vehicle.model,
          category: vehicle.category,
          seats,
          daily_rate_fen: daily,
          per_km_fen: perKm,
          plate_number: vehicle.plateNumber,
          // Sharing again never winds the odometer back: trips on the platform may be ahead of the province's record.
          odometer_km: Math.max(vehicle.mileageKm, Number(known?.odometer_km ?? 0)),
          active: 1,
          registered_at: Date.now(),
        };
        const { id: _id, registered_at: _at, ...changes } = row;
        await trx
          .insertInto('platform_vehicles')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(changes))
          .execute();
        await recordEvent(trx, row.id, 'SHARED', principal);
        return { id: row.id };
      }),
    );
    return this.vehicle(input.vehicleId) as Promise<PlatformVehicleRow>;
  }

  /** Admits a rental company for a period and a set of provinces. */
  async admitCompany(
    principal: Principal,
    input: { name: string; creditCode: string; provinces: string[]; admittedFrom: string; admittedUntil: string; idempotencyKey?: string | null },
  ): Promise<RentalCompanyRow> {
    const name = boundedText(input.name, 'name', 100)!;
    if (!CREDIT_CODE.test(input.creditCode))
      throw userError(ErrorCode.BAD_USER_INPUT, 'creditCode must be an 18-character unified social credit code.', { argumentName: 'creditCode' });
    const provinces = [...new Set(input.provinces)];
    if (!provinces.length || provinces.some((c) => !findProvince(c)))
      throw userError(ErrorCode.UNKNOWN_PROVINCE, 'provinces must be GB/T 2260 provincial codes, at least one.', { argumentName: 'provinces' });
    if (calendarDay(input.admittedFrom, 'admittedFrom') > calendarDay(input.admittedUntil, 'admittedUntil')) {
      throw userError(ErrorCode.BAD_USER_INPUT, 'admittedFrom may not be after admittedUntil.', { argumentName: 'admittedUntil' });
    }
    if (!mayAct(principal, 'admitRentalCompany', { provinces })) throw forbidden(principal, 'admit a rental company for', provinces.join(','));
    const admitted = await this.db.selectFrom('rental_companies').select('id').where('credit_code', '=', input.creditCode).executeTakeFirst();
    if (admitted) throw userError(ErrorCode.INVALID_STATE, `A company with credit code ${input.creditCode} is already admitted (${admitted.id}).`, { id: admitted.id });
    const stored = await runOnce(storedResults(this.db), { principal, operation: 'admitRentalCompany', clientKey: input.idempotencyKey, input }, async (trx) => {
      const id = newRecordId('RC');
      await trx
        .insertInto('rental_companies')
        .values({
          id,
          name,
          credit_code: input.creditCode,
          provinces: provinces.join(','),
          admitted_from: input.admittedFrom,
          admitted_until: input.admittedUntil,
          registered_at: Date.now(),
        })
        .execute();
      await recordEvent(trx, id, 'ADMITTED', principal, `${input.admittedFrom}..${input.admittedUntil} ${provinces.join(',')}`);
      return { id };
    });
    return (await this.companies([stored.id]))[0]!;
  }

  /** Registers a rental company's vehicle in one of its provinces. */
  async registerRentalVehicle(
    principal: Principal,
    input: {
      companyId: string;
      province: string;
      model: string;
      category: string;
      seats: number;
      plateNumber: string;
      dailyRate: number;
      perKmRate: number;
      odometerKm: number;
      idempotencyKey?: string | null;
    },
  ): Promise<PlatformVehicleRow> {
    const [company] = await this.companies([plainId(input.companyId, 'companyId')]);
    if (!company) throw userError(ErrorCode.NOT_FOUND, `No rental company ${input.companyId}.`, { id: input.companyId });
    if (!company.provinces.split(',').includes(input.province))
      throw userError(ErrorCode.INVALID_STATE, `Company ${company.id} is not admitted for province ${input.province}.`, { id: company.id });
    if (!mayAct(principal, 'registerRentalVehicle', { owner: input.province })) throw forbidden(principal, 'register a vehicle in', input.province);
    if (!CATEGORIES.includes(input.category)) throw userError(ErrorCode.BAD_USER_INPUT, `Unknown category ${input.category}.`, { argumentName: 'category' });
    wholeNumber(input.odometerKm, 'odometerKm', 0, MAX_ODOMETER_KM);
    if (!PLATE.test(input.plateNumber))
      throw userError(ErrorCode.BAD_USER_INPUT, 'plateNumber must be a mainland plate such as 苏A12345 (new-energy: six characters after the letter).', {
        argumentName: 'plateNumber',
      });
    const row = {
      kind: 'RENTAL',
      province: input.province,
      company_id: company.id,
      owner_agency_id: null,
      model: boundedText(input.model, 'model', 100)!,
      category: input.category,
      seats: seatCount(input.seats),
      daily_rate_fen: fenOf(input.dailyRate, 'dailyRate', MAX_DAILY_RATE),
      per_km_fen: fenOf(input.perKmRate, 'perKmRate', MAX_KM_RATE),
      plate_number: input.plateNumber,
      odometer_km: input.odometerKm,
      active: 1,
    };
    const stored = await this.uniquePlate(() =>
      runOnce(storedResults(this.db), { principal, operation: 'registerRentalVehicle', clientKey: input.idempotencyKey, input }, async (trx) => {
        const id = `${input.province}:${newRecordId('RV')}`;
        await trx
          .insertInto('platform_vehicles')
          .values({ id, ...row, registered_at: Date.now() })
          .execute();
        await recordEvent(trx, id, 'REGISTERED', principal, company.id);
        return { id };
      }),
    );
    return (await this.vehicle(stored.id))!;
  }

  /** Vehicles free for the whole window with enough seats, in a province or region, one page. */
  async available(
    args: {
      filter: { province?: string | null; region?: string | null; from: string; to: string; seats?: number | null; category?: string | null };
      first?: number | null;
      after?: string | null;
    },
    regions: RegionMembership,
  ) {
    const f = args.filter;
    const { starts, ends } = windowOf(f.from, f.to, false);
    const provinces = scopeOf(f, regions);
    if (f.seats !== null && f.seats !== undefined) seatCount(f.seats);
    const base = this.db
      .selectFrom('platform_vehicles as v')
      .leftJoin('rental_companies as c', 'c.id', 'v.company_id')
      .where('v.active', '=', 1)
      .$if(provinces !== undefined, (q) => q.where('v.province', 'in', [...provinces!]))
      .$if(f.seats !== null && f.seats !== undefined, (q) => q.where('v.seats', '>=', f.seats!))
      .$if(!!f.category, (q) => q.where('v.category', '=', f.category!))
      // A rental vehicle serves only within its company's admission period.
      .where((eb) => eb.or([eb('v.company_id', 'is', null), eb.and([eb('c.admitted_from', '<=', dayOf(starts)), eb('c.admitted_until', '>=', dayOf(ends - 1))])]))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('bookings as b')
              .select('b.id')
              .whereRef('b.vehicle_id', '=', 'v.id')
              .where('b.status', 'in', [...OCCUPYING_STATUSES])
              .where('b.starts_ms', '<', ends)
              .where('b.ends_ms', '>', starts),
          ),
        ),
      );
    return newestFirstPage(args, {
      rows: (below, limit) =>
        base
          .selectAll('v')
          .$if(below !== undefined, (q) => q.where('v.id', '<', below!))
          .orderBy('v.id', 'desc')
          .limit(limit)
          .execute(),
      count: async () => Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    });
  }

  /** Books a vehicle for a window: the database refuses an overlap with a booking that holds its window. */
  async book(
    principal: Principal,
    input: { vehicleId: string; agencyId: string; from: string; to: string; purpose: string; passengers: number; idempotencyKey?: string | null },
  ): Promise<BookingRow> {
    if (!isIdOfKind(input.agencyId, 'agency')) throw userError(ErrorCode.BAD_USER_INPUT, `${input.agencyId} is not an agency id.`, { argumentName: 'agencyId' });
    const { starts, ends } = windowOf(input.from, input.to, true);
    const purpose = boundedText(input.purpose, 'purpose', 200)!;
    if (!mayAct(principal, 'bookVehicle', { agency: input.agencyId })) throw forbidden(principal, 'book for', input.agencyId);
    const vehicle = await this.vehicle(plainId(input.vehicleId, 'vehicleId'));
    if (!vehicle || vehicle.active !== 1) throw userError(ErrorCode.NOT_FOUND, `No platform vehicle ${input.vehicleId}.`, { id: input.vehicleId });
    if (!Number.isInteger(input.passengers) || input.passengers < 1 || input.passengers > vehicle.seats) {
      throw userError(ErrorCode.BAD_USER_INPUT, `passengers must be between 1 and the vehicle's ${vehicle.seats} seats.`, { argumentName: 'passengers' });
    }
    if (vehicle.company_id) {
      const [company] = await this.companies([vehicle.company_id]);
      if (!company || company.admitted_from > dayOf(starts) || company.admitted_until < dayOf(ends - 1)) {
        throw userError(ErrorCode.INVALID_STATE, `The rental company of ${vehicle.id} is not admitted for the whole window.`, { id: vehicle.id });
      }
    }
    try {
      // A retry racing its first run meets the first run's window: run again, and it finds the stored answer.
      const retryOn = input.idempotencyKey ? isBookingOverlap : undefined;
      const stored = await runOnce(storedResults(this.db), { principal, operation: 'bookVehicle', clientKey: input.idempotencyKey, input, retryOn }, async (trx) => {
        await this.lockVehicle(trx, vehicle.id);
        const now = Date.now();
        const id = newRecordId('BK', now);
        await trx
          .insertInto('bookings')
          .values({
            id,
            vehicle_id: vehicle.id,
            vehicle_province: vehicle.province,
            agency_id: input.agencyId,
            agency_province: provinceOfId(input.agencyId)!,
            purpose,
            passengers: input.passengers,
            starts_ms: starts,
            ends_ms: ends,
            status: 'REQUESTED',
            occupies: 1,
            requested_by: callerKey(principal),
            requested_role: principal.role,
            // The rates in force when booked are the rates of the trip.
            daily_rate_fen: vehicle.daily_rate_fen,
            per_km_fen: vehicle.per_km_fen,
            decided_by: null,
            outcome_reason: null,
            mileage_km: null,
            cost_fen: null,
            requested_at: now,
            decided_at: null,
            completed_at: null,
          })
          .execute();
        await recordEvent(trx, id, 'REQUESTED', principal, purpose, now);
        return { id };
      });
      return (await this.visible(principal, [stored.id]))[0]!;
    } catch (error) {
      if (!isBookingOverlap(error)) throw error;
      throw userError(ErrorCode.BOOKING_CONFLICT, `Vehicle ${vehicle.id} is already booked for part of ${input.from} – ${input.to}.`, { id: vehicle.id });
    }
  }

  /** Approves, rejects or cancels a booking. */
  async decide(
    principal: Principal,
    verb: 'approve' | 'reject' | 'cancel',
    input: { bookingId: string; reason?: string | null; idempotencyKey?: string | null },
  ): Promise<BookingRow> {
    const reason = boundedText(input.reason, 'reason', 500, verb === 'reject');
    const booking = await this.actionable(principal, input.bookingId, verb === 'cancel' ? 'cancelBooking' : 'decideBooking', verb);
    const to = { approve: 'APPROVED', reject: 'REJECTED', cancel: 'CANCELLED' }[verb];
    const from = verb === 'cancel' ? ['REQUESTED', 'APPROVED'] : ['REQUESTED'];
    await runOnce(storedResults(this.db), { principal, operation: `${verb}Booking`, clientKey: input.idempotencyKey, input }, async (trx) => {
      const now = Date.now();
      const changed = await trx
        .updateTable('bookings')
        .set({ status: to, occupies: to === 'APPROVED' ? 1 : 0, outcome_reason: reason, decided_by: principal.sub ?? '', decided_at: now })
        .where('id', '=', booking.id)
        .where('status', 'in', from)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) throw invalidState(booking, from);
      await recordEvent(trx, booking.id, to, principal, reason, now);
      return { id: booking.id };
    });
    return (await this.visible(principal, [booking.id]))[0]!;
  }

  /** Closes an approved trip with the odometer reading: mileage since the vehicle's last reading, and its cost. */
  async complete(principal: Principal, input: { bookingId: string; odometerKm: number; idempotencyKey?: string | null }): Promise<BookingRow> {
    wholeNumber(input.odometerKm, 'odometerKm', 0, MAX_ODOMETER_KM);
    const booking = await this.actionable(principal, input.bookingId, 'completeTrip', 'complete');
    await runOnce(storedResults(this.db), { principal, operation: 'completeTrip', clientKey: input.idempotencyKey, input }, async (trx) => {
      const now = Date.now();
      if (booking.status === 'APPROVED' && now < booking.starts_ms) throw userError(ErrorCode.INVALID_STATE, `The trip of ${booking.id} has not started yet.`, { id: booking.id });
      const vehicle = await trx.selectFrom('platform_vehicles').selectAll().where('id', '=', booking.vehicle_id).executeTakeFirstOrThrow();
      const mileage = input.odometerKm - vehicle.odometer_km;
      if (mileage < 0)
        throw userError(ErrorCode.BAD_USER_INPUT, `odometerKm ${input.odometerKm} is below the vehicle's last reading ${vehicle.odometer_km}.`, { argumentName: 'odometerKm' });
      const cost = tripCostFen(booking, mileage);
      const changed = await trx
        .updateTable('bookings')
        .set({ status: 'COMPLETED', mileage_km: mileage, cost_fen: cost, completed_at: now })
        .where('id', '=', booking.id)
        .where('status', '=', 'APPROVED')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) throw invalidState(booking, ['APPROVED']);
      await trx.updateTable('platform_vehicles').set({ odometer_km: input.odometerKm }).where('id', '=', vehicle.id).where('odometer_km', '=', vehicle.odometer_km).execute();
      await recordEvent(trx, booking.id, 'COMPLETED', principal, `${mileage} km`, now);
      return { id: booking.id };
    });
    return (await this.visible(principal, [booking.id]))[0]!;
  }

  /** Bookings the principal may see, newest first, one page. */
  async list(
    principal: Principal,
    args: { filter?: { province?: string | null; region?: string | null; status?: string | null; vehicleId?: string | null } | null; first?: number | null; after?: string | null },
    regions: RegionMembership,
  ) {
    const f = args.filter ?? {};
    const provinces = scopeOf(f, regions);
    if (f.vehicleId) plainId(f.vehicleId, 'vehicleId');
    const base = this.db
      .selectFrom('bookings')
      .where((eb) => readableBy(eb, 'bookings', principal))
      .$if(provinces !== undefined, (q) => q.where((eb) => touching(eb, 'bookings', provinces!)))
      .$if(!!f.status, (q) => q.where('status', '=', f.status!))
      .$if(!!f.vehicleId, (q) => q.where('vehicle_id', '=', f.vehicleId!));
    return newestFirstPage(args, {
      rows: (below, limit) =>
        base
          .selectAll()
          .$if(below !== undefined, (q) => q.where('id', '<', below!))
          .orderBy('id', 'desc')
          .limit(limit)
          .execute(),
      count: async () => Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    });
  }

  /** Bookings by id as the principal may see them. */
  visible(principal: Principal, ids: readonly string[]): Promise<BookingRow[]> {
    ids = ids.filter(isPlainId);
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom('bookings')
      .selectAll()
      .where('id', 'in', [...ids])
      .where((eb) => readableBy(eb, 'bookings', principal))
      .execute();
  }

  /** A platform vehicle by id (the platform is open to every role that sees rows). */
  vehicle(id: string): Promise<PlatformVehicleRow | undefined> {
    if (!isPlainId(id)) return Promise.resolve(undefined);
    return this.db.selectFrom('platform_vehicles').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Rental companies by id, or all. */
  companies(ids?: readonly string[]): Promise<RentalCompanyRow[]> {
    ids = ids?.filter(isPlainId);
    if (ids && !ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom('rental_companies')
      .selectAll()
      .$if(!!ids, (q) => q.where('id', 'in', [...ids!]))
      .orderBy('id')
      .execute();
  }

  /** Runs a write that may put a plate on the platform twice: the unique index refuses it, named. */
  private async uniquePlate<R>(write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw userError(ErrorCode.INVALID_STATE, 'A vehicle with this plate is already on the platform.', { argumentName: 'plateNumber' });
    }
  }

  /**
   * Bookings of one vehicle take turns. The exclusion constraint alone is exact, but two
   * overlapping inserts each wait for the other's outcome, and PostgreSQL breaks that cycle by
   * failing one as a deadlock; under a burst a request could lose every retry that way.
   * Locking the vehicle first makes the second wait, then meet a plain overlap.
   */
  private async lockVehicle(trx: Db, vehicleId: string): Promise<void> {
    if (this.kind !== 'postgres') return;
    await trx.selectFrom('platform_vehicles').select('id').where('id', '=', vehicleId).forUpdate().execute();
  }

  private async actionable(principal: Principal, id: string, action: 'decideBooking' | 'cancelBooking' | 'completeTrip', verb: string): Promise<BookingRow> {
    const [booking] = await this.visible(principal, [id]);
    if (!booking) throw userError(ErrorCode.NOT_FOUND, `No booking ${id}.`, { id });
    if (!mayAct(principal, action, { owner: booking.vehicle_province, requester: booking.requested_by })) throw forbidden(principal, verb, id);
    return booking;
  }
}

/** The cost of a trip in fen: whole days of the booked window × daily rate + km × rate per km, at the rates in force when booked. */
export function tripCostFen(booking: Pick<BookingRow, 'starts_ms' | 'ends_ms' | 'daily_rate_fen' | 'per_km_fen'>, mileageKm: number): number {
  const days = Math.ceil((Number(booking.ends_ms) - Number(booking.starts_ms)) / DAY_MS);
  return days * Number(booking.daily_rate_fen) + mileageKm * Number(booking.per_km_fen);
}

function windowOf(from: string, to: string, booking: boolean, maxDays = MAX_BOOKING_DAYS) {
  const starts = instant(from, 'from');
  const ends = instant(to, 'to');
  if (ends <= starts) throw userError(ErrorCode.BAD_USER_INPUT, '`to` must be after `from`.', { argumentName: 'to' });
  if (ends - starts > maxDays * DAY_MS) throw userError(ErrorCode.BAD_USER_INPUT, `A window may span at most ${maxDays} days.`, { argumentName: 'to' });
  if (booking && starts < Date.now() - CLOCK_SKEW_MS) throw userError(ErrorCode.BAD_USER_INPUT, 'A booking cannot start in the past.', { argumentName: 'from' });
  return { starts, ends };
}

/** The calendar day (Beijing time) of an instant, for admission periods. */
function dayOf(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

function seatCount(seats: number): number {
  return wholeNumber(seats, 'seats', 1, 60);
}

function invalidState(booking: BookingRow, from: string[]) {
  return userError(ErrorCode.INVALID_STATE, `Booking ${booking.id} is not ${from.join(' or ')}.`, { id: booking.id });
}
