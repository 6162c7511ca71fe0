import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectAdapter } from '../../../common/db/dialects.js';
import type { ResolvedTable } from './mapping.js';
import { STANDARD_COLUMNS, STANDARD_INDEXES, STANDARD_UNIQUE, type StandardDatabase, type StandardTable } from './schema.js';

/**
 * Creates a province's local tables (in its local names and units) and the indexes the
 * contract's filters and orders need, in the province's SQL dialect. Idempotent: existing
 * tables and indexes are kept.
 */
export async function migrate(db: Kysely<StandardDatabase>, adapter: DialectAdapter, tables: Map<StandardTable, ResolvedTable>): Promise<void> {
  const schema = (db as unknown as Kysely<Record<string, never>>).schema;
  for (const resolved of tables.values()) {
    const defs = STANDARD_COLUMNS[resolved.standard] as Record<string, { type: 'text' | 'integer' | 'real'; nullable?: boolean }>;
    const keyName = resolved.standard === 'idempotency_keys' ? 'key' : 'id';
    const create = (name: string) => {
      const t = schema.createTable(name).ifNotExists();
      return adapter.tableOptions ? t.modifyEnd(adapter.tableOptions) : t;
    };
    let main = create(resolved.table);
    let split = resolved.split ? create(resolved.split.table) : undefined;
    const textColumn = (b: ColumnDefinitionBuilder) => (adapter.textOrder ? b.modifyFront(adapter.textOrder) : b);
    if (split && resolved.split) split = split.addColumn(resolved.split.key, adapter.columnType('text'), (c) => textColumn(c).primaryKey());
    for (const c of resolved.columns) {
      const def = defs[c.standard];
      // A scaled column holds fractions of the local unit, whatever the standard type.
      const type = c.scale !== 1 ? 'real' : def.type;
      const build = (col: ColumnDefinitionBuilder) => {
        let b = type === 'text' ? textColumn(col) : col;
        if (c.standard === keyName) b = b.primaryKey();
        if (!def.nullable) b = b.notNull();
        return b;
      };
      if (c.inSplit && split) split = split.addColumn(c.column, adapter.columnType(type), build);
      else main = main.addColumn(c.column, adapter.columnType(type), build);
    }
    await main.execute();
    if (split) await split.execute();
    const indexes = [
      ...(STANDARD_INDEXES[resolved.standard] ?? []).map((columns) => ({ columns, unique: false })),
      ...(STANDARD_UNIQUE[resolved.standard] ?? []).map((columns) => ({ columns, unique: true })),
    ];
    for (const { columns, unique } of indexes) {
      const local = columns.map((name) => resolved.byStandard.get(name)!);
      if (local.some((c) => c.inSplit)) continue;
      const index = schema
        .createIndex(`${resolved.table}_${local.map((c) => c.column).join('_')}_${unique ? 'key' : 'idx'}`)
        .ifNotExists()
        .on(resolved.table)
        .columns(local.map((c) => c.column));
      await (unique ? index.unique() : index).execute();
    }
  }
}
