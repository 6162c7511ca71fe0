import type { ExpressionBuilder } from 'kysely';
import type { RegionMembership } from '../../common/regions/membership.js';
import type { Principal } from '../../common/auth/principal.js';
import { decodeCursor, encodeCursor } from '../../common/cursor.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { STANDARD_COLUMNS, type ColumnDef, type ColumnType, type StandardDatabase } from './db/schema.js';
import { ORDERS, type Condition, type ListTable, type Repository } from './repository.js';
import { visibleCondition } from './row-scope.js';
import { scopeProvinces, type ScopeArgs } from './scope.js';

/** One page of rows with what a connection needs. */
export interface Page<Row> {
  edges: { cursor: string; node: Row }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
}

/** A list filter as the contract's inputs carry it: scope plus the list's own fields. */
export type ListFilter = Record<string, unknown> & ScopeArgs;

/** A value bound in yuan as whole fen (values are stored in fen); BAD_USER_INPUT unless a finite, non-negative amount. */
function fenBound(yuan: number, argumentName: string): number {
  if (!Number.isFinite(yuan) || yuan < 0 || yuan > 1e13) throw userError(ErrorCode.BAD_USER_INPUT, `${argumentName} must be an amount of yuan from 0 to 10^13.`, { argumentName });
  return Math.round(yuan * 100);
}

const when = <V>(value: V | null | undefined, condition: (v: V) => Condition): Condition[] => (value === null || value === undefined ? [] : [condition(value)]);

/** The filters each list offers, as SQL conditions on the standard row `t`. */
export const LIST_FILTERS: Record<ListTable, (f: ListFilter) => Condition[]> = {
  agencies: (f) => when(f.level as string, (v) => (eb) => eb('t.level', '=', v)),
  buildings: (f) => [
    ...when(f.agencyId as string, (v) => (eb) => eb('t.agency_id', '=', v)),
    ...when(f.exceedsStandard as boolean, (v) => (eb) => eb('t.exceeds_standard', '=', v ? 1 : 0)),
  ],
  assets: (f) => [
    ...when(f.agencyId as string, (v) => (eb) => eb('t.agency_id', '=', v)),
    ...when(f.status as string, (v) => (eb) => eb('t.status', '=', v)),
    ...when(f.offeredToPool as boolean, (v) => (eb) => eb('t.offered_to_pool', '=', v ? 1 : 0)),
    ...when(f.categoryPrefix as string, (v) => (eb) => eb('t.category_code', 'like', `${v.replace(/[^A-Z0-9]/g, '')}%`)),
    ...when(f.minOriginalValue as number, (v) => {
      const fen = fenBound(v, 'minOriginalValue');
      return (eb) => eb('t.original_value_fen', '>=', fen);
    }),
    ...when(f.maxOriginalValue as number, (v) => {
      const fen = fenBound(v, 'maxOriginalValue');
      return (eb) => eb('t.original_value_fen', '<=', fen);
    }),
  ],
  vehicles: (f) => [
    ...when(f.agencyId as string, (v) => (eb) => eb('t.agency_id', '=', v)),
    ...when(f.category as string, (v) => (eb) => eb('t.category', '=', v)),
    ...when(f.status as string, (v) => (eb) => eb('t.status', '=', v)),
    ...when(f.newEnergy as boolean, (v) => (eb) => eb('t.energy_type', v ? 'in' : 'not in', ['BATTERY_ELECTRIC', 'PLUG_IN_HYBRID'])),
  ],
  energy_reports: (f) => [...when(f.agencyId as string, (v) => (eb) => eb('t.agency_id', '=', v)), ...when(f.year as number, (v) => (eb) => eb('t.year', '=', v))],
  operating_costs: (f) => [...when(f.agencyId as string, (v) => (eb) => eb('t.agency_id', '=', v)), ...when(f.year as number, (v) => (eb) => eb('t.year', '=', v))],
};

/**
 * The rows of one instance as one caller may see them: the single visibility rule of the
 * province subgraph. Every read a resolver can make (lists, lookups, entities, relations at
 * any depth, mutation results) is a method here and carries the caller's row condition in its
 * SQL, so no path can load a row outside the caller's scope. One per request (and per
 * transaction); it holds no rows itself.
 */
export class VisibleRows {
  constructor(
    private readonly repo: Repository,
    private readonly principal: Principal,
    private readonly served: readonly string[],
    private readonly regions: RegionMembership,
  ) {}

