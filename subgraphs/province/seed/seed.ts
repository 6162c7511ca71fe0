import type { Kysely } from 'kysely';
import type { ProvinceDatabase } from '../db/database.js';
import { toLocalRows } from '../db/mapping.js';
import type { StandardDatabase, StandardTable } from '../db/schema.js';
import type { ProvinceData } from './generator.js';

const BATCH = 500;

/**
 * Writes generated rows into a province database through its local mapping, in batched
 * multi-row inserts inside one transaction. Reports progress per table.
 */
export async function seedProvince(pdb: ProvinceDatabase, data: ProvinceData, onProgress?: (table: string, rows: number) => void): Promise<void> {
  await pdb.db.transaction().execute(async (trx) => {
    const raw = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const [table, rows] of Object.entries(data) as [StandardTable, Record<string, unknown>[]][]) {
      const resolved = pdb.tables.get(table)!;
      for (let i = 0; i < rows.length; i += BATCH) {
        const local = rows.slice(i, i + BATCH).map((r) => toLocalRows(resolved, r));
        await raw
          .insertInto(resolved.table)
          .values(local.map((l) => l.main))
          .execute();
        const split = local.flatMap((l) => (l.split ? [l.split] : []));
        if (resolved.split && split.length) await raw.insertInto(resolved.split.table).values(split).execute();
      }
      onProgress?.(table, rows.length);
    }
  });
}

/** Whether a province database already holds data (seeding happens once). */
export async function isSeeded(pdb: ProvinceDatabase): Promise<boolean> {
  const raw = pdb.db as unknown as Kysely<StandardDatabase>;
  const table = pdb.tables.get('agencies')!.table;
  const row = await (raw as unknown as Kysely<Record<string, Record<string, unknown>>>)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n) > 0;
}
