import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { link } from './chain.js';
import { matches, readEvent, type AuditEvent, type AuditQuery, type AuditRecord, type AuditStore } from './event.js';

interface AuditDatabase {
  audit_events: { seq: number | undefined; time: string; event_json: string; subject: string | null; role: string };
}

/**
 * The embedded default audit store: an SQLite file. Triggers make the table append-only, so
 * not even a bug in this process can rewrite history; the hash chain makes a rewrite by
 * someone with the file (who can drop the triggers) visible to `npm run audit:verify`.
 * An event's id and its chain sequence are the same number (the row's seq).
 */
export class SqliteAuditStore implements AuditStore {
  /** SQLite never drops old events, so a missing oldest event is tampering, not trimming. */
  readonly trims = false;

  private readonly appendChained: SQLite.Transaction<(record: AuditRecord) => void>;
  private readonly appendedNow: () => number;

  private constructor(
    private readonly db: Kysely<AuditDatabase>,
    sqlite: SQLite.Database,
  ) {
    // AUTOINCREMENT's counter outlives deleted rows, so removed newest events still count.
    const counter = sqlite
      .prepare<[], number>("select max(coalesce((select seq from sqlite_sequence where name = 'audit_events'), 0), coalesce((select max(seq) from audit_events), 0))")
      .pluck();
    const head = sqlite.prepare<[], { event_json: string }>('select event_json from audit_events order by seq desc limit 1');
    const insert = sqlite.prepare<[number, string, string | null, string, string]>('insert into audit_events (seq, time, subject, role, event_json) values (?, ?, ?, ?, ?)');
    this.appendedNow = () => counter.get()!;
    // Reading the head and inserting after it must not interleave with another append. Kysely's
    // API is async (a transaction would span awaits), so this is one synchronous better-sqlite3
    // transaction; run IMMEDIATE, it takes the write lock before the read, so another process
    // writing the same file waits instead of chaining to the same head.
    this.appendChained = sqlite.transaction((record: AuditRecord) => {
      const last = head.get();
      const [event] = link([record], { hash: last ? readEvent('', last.event_json).hash : null, sequence: this.appendedNow() });
      insert.run(event.sequence, event.time, event.subject, event.role, JSON.stringify(event));
    });
  }

  /** Opens (creating if needed) the store; `readonly` opens an existing file without touching it, for verification. */
  static async open(file: string, options: { readonly?: boolean } = {}): Promise<SqliteAuditStore> {
    const sqlite = new SQLite(file, options.readonly ? { readonly: true, fileMustExist: true } : {});
    const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    if (!options.readonly) {
      sqlite.pragma('journal_mode = WAL');
      await db.schema
        .createTable('audit_events')
        .ifNotExists()
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('time', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('event_json', 'text', (c) => c.notNull())
        .execute();
      await sql`create trigger if not exists audit_events_no_update before update on audit_events begin select raise(abort, 'the audit trail is append-only'); end`.execute(db);
      await sql`create trigger if not exists audit_events_no_delete before delete on audit_events begin select raise(abort, 'the audit trail is append-only'); end`.execute(db);
    }
    return new SqliteAuditStore(db, sqlite);
  }

  async append(record: AuditRecord): Promise<void> {
    this.appendChained.immediate(record);
  }

  /** How many events were ever appended, removed ones included. */
  async appended(): Promise<number> {
    return this.appendedNow();
  }

  /** Every event after `after` (an id), oldest first. */
  async *scan(after?: string | null): AsyncIterable<AuditEvent> {
    let from = after ? Number(after) : 0;
    for (;;) {
      const rows = await this.db.selectFrom('audit_events').select(['seq', 'event_json']).where('seq', '>', from).orderBy('seq', 'asc').limit(500).execute();
      for (const row of rows) yield readEvent(String(row.seq), row.event_json);
      if (rows.length < 500) return;
      from = Number(rows.at(-1)!.seq);
    }
  }

  async list(q: AuditQuery): Promise<{ events: AuditEvent[]; hasNextPage: boolean }> {
    const events: AuditEvent[] = [];
    let before = q.after ? Number(q.after) : Number.MAX_SAFE_INTEGER;
    // Scan newest first in batches, filtering in code (provinces are a list inside the event).
    for (;;) {
      const rows = await this.db.selectFrom('audit_events').select(['seq', 'event_json']).where('seq', '<', before).orderBy('seq', 'desc').limit(500).execute();
      for (const row of rows) {
        const event = readEvent(String(row.seq), row.event_json);
        if (matches(event, q)) events.push(event);
        if (events.length > q.first) return { events: events.slice(0, q.first), hasNextPage: true };
      }
      if (rows.length < 500) return { events, hasNextPage: false };
      before = Number(rows.at(-1)!.seq);
    }
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
