import { sql, type Kysely, type AliasedSelectQueryBuilder, type Expression } from 'kysely';
import type { DialectAdapter } from '../../../common/db/dialects.js';
import { STANDARD_COLUMNS, type StandardDatabase, type StandardTable } from './schema.js';

/**
 * How a province's local tables map to the standard shape. Provinces keep their own table
 * names, column names and units; the config says, per standard table:
 * - `table`: the local table name;
 * - `columns`: local column names, optionally with a `scale` (standard value = local x scale,
 *   e.g. 10000 for electricity kept in 万kWh);
 * - `split`: standard columns kept in a side table keyed by the row id (e.g. building areas).
 * Anything not mentioned keeps its standard name and unit.
 */
export interface ColumnMapping {
  column: string;
  scale?: number;
}
/** Mapping of one standard table. */
export interface TableMapping {
  table?: string;
  columns?: Record<string, string | ColumnMapping>;
  split?: { table: string; key: string; columns: string[] };
}
/** Mapping of a whole province database. */
export type LocalSchemaMapping = Partial<Record<StandardTable, TableMapping>>;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A resolved standard column: where it lives locally and how to convert it. */
export interface LocalColumn {
  standard: string;
  column: string;
  scale: number;
  inSplit: boolean;
}

/** The mapping of one table, resolved and validated. */
export interface ResolvedTable {
  standard: StandardTable;
  table: string;
  split?: { table: string; key: string };
  columns: LocalColumn[];
  byStandard: Map<string, LocalColumn>;
}

/** Resolves and validates a province's mapping; throws with every problem found. */
export function resolveMapping(mapping: LocalSchemaMapping = {}): Map<StandardTable, ResolvedTable> {
  const problems: string[] = [];
  const out = new Map<StandardTable, ResolvedTable>();
  for (const unknownTable of Object.keys(mapping).filter((t) => !(t in STANDARD_COLUMNS))) {
    problems.push(`unknown standard table "${unknownTable}"`);
  }
  for (const standard of Object.keys(STANDARD_COLUMNS) as StandardTable[]) {
    const m = mapping[standard] ?? {};
    const table = m.table ?? standard;
    if (!IDENTIFIER.test(table)) problems.push(`${standard}: local table name "${table}" is not a plain identifier`);
    const splitColumns = new Set(m.split?.columns ?? []);
    for (const name of Object.keys(m.columns ?? {})) {
      if (!(name in STANDARD_COLUMNS[standard])) problems.push(`${standard}: unknown standard column "${name}"`);
    }
    const columns = Object.keys(STANDARD_COLUMNS[standard]).map((name): LocalColumn => {
      const raw = m.columns?.[name];
      const spec = typeof raw === 'string' ? { column: raw } : (raw ?? { column: name });
      if (!IDENTIFIER.test(spec.column)) problems.push(`${standard}.${name}: local column "${spec.column}" is not a plain identifier`);
      const scale = spec.scale ?? 1;
      if (!(scale > 0) || !Number.isFinite(scale)) problems.push(`${standard}.${name}: scale must be a positive number`);
      return { standard: name, column: spec.column, scale, inSplit: splitColumns.has(name) };
    });
    if (m.split) {
      if (!IDENTIFIER.test(m.split.table) || !IDENTIFIER.test(m.split.key)) problems.push(`${standard}: split table and key must be plain identifiers`);
      for (const c of splitColumns) if (!(c in STANDARD_COLUMNS[standard]) || c === 'id') problems.push(`${standard}: split column "${c}" is not a standard non-key column`);
    }
    out.set(standard, {
      standard,
      table,
      split: m.split ? { table: m.split.table, key: m.split.key } : undefined,
      columns,
      byStandard: new Map(columns.map((c) => [c.standard, c])),
    });
  }
  if (problems.length) throw new Error(`invalid local schema mapping:\n- ${problems.join('\n- ')}`);
  return out;
}

/**
 * A derived table presenting a local table in the standard shape, aliased `t` by default. Queries select
 * from it with full typing; SQL engines flatten such derived tables, so indexes on unscaled
 * columns keep serving filters and orders.
 */
export function standardSource<T extends StandardTable, A extends string = 't'>(
  db: Kysely<StandardDatabase>,
  adapter: DialectAdapter,
  resolved: ResolvedTable,
  alias: A = 't' as A,
): AliasedSelectQueryBuilder<StandardDatabase[T], A> {
  const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  let query = raw.selectFrom(`${resolved.table} as m`);
  if (resolved.split) {
    query = query.leftJoin(`${resolved.split.table} as s`, `s.${resolved.split.key}`, 'm.' + resolved.byStandard.get('id')!.column);
  }
  const selections = resolved.columns.map((c) => {
    const ref = sql.ref(`${c.inSplit ? 's' : 'm'}.${c.column}`);
    const def = (STANDARD_COLUMNS[resolved.standard] as Record<string, { digits?: number }>)[c.standard];
    const expr: Expression<unknown> = c.scale === 1 ? ref : adapter.scaled(ref, c.scale, def.digits ?? 0);
    return sql`${expr}`.as(c.standard);
  });
  return query.select(selections).as(alias) as unknown as AliasedSelectQueryBuilder<StandardDatabase[T], A>;
}

/** Splits a standard row into local main-table and side-table rows, converting units. */
export function toLocalRows(resolved: ResolvedTable, row: Record<string, unknown>): { main: Record<string, unknown>; split?: Record<string, unknown> } {
  const main: Record<string, unknown> = {};
  const split: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    const c = resolved.byStandard.get(name);
    if (!c) throw new Error(`no standard column ${resolved.standard}.${name}`);
    const local = c.scale === 1 || typeof value !== 'number' ? value : value / c.scale;
    (c.inSplit ? split : main)[c.column] = local;
  }
  if (!resolved.split) return { main };
  if ('id' in row) split[resolved.split.key] = row.id;
  return { main, split: Object.keys(split).length ? split : undefined };
}
