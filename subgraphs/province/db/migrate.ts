import type { Kysely } from 'kysely';
import { STANDARD_COLUMNS, STANDARD_INDEXES, type StandardDatabase, type StandardTable } from './schema.js';
import type { ResolvedTable } from './mapping.js';

/**
 * Creates a province's local tables (in its local names and units) and the indexes the
 * contract's filters and orders need. Idempotent: existing tables and indexes are kept.
 */
export async function migrate(db: Kysely<StandardDatabase>, tables: Map<StandardTable, ResolvedTable>): Promise<void> {
  const schema = (db as unknown as Kysely<Record<string, never>>).schema;
  for (const resolved of tables.values()) {
    const defs = STANDARD_COLUMNS[resolved.standard] as Record<string, { type: 'text' | 'integer' | 'real'; nullable?: boolean }>;
    const keyName = resolved.standard === 'idempotency_keys' ? 'key' : 'id';
    let main = schema.createTable(resolved.table).ifNotExists();
    let split = resolved.split ? schema.createTable(resolved.split.table).ifNotExists() : undefined;
    if (split && resolved.split) split = split.addColumn(resolved.split.key, 'text', (c) => c.primaryKey());
    for (const c of resolved.columns) {
      const def = defs[c.standard];
      // A scaled column holds fractions of the local unit, whatever the standard type.
      const type = c.scale !== 1 ? 'real' : def.type;
      const build = (col: import('kysely').ColumnDefinitionBuilder) => {
        let b = col;
        if (c.standard === keyName) b = b.primaryKey();
        if (!def.nullable) b = b.notNull();
        return b;
      };
      if (c.inSplit && split) split = split.addColumn(c.column, type, build);
      else main = main.addColumn(c.column, type, build);
    }
    await main.execute();
    if (split) await split.execute();
    for (const columns of STANDARD_INDEXES[resolved.standard] ?? []) {
      const local = columns.map((name) => resolved.byStandard.get(name)!);
      if (local.some((c) => c.inSplit)) continue;
      await schema
        .createIndex(`${resolved.table}_${local.map((c) => c.column).join('_')}_idx`)
        .ifNotExists()
        .on(resolved.table)
        .columns(local.map((c) => c.column))
        .execute();
    }
  }
}
