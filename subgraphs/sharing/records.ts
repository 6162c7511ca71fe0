import { randomBytes } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import { decodeCursor, encodeCursor } from '../../common/cursor.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { findProvince } from '../../common/standards.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import type { IdempotencyStore } from '../../common/idempotency.js';
import type { Principal } from '../../common/auth/principal.js';
import { workflowScope } from '../../common/auth/policy.js';
import { pageSize } from '../../common/pagination.js';
import type { SharingDatabase } from './db/schema.js';

/** A database handle: the pool or one transaction. */
export type Db = Kysely<SharingDatabase> | Transaction<SharingDatabase>;

/**
 * A new record id: `<TAG>-<ms><random>`, so ids sort by creation time (lists are newest first
 * by id) and concurrent writers never pick the same one.
 */
export function newRecordId(tag: string, now = Date.now()): string {
  return `${tag}-${String(now).padStart(14, '0')}${randomBytes(4).toString('hex')}`;
}

/** The sharing database's stored results of idempotent commands. */
export function storedResults(db: Kysely<SharingDatabase>): IdempotencyStore<Transaction<SharingDatabase>> {
  return {
    transaction: (work) => db.transaction().execute(work),
    find: async (trx, key) => trx.selectFrom('idempotency_keys').select(['request_hash', 'response_json']).where('key', '=', key).executeTakeFirst(),
    save: async (trx, row) => {
      await trx
        .insertInto('idempotency_keys')
        .values({ ...row, created_at: Date.now() })
        .execute();
    },
  };
}

/** Appends one action to a record's history (in the caller's transaction). */
export async function recordEvent(db: Db, recordId: string, action: string, actor: { sub: string | null; role: string }, note?: string | null, at = Date.now()): Promise<void> {
  await db
    .insertInto('workflow_events')
    .values({ id: newRecordId('EV', at), record_id: recordId, action, actor: actor.sub ?? '', role: actor.role, note: note ?? null, at })
    .execute();
}

/** An ISO 8601 time from epoch milliseconds. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Yuan from fen. */
export const yuan = (fen: number | null): number | null => (fen === null ? null : fen / 100);

/** Whole fen from a yuan amount given by a client, refusing negatives, fractions of a fen and amounts above `maxYuan`. */
export function fenOf(yuanAmount: number, field: string, maxYuan: number): number {
  const fen = Math.round(yuanAmount * 100);
  if (!Number.isFinite(yuanAmount) || yuanAmount < 0 || yuanAmount > maxYuan || Math.abs(fen - yuanAmount * 100) > 1e-6) {
    throw userError(ErrorCode.BAD_USER_INPUT, `${field} must be an amount of yuan from 0 to ${maxYuan} with at most two decimals.`, { argumentName: field });
  }
  return fen;
}

/** A whole number a client gives, within bounds. */
export function wholeNumber(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw userError(ErrorCode.BAD_USER_INPUT, `${field} must be a whole number from ${min} to ${max}.`, { argumentName: field });
  return value;
}

/** Whether text holds a control character (NUL among them, which PostgreSQL refuses in text) or a bidirectional override. */
function unprintable(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true;
  }
  return false;
}

/** Text a client gives, trimmed, printable, at most `max` characters (code points, so 汉字 and emoji count one each). */
export function boundedText(value: string | null | undefined, field: string, max: number, required = true): string | null {
  const text = (value ?? '').trim();
  if (!text && required) throw userError(ErrorCode.BAD_USER_INPUT, `${field} must not be empty.`, { argumentName: field });
  if ([...text].length > max) throw userError(ErrorCode.BAD_USER_INPUT, `${field} may have at most ${max} characters.`, { argumentName: field });
  if (unprintable(text)) throw userError(ErrorCode.BAD_USER_INPUT, `${field} may not contain control characters.`, { argumentName: field });
  return text || null;
}

/** Whether a client-given id could name a record at all (short and printable); others name nothing. */
export const isPlainId = (id: string): boolean => id.length <= 100 && !unprintable(id);

/** A client-given id used as a filter: BAD_USER_INPUT unless it could name a record. */
export function plainId(id: string, field: string): string {
  if (!isPlainId(id)) throw userError(ErrorCode.BAD_USER_INPUT, `${field} is not an id.`, { argumentName: field });
  return id;
}

/** The provinces a `province`/`region` filter names (undefined: no filter); UNKNOWN_PROVINCE or UNKNOWN_REGION otherwise. */
export function scopeOf(filter: { province?: string | null; region?: string | null }, regions: RegionMembership): readonly string[] | undefined {
  // An empty code is a code that names nothing, never "no filter".
  if (filter.region != null) return regionProvinces(filter.region, regions);
  if (filter.province == null) return undefined;
  if (!findProvince(filter.province)) throw userError(ErrorCode.UNKNOWN_PROVINCE, `${filter.province} is not a GB/T 2260 provincial code.`, { province: filter.province });
  return [filter.province];
}

