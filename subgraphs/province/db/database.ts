import { Kysely, type LogEvent } from 'kysely';
import { createAdapter, redact, type DialectAdapter } from '../../../common/db/dialects.js';
import { resolveMapping, type LocalSchemaMapping, type ResolvedTable } from './mapping.js';
import { migrate } from './migrate.js';
import { recordStatement } from '../../../common/tracing.js';
import type { StandardDatabase, StandardTable } from './schema.js';

/** An open province database with its resolved local mapping and a statement counter. */
export interface ProvinceDatabase {
  db: Kysely<StandardDatabase>;
  adapter: DialectAdapter;
  tables: Map<StandardTable, ResolvedTable>;
  /** The URL with any password hidden. */
  label: string;
  /** SQL statements executed so far (tests assert batching with it). */
  statements: () => number;
  /** Tells a listener each statement's duration (seconds) and whether it failed (metrics). */
  onStatement(listener: (seconds: number, failed: boolean) => void): void;
  /** The connection pool's use (none for SQLite). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/**
 * Opens a province database from a connection URL and migrates it: `sqlite:PATH` (or
 * `sqlite::memory:`, the embedded default), `postgres://…` or `mysql://…` (MariaDB, MySQL).
 * The database itself must exist; scripts/databases.ts creates demo and test databases.
 */
export async function openProvinceDatabase(url: string, mapping?: LocalSchemaMapping, options: { onIdleError?: (error: Error) => void } = {}): Promise<ProvinceDatabase> {
  const tables = resolveMapping(mapping);
  let count = 0;
  const listeners: ((seconds: number, failed: boolean) => void)[] = [];
  const log = (event: LogEvent) => {
    if (event.level === 'query') count++;
    for (const listener of listeners) listener(event.queryDurationMillis / 1000, event.level === 'error');
    recordStatement(adapter.kind, event.query.sql, event.queryDurationMillis / 1000, event.level === 'error');
  };
  const adapter = createAdapter(url);
  adapter.onIdleError?.(options.onIdleError ?? (() => {}));
  const db = new Kysely<StandardDatabase>({ dialect: adapter.dialect, log });
  try {
    await migrate(db, adapter, tables);
  } catch (error) {
    await db.destroy();
    throw new Error(`cannot prepare province database ${redact(url)}: ${(error as Error).message}`);
  }
  return {
    db,
    adapter,
    tables,
    label: redact(url),
    statements: () => count,
    onStatement: (listener) => void listeners.push(listener),
    poolStats: adapter.poolStats,
    close: () => db.destroy(),
  };
}
