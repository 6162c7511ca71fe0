import { disclosureCallerOf } from '../../common/disclosure.js';
import DataLoader from 'dataloader';
import { requireAccess, guarded } from '../../common/auth/subgraph-auth.js';
import type { Principal } from '../../common/auth/principal.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import type { BookingRow, EventRow, PlatformVehicleRow, RentalCompanyRow, TransferRow } from './db/schema.js';
import type { Bookings } from './bookings.js';
import type { Transfers } from './transfers.js';
import type { BookingDimension, BreakdownArgs, SharingFigures, TransferDimension } from './figures.js';
import { iso, yuan } from './records.js';

/** What every resolver of the sharing subgraph receives. */
export interface SharingContext {
  principal: Principal;
  /** Which provinces form each region for this request, from the gateway's assertion. */
  regions: RegionMembership;
  /** The small-cell threshold statistics withhold by, from the same assertion. */
  minAgencies: number;
  requestId: string;
  transfers: Transfers;
  bookings: Bookings;
  figures: SharingFigures;
  /** Per-request batch loaders (no cache outlives the request). */
  loaders: SharingLoaders;
}

/** Batch loaders of one request, each reading only what the caller may see. */
export interface SharingLoaders {
  transfersOfAsset: DataLoader<string, TransferRow[]>;
  history: DataLoader<string, EventRow[]>;
  vehicle: DataLoader<string, PlatformVehicleRow | null>;
  company: DataLoader<string, RentalCompanyRow | null>;
}

/** Builds the loaders of one request. */
export function createSharingLoaders(principal: Principal, transfers: Transfers, bookings: Bookings, history: (ids: readonly string[]) => Promise<EventRow[]>): SharingLoaders {
  return {
    transfersOfAsset: new DataLoader(async (ids) => {
      const rows = await transfers.ofAssets(principal, ids);
      return ids.map((id) => rows.filter((r) => r.asset_id === id));
    }),
    history: new DataLoader(async (ids) => {
      const rows = await history(ids);
      return ids.map((id) => rows.filter((r) => r.record_id === id));
    }),
    vehicle: new DataLoader(async (ids) => Promise.all(ids.map(async (id) => (await bookings.vehicle(id)) ?? null))),
    company: new DataLoader(async (ids) => {
      const rows = await bookings.companies(ids);
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    }),
  };
}

/** A root resolver of a data class: the caller's role must hold it (FORBIDDEN otherwise). */
const classed =
  (dataClass: 'rows' | 'aggregate') =>
  <A, R>(resolve: (args: A, ctx: SharingContext) => R) =>
  (_: unknown, args: A, ctx: SharingContext): R => {
    requireAccess(ctx.principal, dataClass);
    return resolve(args, ctx);
  };
const rows = classed('rows');
const aggregate = classed('aggregate');
const write =
  <I, R>(resolve: (input: I, ctx: SharingContext) => R) =>
  (_: unknown, { input }: { input: I }, ctx: SharingContext): R => {
    requireAccess(ctx.principal, 'write');
    return resolve(input, ctx);
  };
/** The caller as the figures' disclosure sees it: its row scopes and the gateway's threshold. */
const callerOf = (ctx: SharingContext) => disclosureCallerOf(ctx.principal, ctx.minAgencies);
const province = (code: string) => ({ code });