/** The provinces of a region code by the membership the gateway's assertion carries, or UNKNOWN_REGION. */
export function regionProvinces(code: string, regions: RegionMembership): readonly string[] {
  const members = regions.members(code);
  if (!members) throw userError(ErrorCode.UNKNOWN_REGION, `Unknown region ${code}.`, { region: code });
  return members;
}

/** Refuses a workflow step the principal may not take, naming the step, never the record's parties. */
export function forbidden(principal: Principal, action: string, id: string) {
  return userError(ErrorCode.FORBIDDEN, `The role ${principal.role} may not ${action} ${id}.`, { id });
}

/** The columns where a workflow record names the provinces and agencies it involves (its read rule and province filter look at them). */
export interface RecordParties {
  provinces: readonly string[];
  agencies: readonly string[];
}

/** Where transfers and bookings name their parties. */
export const PARTIES = {
  transfers: { provinces: ['source_province', 'target_province'], agencies: ['target_agency_id', 'source_agency_id'] },
  bookings: { provinces: ['vehicle_province', 'agency_province'], agencies: ['agency_id'] },
} as const satisfies Record<'transfers' | 'bookings', RecordParties>;

type RecordTable = keyof typeof PARTIES;

/** Records involving any of some provinces, as either party. */
export function touching<T extends RecordTable>(eb: ExpressionBuilder<SharingDatabase, T>, table: T, provinces: readonly string[]) {
  return eb.or(PARTIES[table].provinces.map((c) => eb(sql.ref(c), 'in', [...provinces])));
}

/**
 * The workflow records a principal may read (policy `workflowScope`): all, those involving its
 * provinces, those of its agency, or none. The one read rule of transfers and bookings alike.
 */
export function readableBy<T extends RecordTable>(eb: ExpressionBuilder<SharingDatabase, T>, table: T, principal: Principal) {
  const scope = workflowScope(principal);
  if (scope.kind === 'all') return eb.lit(true);
  if (scope.kind === 'provinces') return touching(eb, table, scope.provinces);
  if (scope.kind === 'agency') return eb.or(PARTIES[table].agencies.map((c) => eb(sql.ref(c), '=', scope.agency)));
  return eb.lit(false);
}

/**
 * One page of a newest-first list (ids sort by creation): the client's page size and cursor
 * checked, the rows below the cursor read with one more than asked (whether more follow), and
 * the count over all pages.
 */
export async function newestFirstPage<Row extends { id: string }>(
  args: { first?: number | null; after?: string | null },
  read: { rows: (below: string | undefined, limit: number) => Promise<Row[]>; count: () => Promise<number> },
) {
  const first = pageSize(args.first);
  const below = afterId(args.after);
  const [rows, totalCount] = await Promise.all([read.rows(below, first + 1), read.count()]);
  return pageOf(rows, first, totalCount);
}

/** One page of a newest-first list: the rows after the cursor, with their edges and page info. */
function pageOf<Row extends { id: string }>(rows: Row[], first: number, totalCount: number) {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor({ order: 'ID_DESC', direction: 'DESC', value: node.id, id: node.id }), node }));
  return { edges, totalCount, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** The id a newest-first list continues below, from a client's `after` cursor. */
function afterId(after: string | null | undefined): string | undefined {
  if (!after) return undefined;
  const cursor = decodeCursor(after);
  if (cursor.order !== 'ID_DESC') throw userError(ErrorCode.BAD_CURSOR, 'The `after` cursor belongs to another list.');
  return cursor.id;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Whether year, month and day name a real calendar day. */
function realDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Milliseconds of an ISO 8601 time with an offset (a real day and time, years 2000–2100), or BAD_USER_INPUT. */
export function instant(value: string, field: string): number {
  const m = INSTANT.exec(value);
  const n = (i: number) => Number(m?.[i] ?? 0);
  const valid = m && n(1) >= 2000 && n(1) <= 2100 && realDay(n(1), n(2), n(3)) && n(4) <= 23 && n(5) <= 59 && n(6) <= 59 && n(8) <= 14 && n(9) <= 59;
  if (!valid) throw userError(ErrorCode.BAD_USER_INPUT, `${field} must be an ISO 8601 time with an offset, e.g. 2026-12-02T09:00:00+08:00.`, { argumentName: field });
  return Date.parse(value);
}

/** An ISO 8601 calendar day (YYYY-MM-DD, a real day, years 2000–2100), or BAD_USER_INPUT. */
export function calendarDay(value: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m || Number(m[1]) < 2000 || Number(m[1]) > 2100 || !realDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw userError(ErrorCode.BAD_USER_INPUT, `${field} must be a calendar day, e.g. 2026-12-02.`, { argumentName: field });
  }
  return value;
}
