import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type LogEvent } from 'kysely';
import { resolveMapping, type LocalSchemaMapping, type ResolvedTable } from './mapping.js';
import { migrate } from './migrate.js';
import type { StandardDatabase, StandardTable } from './schema.js';

/** An open province database with its resolved local mapping and a statement counter. */
export interface ProvinceDatabase {
  db: Kysely<StandardDatabase>;
  tables: Map<StandardTable, ResolvedTable>;
  /** SQL statements executed so far (tests assert batching with it). */
  statements: () => number;
  close(): Promise<void>;
}

/**
 * Opens a province database from a connection URL and migrates it. `sqlite:PATH` (or
 * `sqlite::memory:`) is the embedded default; server dialects arrive with the databases issue.
 */
export async function openProvinceDatabase(url: string, mapping?: LocalSchemaMapping): Promise<ProvinceDatabase> {
  const tables = resolveMapping(mapping);
  let count = 0;
  const log = (event: LogEvent) => {
    if (event.level === 'query') count++;
  };
  if (!url.startsWith('sqlite:')) throw new Error(`unsupported database URL "${url}": expected sqlite:PATH`);
  const file = url.slice('sqlite:'.length);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<StandardDatabase>({ dialect: new SqliteDialect({ database: sqlite }), log });
  await migrate(db, tables);
  return { db, tables, statements: () => count, close: () => db.destroy() };
}
