/**
 * The sharing database: the two workflows' records, the transfer saga's outbox, the event log
 * of every workflow action, and the vehicle platform (shared agency vehicles, admitted rental
 * companies and their vehicles). Times are epoch milliseconds (integers on every database, so a
 * booking's window is an exact integer range); money is in fen.
 */

/** A 公物仓 transfer (调剂) of one asset card from its holder to a receiving agency. */
export interface TransferRow {
  id: string;
  asset_id: string;
  source_province: string;
  /** The holding agency when requested. */
  source_agency_id: string;
  target_agency_id: string;
  target_province: string;
  reason: string;
  /** REQUESTED, APPROVED, COMPLETED, REJECTED, CANCELLED, CLOSED or FAILED (see transfers.ts). */
  status: string;
  /** While APPROVED: RESERVING, RECEIVING, COMPLETING or RELEASING. */
  stage: string | null;
  requested_by: string;
  requested_role: string;
  decided_by: string | null;
  /** Why it was rejected, closed or failed. */
  outcome_reason: string | null;
  target_asset_id: string | null;
  /** The source card as the reserve step saw it. */
  name: string | null;
  category_code: string | null;
  original_value_fen: number | null;
  net_value_fen: number | null;
  acquired_on: string | null;
  /** Failed deliveries of the current step (a province down), and the last reason. */
  attempts: number;
  last_error: string | null;
  requested_at: number;
  decided_at: number | null;
  completed_at: number | null;
}

/** One pending saga step: written in the transaction that makes it due, done once its province answered. */
export interface OutboxRow {
  /** `<transfer>:<step>`: a step is enqueued once per transfer. */
  id: string;
  transfer_id: string;
  step: string;
  due_at: number;
  attempts: number;
  /** A worker holds the step until then; after a crash another takes it when the lease ends. */
  locked_until: number;
  done_at: number | null;
}

/** Who did what to a workflow record, in order (the workflow's own audit log). */
export interface EventRow {
  id: string;
  record_id: string;
  action: string;
  actor: string;
  role: string;
  note: string | null;
  at: number;
}

/** Results of idempotent workflow commands, by the caller's own key. */
export interface IdempotencyRow {
  key: string;
  operation: string;
  request_hash: string;
  response_json: string;
  created_at: number;
}

/** A rental company admitted by tender for a period and a set of provinces. */
export interface RentalCompanyRow {
  id: string;
  name: string;
  credit_code: string;
  /** Comma-separated GB/T 2260 codes. */
  provinces: string;
  admitted_from: string;
  admitted_until: string;
  registered_at: number;
}

/** A vehicle on the platform: an agency vehicle its province shares, or a rental company's. */
export interface PlatformVehicleRow {
  /** An agency vehicle keeps its province id (`320000:VH-…`); a rental vehicle gets `<province>:RV-…`. */
  id: string;
  kind: string;
  province: string;
  company_id: string | null;
  /** The agency owning an agency vehicle; null for a rental vehicle, and for one shared before owners were recorded. */
  owner_agency_id: string | null;
  model: string;
  category: string;
  seats: number;
  daily_rate_fen: number;
  per_km_fen: number;
  plate_number: string;
  odometer_km: number;
  active: number;
  registered_at: number;
}

/** A booking of a platform vehicle for a time window [starts_ms, ends_ms). */
export interface BookingRow {
  id: string;
  vehicle_id: string;
  vehicle_province: string;
  agency_id: string;
  agency_province: string;
  purpose: string;
  passengers: number;
  /** The vehicle's rates when booked: the trip is charged at these. */
  daily_rate_fen: number;
  per_km_fen: number;
  starts_ms: number;
  ends_ms: number;
  /** REQUESTED, APPROVED, REJECTED, CANCELLED or COMPLETED. */
  status: string;
  /** 1 while the booking holds its window (REQUESTED, APPROVED, COMPLETED): the no-double-booking rule covers these. */
  occupies: number;
  requested_by: string;
  requested_role: string;
  decided_by: string | null;
  outcome_reason: string | null;
  mileage_km: number | null;
  cost_fen: number | null;
  requested_at: number;
  decided_at: number | null;
  completed_at: number | null;
}

/** The sharing database, as Kysely sees it. */
export interface SharingDatabase {
  transfers: TransferRow;
  transfer_outbox: OutboxRow;
  workflow_events: EventRow;
  idempotency_keys: IdempotencyRow;
  rental_companies: RentalCompanyRow;
  platform_vehicles: PlatformVehicleRow;
  bookings: BookingRow;
}
