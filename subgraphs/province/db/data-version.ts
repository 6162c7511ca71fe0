import { sql } from 'kysely';
import type { ProvinceDatabase } from './database.js';

/**
 * An opaque marker that changes whenever the province's tables change, by whatever writer: the
 * gateway polls it to invalidate cached answers after writes made directly to the database.
 * `settling` says a further change could still hide behind the same marker (a clock of
 * one-second resolution), so the reader should treat the next reading as changed too.
 */
export interface DataVersion {
  marker: string;
  settling: boolean;
}

/**
 * Reads the data version with what each product offers without triggers or schema changes:
 * SQLite's data_version (commits by other connections) plus this connection's total_changes();
 * PostgreSQL's per-table row-change statistics (a writer publishes them at most once a second,
 * else once idle for 10 s: usually visible within a second, at worst about 11 s);
 * MySQL/MariaDB's table update_time (one-second resolution, hence `settling`).
 */
export async function readDataVersion(pdb: ProvinceDatabase): Promise<DataVersion> {
  const tables = [...new Set([...pdb.tables.values()].flatMap((t) => (t.split ? [t.table, t.split.table] : [t.table])))];
  switch (pdb.adapter.kind) {
    case 'sqlite': {
      const { rows } = await sql<{ other: number; own: number }>`select (select data_version from pragma_data_version) as other, total_changes() as own`.execute(pdb.db);
      return { marker: `${rows[0].other}.${rows[0].own}`, settling: false };
    }
    case 'postgres': {
      const { rows } = await sql<{ changes: number | string | null }>`
        select sum(n_tup_ins + n_tup_upd + n_tup_del) as changes from pg_stat_user_tables
        where schemaname = current_schema() and relname in (${sql.join(tables)})`.execute(pdb.db);
      return { marker: String(rows[0]?.changes ?? 0), settling: false };
    }
    case 'mysql': {
      const { rows } = await sql<{ updated: Date | string | null; settling: number }>`
        select max(update_time) as updated, coalesce(max(update_time) >= now() - interval 1 second, 0) as settling
        from information_schema.tables where table_schema = database() and table_name in (${sql.join(tables)})`.execute(pdb.db);
      const updated = rows[0]?.updated;
      return { marker: updated instanceof Date ? updated.toISOString() : String(updated ?? 'never'), settling: Number(rows[0]?.settling ?? 0) === 1 };
    }
  }
}