/** Resolvers of the sharing subgraph. */
export const sharingResolvers = {
  Query: {
    assetTransfers: rows((args: Parameters<Transfers['list']>[1], ctx) => ctx.transfers.list(ctx.principal, args, ctx.regions)),
    assetTransfer: rows(async ({ id }: { id: string }, ctx) => (await ctx.transfers.byIds(ctx.principal, [id]))[0] ?? null),
    transferStatistics: aggregate(({ region, year }: { region: string; year: number }, ctx) => ctx.figures.transferStatistics(region, year, ctx.regions, callerOf(ctx))),
    transferBreakdown: aggregate(({ region, ...args }: { region: string } & BreakdownArgs<TransferDimension>, ctx) =>
      ctx.figures.transferBreakdown(region, args, ctx.regions, callerOf(ctx)),
    ),
    availableVehicles: rows((args: Parameters<Bookings['available']>[0], ctx) => ctx.bookings.available(args, ctx.regions)),
    platformVehicle: rows(({ id }: { id: string }, ctx) => ctx.loaders.vehicle.load(id)),
    rentalCompanies: rows((_: unknown, ctx) => ctx.bookings.companies()),
    vehicleBookings: rows((args: Parameters<Bookings['list']>[1], ctx) => ctx.bookings.list(ctx.principal, args, ctx.regions)),
    vehicleBooking: rows(async ({ id }: { id: string }, ctx) => (await ctx.bookings.visible(ctx.principal, [id]))[0] ?? null),
    bookingStatistics: aggregate((a: { region: string; from: string; to: string }, ctx) => ctx.figures.bookingStatistics(a.region, a.from, a.to, ctx.regions, callerOf(ctx))),
    bookingBreakdown: aggregate(({ region, ...args }: { region: string } & BreakdownArgs<BookingDimension>, ctx) =>
      ctx.figures.bookingBreakdown(region, args, ctx.regions, callerOf(ctx)),
    ),
  },
  Mutation: {
    requestAssetTransfer: write(async (input: Parameters<Transfers['request']>[1], ctx) => ({ transfer: await ctx.transfers.request(ctx.principal, input) })),
    approveAssetTransfer: write(async (input: Parameters<Transfers['approve']>[1], ctx) => ({ transfer: await ctx.transfers.approve(ctx.principal, input) })),
    rejectAssetTransfer: write(async (input: Parameters<Transfers['reject']>[1], ctx) => ({ transfer: await ctx.transfers.reject(ctx.principal, input) })),
    cancelAssetTransfer: write(async (input: Parameters<Transfers['cancel']>[1], ctx) => ({ transfer: await ctx.transfers.cancel(ctx.principal, input) })),
    shareVehicle: write(async (input: Parameters<Bookings['shareVehicle']>[1], ctx) => ({ vehicle: await ctx.bookings.shareVehicle(ctx.principal, input) })),
    admitRentalCompany: write(async (input: Parameters<Bookings['admitCompany']>[1], ctx) => ({ company: await ctx.bookings.admitCompany(ctx.principal, input) })),
    registerRentalVehicle: write(async (input: Parameters<Bookings['registerRentalVehicle']>[1], ctx) => ({
      vehicle: await ctx.bookings.registerRentalVehicle(ctx.principal, input),
    })),
    bookVehicle: write(async (input: Parameters<Bookings['book']>[1], ctx) => ({ booking: await ctx.bookings.book(ctx.principal, input) })),
    approveBooking: write(async (input: Parameters<Bookings['decide']>[2], ctx) => ({ booking: await ctx.bookings.decide(ctx.principal, 'approve', input) })),
    rejectBooking: write(async (input: Parameters<Bookings['decide']>[2], ctx) => ({ booking: await ctx.bookings.decide(ctx.principal, 'reject', input) })),
    cancelBooking: write(async (input: Parameters<Bookings['decide']>[2], ctx) => ({ booking: await ctx.bookings.decide(ctx.principal, 'cancel', input) })),
    completeTrip: write(async (input: Parameters<Bookings['complete']>[1], ctx) => ({ booking: await ctx.bookings.complete(ctx.principal, input) })),
  },
  Asset: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    transfers: (a: { id: string }, _: unknown, ctx: SharingContext) => {
      requireAccess(ctx.principal, 'rows');
      return ctx.loaders.transfersOfAsset.load(a.id);
    },
  },
  Vehicle: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    bookings: (v: { id: string }, args: { first?: number; after?: string }, ctx: SharingContext) => {
      requireAccess(ctx.principal, 'rows');
      return ctx.bookings.list(ctx.principal, { filter: { vehicleId: v.id }, ...args }, ctx.regions);
    },
  },
  AssetTransfer: {
    __resolveReference: async (ref: { id: string }, ctx: SharingContext) => (await ctx.transfers.byIds(ctx.principal, [ref.id]))[0] ?? null,
    asset: (t: TransferRow) => ({ id: t.asset_id }),
    assetId: (t: TransferRow) => t.asset_id,
    sourceProvince: (t: TransferRow) => province(t.source_province),
    targetAgency: (t: TransferRow) => ({ id: t.target_agency_id }),
    targetAgencyId: (t: TransferRow) => t.target_agency_id,
    targetProvince: (t: TransferRow) => province(t.target_province),
    crossProvince: (t: TransferRow) => t.source_province !== t.target_province,
    outcomeReason: (t: TransferRow) => t.outcome_reason,
    targetAsset: (t: TransferRow) => (t.target_asset_id ? { id: t.target_asset_id } : null),
    targetAssetId: (t: TransferRow) => t.target_asset_id,
    originalValue: (t: TransferRow) => yuan(t.original_value_fen === null ? null : Number(t.original_value_fen)),
    netValue: (t: TransferRow) => yuan(t.net_value_fen === null ? null : Number(t.net_value_fen)),
    requestedAt: (t: TransferRow) => iso(Number(t.requested_at)),
    decidedAt: (t: TransferRow) => iso(t.decided_at === null ? null : Number(t.decided_at)),
    completedAt: (t: TransferRow) => iso(t.completed_at === null ? null : Number(t.completed_at)),
    history: (t: TransferRow, _: unknown, ctx: SharingContext) => ctx.loaders.history.load(t.id),
  },
  WorkflowEvent: {
    actor: guarded('audit', (e: EventRow) => e.actor),
    at: (e: EventRow) => iso(Number(e.at)),
  },
  PlatformVehicle: {
    __resolveReference: (ref: { id: string }, ctx: SharingContext) => ctx.loaders.vehicle.load(ref.id),
    province: (v: PlatformVehicleRow) => province(v.province),
    vehicle: (v: PlatformVehicleRow) => (v.kind === 'AGENCY' ? { id: v.id } : null),
    rentalCompany: (v: PlatformVehicleRow, _: unknown, ctx: SharingContext) => (v.company_id ? ctx.loaders.company.load(v.company_id) : null),
    plateNumber: guarded('vehicle-identity', (v: PlatformVehicleRow) => v.plate_number),
    dailyRate: (v: PlatformVehicleRow) => Number(v.daily_rate_fen) / 100,
    perKmRate: (v: PlatformVehicleRow) => Number(v.per_km_fen) / 100,
    odometerKm: (v: PlatformVehicleRow) => Number(v.odometer_km),
  },
  RentalCompany: {
    __resolveReference: (ref: { id: string }, ctx: SharingContext) => ctx.loaders.company.load(ref.id),
    creditCode: (c: RentalCompanyRow) => c.credit_code,
    provinces: (c: RentalCompanyRow) => c.provinces.split(',').map(province),
    admittedFrom: (c: RentalCompanyRow) => c.admitted_from,
    admittedUntil: (c: RentalCompanyRow) => c.admitted_until,
  },
  VehicleBooking: {
    __resolveReference: async (ref: { id: string }, ctx: SharingContext) => (await ctx.bookings.visible(ctx.principal, [ref.id]))[0] ?? null,
    vehicle: (b: BookingRow, _: unknown, ctx: SharingContext) => ctx.loaders.vehicle.load(b.vehicle_id),
    agency: (b: BookingRow) => ({ id: b.agency_id }),
    agencyId: (b: BookingRow) => b.agency_id,
    agencyProvince: (b: BookingRow) => province(b.agency_province),
    crossProvince: (b: BookingRow) => b.agency_province !== b.vehicle_province,
    from: (b: BookingRow) => iso(Number(b.starts_ms)),
    to: (b: BookingRow) => iso(Number(b.ends_ms)),
    outcomeReason: (b: BookingRow) => b.outcome_reason,
    mileageKm: (b: BookingRow) => (b.mileage_km === null ? null : Number(b.mileage_km)),
    cost: (b: BookingRow) => yuan(b.cost_fen === null ? null : Number(b.cost_fen)),
    requestedAt: (b: BookingRow) => iso(Number(b.requested_at)),
    history: (b: BookingRow, _: unknown, ctx: SharingContext) => ctx.loaders.history.load(b.id),
  },
};
