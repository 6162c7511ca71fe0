import SQLite from 'better-sqlite3';
import { createPool } from 'mysql2';
import pg from 'pg';
import { MysqlDialect, PostgresDialect, sql, SqliteDialect, type Dialect, type Expression, type RawBuilder } from 'kysely';
/** Storage type of a standard column. */
export type ColumnType = 'text' | 'integer' | 'real';

/** The database products a province may run. */
export type DialectKind = 'sqlite' | 'postgres' | 'mysql';

/** What differs between database products, kept in one place. */
export interface DialectAdapter {
  kind: DialectKind;
  dialect: Dialect;
  /** Storage type of a standard column. */
  columnType(type: ColumnType): RawBuilder<unknown>;
  /** A column suffix giving text a byte-wise order, so SQL sorts ids as the gateway compares them. */
  textOrder?: RawBuilder<unknown>;
  /** Table options (MySQL: binary collation for the same reason). */
  tableOptions?: RawBuilder<unknown>;
  /** A local column converted to the standard unit, rounded to the standard digits. */
  scaled(column: Expression<unknown>, scale: number, digits: number): RawBuilder<unknown>;
  /** Called for errors on idle pooled connections, which would otherwise crash the process. */
  onIdleError?: (handler: (error: Error) => void) => void;
  /** The connection pool's use now (SQLite has one connection and no pool). */
  poolStats?: () => { total: number; idle: number; waiting: number };
}

/** The dialect named by a connection URL's scheme. */
export function dialectOf(url: string): DialectKind {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return 'mysql';
  throw new Error(`unsupported database URL "${redact(url)}": expected sqlite:PATH, postgres://… or mysql://…`);
}

/** A URL with its password hidden, for messages and logs. */
export function redact(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    // Not a URL at all: hide everything between the scheme and the last @ (the credentials, whatever they hold).
    return url.replace(/\/\/.*@/, '//***@');
  }
}

/** Opens a connection pool for a URL. */
export function createAdapter(
  url: string,
  options: {
    poolSize?: number;
    statementTimeoutMs?: number;
    acquireTimeoutMs?: number;
    /** A SQLite file must exist already (no new empty database for a mistyped path). */ mustExist?: boolean;
    /** Open a SQLite file read-only, changing nothing in it (not even its journal mode). */ readOnly?: boolean;
  } = {},
): DialectAdapter {
  const kind = dialectOf(url);
  if (kind === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    let db: SQLite.Database;
    try {
      db = new SQLite(path, { fileMustExist: (options.mustExist === true || options.readOnly === true) && path !== ':memory:', readonly: options.readOnly === true });
    } catch (error) {
      throw new Error(`cannot open SQLite database ${path}: ${(error as Error).message} (check the path; a new province creates its database with --init)`);
    }
    if (!options.readOnly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    return {
      kind,
      dialect: new SqliteDialect({ database: db }),
      columnType: (t) => sql.raw(t),
      scaled: (c, s, d) => sql`round(${c} * ${sql.lit(s)}, ${sql.lit(d)})`,
    };
  }
  if (kind === 'postgres') {
    // bigint and numeric arrive as strings by default; every value here fits a double exactly.
    const types = new pg.TypeOverrides();
    types.setTypeParser(20, Number);
    types.setTypeParser(1700, Number);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.acquireTimeoutMs ?? 3000,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      types,
    });
    return {
      kind,
      dialect: new PostgresDialect({ pool }),
      columnType: (t) => (t === 'text' ? sql`text` : t === 'integer' ? sql`bigint` : sql`double precision`),
      textOrder: sql`collate "C"`,
      scaled: (c, s, d) => sql`round(cast(${c} * ${sql.lit(s)} as numeric), ${sql.lit(d)})`,
      onIdleError: (handler) => pool.on('error', handler),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  const pool = createPool({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: options.poolSize ?? 10,
    connectTimeout: 3000,
    decimalNumbers: true,
    supportBigNumbers: true,
    charset: 'utf8mb4',
  });
  return {
    kind,
    dialect: new MysqlDialect({ pool }),
    columnType: (t) => (t === 'text' ? sql`varchar(255)` : t === 'integer' ? sql`bigint` : sql`double`),
    tableOptions: sql`character set utf8mb4 collate utf8mb4_bin`,
    scaled: (c, s, d) => sql`round(${c} * ${sql.lit(s)}, ${sql.lit(d)})`,
    onIdleError: (handler) => pool.on('error' as never, handler as never),
    poolStats: () => {
      // mysql2 keeps its pool's state in fields it does not type; read defensively.
      const p = pool as unknown as { _allConnections?: { length: number }; _freeConnections?: { length: number }; _connectionQueue?: { length: number } };
      return { total: p._allConnections?.length ?? 0, idle: p._freeConnections?.length ?? 0, waiting: p._connectionQueue?.length ?? 0 };
    },
  };
}
