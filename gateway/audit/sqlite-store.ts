import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { matches, type AuditEvent, type AuditQuery, type AuditStore } from './event.js';

interface AuditDatabase {
  audit_events: { seq: number | undefined; time: string; event_json: string; subject: string | null; role: string };
}

/**
 * The embedded default audit store: an SQLite file. Triggers make the table append-only, so
 * not even a bug in this process can rewrite history.
 */
export class SqliteAuditStore implements AuditStore {
  private constructor(private readonly db: Kysely<AuditDatabase>) {}

  static async open(file: string): Promise<SqliteAuditStore> {
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
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
    return new SqliteAuditStore(db);
  }

  async append(event: Omit<AuditEvent, 'id'>): Promise<void> {
    await this.db.insertInto('audit_events').values({ seq: undefined, time: event.time, subject: event.subject, role: event.role, event_json: JSON.stringify(event) }).execute();
  }

  async list(q: AuditQuery): Promise<{ events: AuditEvent[]; hasNextPage: boolean }> {
    const events: AuditEvent[] = [];
    let before = q.after ? Number(q.after) : Number.MAX_SAFE_INTEGER;
    // Scan newest first in batches, filtering in code (provinces are a list inside the event).
    for (;;) {
      const rows = await this.db.selectFrom('audit_events').select(['seq', 'event_json']).where('seq', '<', before).orderBy('seq', 'desc').limit(500).execute();
      for (const row of rows) {
        const event = { ...(JSON.parse(row.event_json) as Omit<AuditEvent, 'id'>), id: String(row.seq) };
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
