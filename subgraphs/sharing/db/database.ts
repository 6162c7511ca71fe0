import { Kysely, sql, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import { createAdapter, dialectOf, redact, type DialectAdapter } from '../../../common/db/dialects.js';
import type { SharingDatabase } from './schema.js';
import { recordStatement } from '../../../common/tracing.js';

/** An open sharing database. */
export interface SharingStore {
  db: Kysely<SharingDatabase>;
  kind: 'sqlite' | 'postgres';
  /** Tells a listener each statement's duration (seconds) and whether it failed (metrics). */
  onStatement(listener: (seconds: number, failed: boolean) => void): void;
  /** The connection pool's use (none for SQLite). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** The statuses in which a booking holds its window. */
export const OCCUPYING_STATUSES = ['REQUESTED', 'APPROVED', 'COMPLETED'] as const;
/** The statuses in which a transfer owns its asset: one per asset, enforced by a unique index. */
export const OWNING_STATUSES = ['APPROVED', 'COMPLETED'] as const;

/**
 * Opens (and migrates) the sharing database: `sqlite:PATH` (the embedded default) or
 * `postgres://…`. MySQL is refused: the no-double-booking rule needs PostgreSQL's exclusion
 * constraint or SQLite's serialized writes.
 */
export async function openSharingDatabase(url: string): Promise<SharingStore> {
  const kind = dialectOf(url);
  if (kind === 'mysql') throw new Error(`the sharing database must be sqlite:PATH or postgres://…, got ${redact(url)}`);
  // Bookings of one vehicle wait for each other's locks: a request may wait for a connection a while before it is refused.
  const adapter = createAdapter(url, { poolSize: 20, acquireTimeoutMs: 10_000 });
  const listeners: ((seconds: number, failed: boolean) => void)[] = [];
  const db = new Kysely<SharingDatabase>({
    dialect: adapter.dialect,
    log: (event) => {
      listeners.forEach((l) => l(event.queryDurationMillis / 1000, event.level === 'error'));
      recordStatement(adapter.kind, event.query.sql, event.queryDurationMillis / 1000, event.level === 'error');
    },
  });
  await migrate(db, adapter);
  return { db, kind, onStatement: (listener) => void listeners.push(listener), poolStats: adapter.poolStats, close: () => db.destroy() };
}

type Column = 'text' | 'integer' | 'text?' | 'integer?';
/** A table: its primary key and its columns (`?`: nullable); a column added in a later version must be nullable. */
interface TableDef {
  key: string;
  columns: Record<string, Column>;
}

const TABLES: Record<keyof SharingDatabase, TableDef> = {
  transfers: {
    key: 'id',
    columns: {
      id: 'text',
      asset_id: 'text',
      source_province: 'text',
      source_agency_id: 'text',
      target_agency_id: 'text',
      target_province: 'text',
      reason: 'text',
      status: 'text',
      stage: 'text?',
      requested_by: 'text',
      requested_role: 'text',
      decided_by: 'text?',
      outcome_reason: 'text?',
      target_asset_id: 'text?',
      name: 'text?',
      category_code: 'text?',
      original_value_fen: 'integer?',
      net_value_fen: 'integer?',
      acquired_on: 'text?',
      attempts: 'integer',
      last_error: 'text?',
      requested_at: 'integer',
      decided_at: 'integer?',
      completed_at: 'integer?',
    },
  },
  transfer_outbox: {
    key: 'id',
    columns: { id: 'text', transfer_id: 'text', step: 'text', due_at: 'integer', attempts: 'integer', locked_until: 'integer', done_at: 'integer?' },
  },
  workflow_events: { key: 'id', columns: { id: 'text', record_id: 'text', action: 'text', actor: 'text', role: 'text', note: 'text?', at: 'integer' } },
  idempotency_keys: { key: 'key', columns: { key: 'text', operation: 'text', request_hash: 'text', response_json: 'text', created_at: 'integer' } },
  rental_companies: {
    key: 'id',
    columns: { id: 'text', name: 'text', credit_code: 'text', provinces: 'text', admitted_from: 'text', admitted_until: 'text', registered_at: 'integer' },
  },
  platform_vehicles: {
    key: 'id',
    columns: {
      id: 'text',
      kind: 'text',
      province: 'text',
      company_id: 'text?',
      owner_agency_id: 'text?',
      model: 'text',
      category: 'text',
      seats: 'integer',
      daily_rate_fen: 'integer',
      per_km_fen: 'integer',
      plate_number: 'text',
      odometer_km: 'integer',
      active: 'integer',
      registered_at: 'integer',
    },
  },
  bookings: {
    key: 'id',
    columns: {
      id: 'text',
      vehicle_id: 'text',
      vehicle_province: 'text',
      agency_id: 'text',
      agency_province: 'text',
      purpose: 'text',
      passengers: 'integer',
      daily_rate_fen: 'integer',
      per_km_fen: 'integer',
      starts_ms: 'integer',
      ends_ms: 'integer',
      status: 'text',
      occupies: 'integer',
      requested_by: 'text',
      requested_role: 'text',
      decided_by: 'text?',
      outcome_reason: 'text?',
      mileage_km: 'integer?',
      cost_fen: 'integer?',
      requested_at: 'integer',
      decided_at: 'integer?',
      completed_at: 'integer?',
    },
  },
};

const INDEXES: { table: keyof SharingDatabase; columns: string[]; unique?: boolean }[] = [
  // One vehicle per plate and one admission per company on the platform.
  { table: 'platform_vehicles', columns: ['plate_number'], unique: true },
  { table: 'rental_companies', columns: ['credit_code'], unique: true },
  { table: 'transfers', columns: ['asset_id'] },
  { table: 'transfers', columns: ['status', 'id'] },
  { table: 'transfers', columns: ['source_province', 'id'] },
  { table: 'transfers', columns: ['target_province', 'id'] },
  { table: 'transfer_outbox', columns: ['done_at', 'due_at'] },
  { table: 'workflow_events', columns: ['record_id', 'at'] },
  { table: 'platform_vehicles', columns: ['province', 'category'] },
  { table: 'bookings', columns: ['vehicle_id', 'starts_ms'] },
  { table: 'bookings', columns: ['agency_province', 'id'] },
  { table: 'bookings', columns: ['vehicle_province', 'id'] },
];

/** Creates the tables, indexes and the two database-enforced workflow rules, and adds columns a later version declares; idempotent. */
async function migrate(db: Kysely<SharingDatabase>, adapter: DialectAdapter): Promise<void> {
  const schema = (db as unknown as Kysely<Record<string, never>>).schema;
  const column = (def: TableDef, name: string) => {
    const type = def.columns[name];
    const base = type.replace('?', '') as 'text' | 'integer';
    return [
      adapter.columnType(base),
      (c: ColumnDefinitionBuilder) => {
        const text = base === 'text' && adapter.textOrder ? c.modifyFront(adapter.textOrder) : c;
        const keyed = name === def.key ? text.primaryKey() : text;
        return type.endsWith('?') ? keyed : keyed.notNull();
      },
    ] as const;
  };
  for (const [table, def] of Object.entries(TABLES)) {
    let create: CreateTableBuilder<string, string> = schema.createTable(table).ifNotExists();
    for (const name of Object.keys(def.columns)) create = create.addColumn(name, ...column(def, name));
    await create.execute();
  }
  // A database made by an earlier version lacks the columns added since: they are nullable, so its rows stay valid.
  const present = new Map((await db.introspection.getTables()).map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
  for (const [table, def] of Object.entries(TABLES)) {
    for (const name of Object.keys(def.columns).filter((n) => !present.get(table)?.has(n))) {
      if (!def.columns[name].endsWith('?')) throw new Error(`sharing database: ${table}.${name} is missing and cannot be added to existing rows (not nullable)`);
      await schema
        .alterTable(table)
        .addColumn(name, ...column(def, name))
        .execute();
    }
  }
  for (const { table, columns, unique } of INDEXES) {
    const index = schema
      .createIndex(`${table}_${columns.join('_')}_${unique ? 'key' : 'idx'}`)
      .ifNotExists()
      .on(table)
      .columns(columns);
    await (unique ? index.unique() : index).execute();
  }
  // The first approval wins: at most one transfer owns an asset, however many are approved at once.
  await schema
    .createIndex('transfers_one_owner_key')
    .ifNotExists()
    .on('transfers')
    .column('asset_id')
    .unique()
    .where(sql.ref('status'), 'in', sql`(${sql.join(OWNING_STATUSES.map((s) => sql.lit(s)))})`)
    .execute();
  // One open request per asset and receiving agency, however many arrive at once.
  await schema
    .createIndex('transfers_one_open_request_key')
    .ifNotExists()
    .on('transfers')
    .columns(['asset_id', 'target_agency_id'])
    .unique()
    .where(sql.ref('status'), '=', sql.lit('REQUESTED'))
    .execute();
  await noDoubleBooking(db, adapter.kind);
}

/**
 * No two bookings that hold their window overlap on one vehicle, enforced by the database: on
 * PostgreSQL an exclusion constraint over the vehicle and the window's integer range, on SQLite
 * triggers that abort the write (SQLite runs one write at a time, so the check and the write
 * cannot interleave with another's).
 */
async function noDoubleBooking(db: Kysely<SharingDatabase>, kind: DialectAdapter['kind']): Promise<void> {
  const occupying = sql.join(OCCUPYING_STATUSES.map((s) => sql.lit(s)));
  if (kind === 'postgres') {
    await sql`CREATE EXTENSION IF NOT EXISTS btree_gist`.execute(db);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'bookings_no_overlap'`.execute(db);
    if (rows[0]?.n) return;
    await sql`ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
      EXCLUDE USING gist (vehicle_id WITH =, int8range(starts_ms, ends_ms) WITH &&) WHERE (status IN (${occupying}))`.execute(db);
    return;
  }
  for (const [name, event, guard] of [
    ['bookings_no_overlap_insert', 'INSERT', sql``],
    ['bookings_no_overlap_update', 'UPDATE OF status, starts_ms, ends_ms, vehicle_id', sql`AND OLD.status NOT IN (${occupying})`],
  ] as const) {
    await sql`CREATE TRIGGER IF NOT EXISTS ${sql.raw(name)} BEFORE ${sql.raw(event)} ON bookings
      WHEN NEW.status IN (${occupying}) ${guard} AND EXISTS (
        SELECT 1 FROM bookings b WHERE b.vehicle_id = NEW.vehicle_id AND b.id <> NEW.id AND b.status IN (${occupying})
          AND b.starts_ms < NEW.ends_ms AND NEW.starts_ms < b.ends_ms)
      BEGIN SELECT RAISE(ABORT, 'bookings_no_overlap'); END`.execute(db);
  }
}

/** Whether a driver error is the no-double-booking rule refusing a write (PostgreSQL 23P01, the SQLite trigger). */
export function isBookingOverlap(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '23P01' || (typeof e?.message === 'string' && e.message.includes('bookings_no_overlap'));
}