  /** The same caller's view through another repository (a transaction's). */
  through(repo: Repository): VisibleRows {
    return new VisibleRows(repo, this.principal, this.served, this.regions);
  }

  /** The SQL conditions of a list: the filter's provinces, the caller's rows there, the filter's own fields. */
  listConditions(table: ListTable, filter?: ListFilter | null): Condition[] {
    const rows = visibleCondition(this.principal, scopeProvinces(this.served, filter, this.regions), table);
    return filter ? [rows, ...LIST_FILTERS[table](filter)] : [rows];
  }

  /**
   * The SQL of a keyset page: rows after the cursor in the named order, `first + 1` of them so
   * the caller learns whether more follow. Ties break on id in the order's direction, so the
   * order is total. Exposed so tests can check its plan on every dialect.
   */
  pageQuery<T extends ListTable>(table: T, filter: ListFilter | null | undefined, orderName: string, first: number, after?: string | null) {
    const [column, direction] = orderOf(table, orderName);
    let q = this.select(table, this.listConditions(table, filter));
    if (after) {
      const cursor = decodeCursor(after);
      if (cursor.order !== orderName) throw userError(ErrorCode.BAD_CURSOR, `The cursor belongs to order ${cursor.order}, not ${orderName}.`);
      // A value of another type than the order's column would reach the database as a type error.
      if (!fitsColumn(cursor.value, (STANDARD_COLUMNS[table] as Record<string, ColumnDef>)[column].type))
        throw userError(ErrorCode.BAD_CURSOR, 'The `after` cursor does not belong to this list.');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      q = q.where((eb: ExpressionBuilder<any, 't'>) => eb(eb.refTuple(`t.${column}`, 't.id'), direction === 'ASC' ? '>' : '<', eb.tuple(cursor.value, cursor.id)));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (q as any)
      .orderBy(`t.${column}`, direction.toLowerCase())
      .orderBy('t.id', direction.toLowerCase())
      .limit(first + 1) as typeof q;
  }

  /** One page of a list, with the cursors and page flags a connection needs; totalCount runs only when asked for. */
  async page<T extends ListTable>(table: T, filter: ListFilter | null | undefined, orderName: string, first: number, after?: string | null): Promise<Page<StandardDatabase[T]>> {
    const [column, direction] = orderOf(table, orderName);
    const rows = (await this.pageQuery(table, filter, orderName, first, after).execute()) as StandardDatabase[T][];
    const edges = rows.slice(0, first).map((node) => ({
      cursor: encodeCursor({ order: orderName, direction, value: (node as unknown as Record<string, string | number>)[column], id: (node as { id: string }).id }),
      node,
    }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      totalCount: async () => {
        const row = await this.select(table, this.listConditions(table, filter))
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number((row as { n: number }).n);
      },
    };
  }

  /** The visible rows among some ids, in no particular order (loaders reorder them). */
  byIds<T extends ListTable>(table: T, ids: readonly string[]): Promise<StandardDatabase[T][]> {
    return this.byColumn(table, 'id', ids);
  }

  /** The visible rows whose `column` is one of `values`, by id. */
  async byColumn<T extends ListTable>(table: T, column: string, values: readonly string[]): Promise<StandardDatabase[T][]> {
    if (values.length === 0) return [];
    const q = this.select(table, [visibleCondition(this.principal, this.served, table)]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (await (q as any).where(`t.${column}`, 'in', values).orderBy('t.id').execute()) as StandardDatabase[T][];
  }

  private select<T extends ListTable>(table: T, conditions: Condition[]) {
    let q = this.repo.db.selectFrom(this.repo.source(table)).selectAll();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const c of conditions) q = q.where(c as any);
    return q;
  }
}

/** Whether a cursor value can stand for a value of a column of this storage type. */
function fitsColumn(value: string | number, type: ColumnType): boolean {
  if (type === 'text') return typeof value === 'string';
  return type === 'integer' ? Number.isSafeInteger(value) : typeof value === 'number';
}

/** The order a list offers under a name, or a BAD_USER_INPUT error. */
function orderOf(table: ListTable, orderName: string): readonly [string, 'ASC' | 'DESC'] {
  const order = (ORDERS[table] as Record<string, readonly [string, 'ASC' | 'DESC']>)[orderName];
  if (!order || !Object.hasOwn(ORDERS[table], orderName)) throw userError(ErrorCode.BAD_USER_INPUT, `Unknown order ${orderName}.`);
  return order;
}
