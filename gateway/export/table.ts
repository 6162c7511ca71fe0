import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * What an export writes: the rows of one GraphQL operation as a table. The operation's first
 * root field is exported: a connection's nodes (`edges { node }` or `nodes`), a breakdown's `groups`, a
 * list's items, or one object as one row. The columns are the leaf fields the operation selects
 * for a row, as dotted response keys (`agency.name`), so every page has the same columns even
 * where a nested object is null. A column under a list holds the list's values joined by "; ".
 */

type Obj = Record<string, unknown>;

/** A cell as written: text, a number, a boolean, or empty. */
export type Cell = string | number | boolean | null;

/** How an operation's answer becomes a table. */
export interface TableShape {
  /** The response key of the root field exported. */
  field: string;
  /** Where the rows are under it: a connection's edges or nodes, a breakdown's groups, or the value itself. */
  rows: 'edges' | 'nodes' | 'groups' | 'value';
  /** The columns: each a path of response keys below a row. */
  columns: string[][];
  /** The root field's `after` argument, when it is a variable: how the export asks for the next page. */
  afterVariable?: string;
  /** The root field's `first` argument, when it is a variable. */
  firstVariable?: string;
  /** For a connection: whether the export can ask for every page (`after` takes a variable, `pageInfo { hasNextPage endCursor }` is selected). */
  pageable: boolean;
}

/** One page of an answer. */
export interface Page {
  rows: Cell[][];
  /** Whether a connection says more pages follow. */
  more: boolean;
  /** Where a connection's page ends (the next page's `after`). */
  endCursor?: string;
  /** A connection's `totalCount`, when the operation selects it. */
  totalCount?: number;
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of a selection set with fragments spread in (fields of one response key merged by the executor, so listed once). */
function fieldsOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): FieldNode[] {
  const seen = new Map<string, FieldNode>();
  const visit = (s: SelectionSetNode) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        const before = seen.get(key);
        // Two selections of one key merge their sub-selections.
        seen.set(
          key,
          before?.selectionSet && sel.selectionSet
            ? { ...sel, selectionSet: { ...sel.selectionSet, selections: [...before.selectionSet.selections, ...sel.selectionSet.selections] } }
            : sel,
        );
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else {
        const f = fragments.get(sel.name.value);
        if (f) visit(f.selectionSet);
      }
    }
  };
  visit(set);
  return [...seen.values()];
}

/** The leaf paths of a selection, in selection order. */
function leafPaths(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, prefix: string[] = []): string[][] {
  return fieldsOf(set, fragments).flatMap((f) => {
    const path = [...prefix, f.alias?.value ?? f.name.value];
    return f.selectionSet ? leafPaths(f.selectionSet, fragments, path) : [path];
  });
}

/** The name of the variable an argument takes, if it takes one. */
function variableOf(field: FieldNode, argument: string): string | undefined {
  const value = field.arguments?.find((a) => a.name.value === argument)?.value;
  return value?.kind === Kind.VARIABLE ? value.name.value : undefined;
}

/** The unaliased field names of a selection. */
const namesOf = (set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>) =>
  new Set(
    set
      ? fieldsOf(set, fragments)
          .filter((f) => !f.alias)
          .map((f) => f.name.value)
      : [],
  );

/** How an operation's answer is tabled; undefined when the document has no such operation or it selects nothing. */
export function tableShape(document: DocumentNode, operationName?: string): (TableShape & { operation: OperationDefinitionNode }) | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return undefined;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const root = fieldsOf(operation.selectionSet, fragments).find((f) => f.name.value !== '__typename');
  if (!root) return undefined;
  const field = root.alias?.value ?? root.name.value;
  const shape = { operation, field, afterVariable: variableOf(root, 'after'), firstVariable: variableOf(root, 'first') };
  if (!root.selectionSet) return { ...shape, rows: 'value', columns: [[]], pageable: false };
  const children = fieldsOf(root.selectionSet, fragments);
  const child = (name: string) => children.find((f) => f.name.value === name && !f.alias && f.selectionSet);
  const node = child('edges') && fieldsOf(child('edges')!.selectionSet!, fragments).find((f) => f.name.value === 'node' && !f.alias && f.selectionSet);
  const rows = node ?? child('nodes');
  if (rows) {
    // A connection pages by `pageInfo { hasNextPage endCursor }` (Relay) or by the same two fields on itself (the audit trail's).
    // The export reads them by name, so they must not be aliased.
    const info = child('pageInfo') ? namesOf(child('pageInfo')!.selectionSet, fragments) : namesOf(root.selectionSet, fragments);
    const pageable = shape.afterVariable !== undefined && info.has('hasNextPage') && info.has('endCursor');
    return { ...shape, rows: node ? 'edges' : 'nodes', columns: leafPaths(rows.selectionSet!, fragments), pageable };
  }
  const groups = child('groups');
  if (groups) return { ...shape, rows: 'groups', columns: leafPaths(groups.selectionSet!, fragments), pageable: false };
  return { ...shape, rows: 'value', columns: leafPaths(root.selectionSet, fragments), pageable: false };
}

/** A column's name: its path of response keys, dotted. */
export const columnName = (path: readonly string[], shape: Pick<TableShape, 'field'>): string => (path.length ? path.join('.') : shape.field);

/** The cell at a path below a row: empty under a null, a list's values joined by "; ". */
export function cellAt(value: unknown, path: readonly string[]): Cell {
  // Empty slots are kept, so the n-th value of two columns under one list belongs to one item.
  if (Array.isArray(value)) return value.map((v) => cellAt(v, path) ?? '').join('; ');
  if (path.length === 0) return isObject(value) ? JSON.stringify(value) : ((value ?? null) as Cell);
  return isObject(value) ? cellAt(value[path[0]], path.slice(1)) : null;
}

/** One answer's data as a page of the table. */
export function pageOf(shape: TableShape, data: Obj | null | undefined): Page {
  const value = data?.[shape.field];
  const table = (rows: unknown[]) => rows.map((row) => shape.columns.map((path) => cellAt(row, path)));
  if ((shape.rows === 'edges' || shape.rows === 'nodes') && isObject(value)) {
    const info = isObject(value.pageInfo) ? value.pageInfo : value;
    const items =
      shape.rows === 'edges' ? (Array.isArray(value.edges) ? value.edges.map((e) => (isObject(e) ? e.node : null)) : []) : Array.isArray(value.nodes) ? value.nodes : [];
    return {
      rows: table(items),
      more: info.hasNextPage === true,
      endCursor: typeof info.endCursor === 'string' ? info.endCursor : undefined,
      totalCount: typeof value.totalCount === 'number' ? value.totalCount : undefined,
    };
  }
  if (shape.rows === 'groups' && isObject(value)) return { rows: table(Array.isArray(value.groups) ? value.groups : []), more: false };
  if (value === null || value === undefined) return { rows: [], more: false };
  return { rows: table(Array.isArray(value) ? value : [value]), more: false };
}
