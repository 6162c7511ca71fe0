import { Kysely, type LogEvent } from 'kysely';
import { createAdapter, redact, type DialectAdapter } from '../../../common/db/dialects.js';
import { resolveMapping, type LocalSchemaMapping, type ResolvedTable } from './mapping.js';
import { migrate } from './migrate.js';
import { mappingProblems, SERVICE_TABLES } from './verify.js';
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

/** The database is reachable but lacks tables or columns the mapping names (as opposed to unreachable). */
export class MappingMismatch extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

/** How a province database is opened. */
export interface OpenOptions {
  /**
   * Create the database (a SQLite file) and the standard tables and indexes when missing: a new
   * province's first start, the demo and the tests. Without it, a missing database, table or
   * column is refused at start-up with the mapping entry to fix, never created empty.
   */
  init?: boolean;
  /** Only check the database against the mapping and write nothing, not even Xietong's own tables (the contract checker). */
  checkOnly?: boolean;
  onIdleError?: (error: Error) => void;
}

/**
 * Opens a province database from a connection URL: `sqlite:PATH` (or `sqlite::memory:`, the
 * embedded default), `postgres://…` or `mysql://…` (MariaDB, MySQL). Xietong's own bookkeeping
 * tables are created when missing; the data tables only with `init` (otherwise checked).
 */
export async function openProvinceDatabase(url: string, mapping?: LocalSchemaMapping, options: OpenOptions = {}): Promise<ProvinceDatabase> {
  const tables = resolveMapping(mapping);
  let count = 0;
  const listeners: ((seconds: number, failed: boolean) => void)[] = [];
  const log = (event: LogEvent) => {
    if (event.level === 'query') count++;
    for (const listener of listeners) listener(event.queryDurationMillis / 1000, event.level === 'error');
    recordStatement(adapter.kind, event.query.sql, event.queryDurationMillis / 1000, event.level === 'error');
  };
  const adapter = createAdapter(url, { mustExist: !options.init, readOnly: options.checkOnly });
  adapter.onIdleError?.(options.onIdleError ?? (() => {}));
  const db = new Kysely<StandardDatabase>({ dialect: adapter.dialect, log });
  try {
    if (options.init) await migrate(db, adapter, tables);
    else {
      if (!options.checkOnly) await migrate(db, adapter, new Map(SERVICE_TABLES.map((t) => [t, tables.get(t)!])));
      const checked = options.checkOnly ? new Map([...tables].filter(([t]) => !SERVICE_TABLES.includes(t))) : tables;
      const problems = await mappingProblems(db, checked, mappedEntries(mapping));
      if (problems.length) throw new MappingMismatch(`the database does not hold what the mapping names:\n- ${problems.join('\n- ')}`, problems);
    }
  } catch (error) {
    await db.destroy();
    const message = `cannot use province database ${redact(url)}: ${(error as Error).message}`;
    throw error instanceof MappingMismatch ? new MappingMismatch(message, error.problems) : new Error(message);
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

/** The entries a mapping sets (`assets.table`, `assets.columns.name`), to name them in problems. */
function mappedEntries(mapping: LocalSchemaMapping = {}): Set<string> {
  const out = new Set<string>();
  for (const [table, m] of Object.entries(mapping)) {
    if (m?.table) out.add(`${table}.table`);
    for (const column of Object.keys(m?.columns ?? {})) out.add(`${table}.columns.${column}`);
  }
  return out;
}
