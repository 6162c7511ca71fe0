import type { Kysely } from 'kysely';
import { Repository } from '../repository.js';
import type { ProvinceDatabase } from './database.js';
import { unitProblems } from './unit-probe.js';
import type { ResolvedTable } from './mapping.js';
import type { StandardDatabase, StandardTable } from './schema.js';

/** The tables that hold Xietong's own bookkeeping at a province (not province data): created when missing, always. */
export const SERVICE_TABLES: readonly StandardTable[] = ['idempotency_keys', 'asset_transfers'];

/**
 * What the database lacks that the mapping names: every missing table and column, each with
 * the mapping entry that names it (or the entry to add), so a provincial team knows what to
 * fix. Empty when the database serves the mapping. Reads the catalogue only.
 */
export async function mappingProblems(db: Kysely<StandardDatabase>, tables: Map<StandardTable, ResolvedTable>, mapped: ReadonlySet<string>): Promise<string[]> {
  const catalogue = await db.introspection.getTables();
  const columnsOf = new Map<string, Set<string>>();
  for (const t of catalogue) columnsOf.set(t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase())));
  const problems: string[] = [];
  for (const resolved of tables.values()) {
    const s = resolved.standard;
    const main = columnsOf.get(resolved.table.toLowerCase());
    if (!main) {
      problems.push(
        mapped.has(`${s}.table`)
          ? `mapping.${s}.table: the local table "${resolved.table}" does not exist`
          : `${s}: there is no table "${resolved.table}"; name your table in mapping.${s}.table (--init would create an empty standard one, for a new province only)`,
      );
      continue;
    }
    const split = resolved.split ? columnsOf.get(resolved.split.table.toLowerCase()) : undefined;
    if (resolved.split && !split) problems.push(`mapping.${s}.split.table: the side table "${resolved.split.table}" does not exist`);
    else if (resolved.split && !split!.has(resolved.split.key.toLowerCase()))
      problems.push(`mapping.${s}.split.key: the side table "${resolved.split.table}" has no column "${resolved.split.key}"`);
    for (const c of resolved.columns) {
      const where = c.inSplit ? split : main;
      if (!where || where.has(c.column.toLowerCase())) continue;
      const table = c.inSplit ? resolved.split!.table : resolved.table;
      problems.push(
        mapped.has(`${s}.columns.${c.standard}`)
          ? `mapping.${s}.columns.${c.standard}: the local column "${c.column}" does not exist in table "${table}"`
          : `${s}.${c.standard}: table "${table}" has no column "${c.column}"; name yours in mapping.${s}.columns.${c.standard}`,
      );
    }
  }
  return problems;
}

/**
 * Whether the data held is the configured provinces' data: when the database holds agencies, their
 * province codes must be exactly the configured ones. A wrong or extra code would otherwise serve
 * zeros for a province, counted as if it had answered.
 */
export async function heldProvinceProblem(db: Kysely<StandardDatabase>, agencies: ResolvedTable, configured: readonly string[]): Promise<string | undefined> {
  const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const column = agencies.byStandard.get('province')!;
  const rows = await raw
    .selectFrom(agencies.table)
    .select(`${column.column} as province` as 'province')
    .distinct()
    .limit(50)
    .execute();
  const held = rows.map((r) => String(r.province));
  if (held.length === 0) return undefined;
  const foreign = held.filter((p) => !configured.includes(p));
  if (foreign.length) {
    return `the database holds agencies of ${foreign.join(', ')}, which this instance is not configured for (provinces: ${configured.join(', ')}); check the province code or the database URL`;
  }
  // A configured province with no agency at all would be served as zeros (and counted as answering).
  const absent = configured.filter((p) => !held.includes(p));
  if (absent.length) return `the database holds no agency of ${absent.join(', ')}, which this instance is configured for; configure only the provinces whose data it holds`;
  return undefined;
}

/**
 * What would make an instance serve wrong figures without an error: data of other provinces
 * than the configured ones, or values off by a unit. The instance refuses to start on any of
 * them; check-province --config reports them.
 */
export async function servedDataProblems(pdb: ProvinceDatabase, configured: readonly string[]): Promise<string[]> {
  const held = await heldProvinceProblem(pdb.db, pdb.tables.get('agencies')!, configured);
  return [...(held ? [held] : []), ...(await unitProblems(new Repository(pdb)))];
}
