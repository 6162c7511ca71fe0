import { getNamedType, isListType, isNonNullType, isObjectType, Kind, type GraphQLObjectType, type GraphQLOutputType, type SelectionSetNode } from 'graphql';
import { compareCursors, decodeCursor, type Cursor } from '../../common/cursor.js';
import { decimalOf, ratio, sumExact, times, unitsOf } from '../../common/exact.js';
import { INTERNAL_PREFIX } from './fetch-document.js';
import type { ShardRules } from './rules.js';
import { PARTS_BY_PROVINCE, keyFields } from './breakdown.js';

type Obj = Record<string, unknown>;

/**
 * Combines one field's values from several provinces into the value a single database
 * holding all of them would return, following the field's `@shardMerge` rule: connections
 * merge in order with exact pagination, sums add exactly, ratios divide the merged parts,
 * objects merge field by field, lists concatenate, other scalars are taken as equal.
 */
export function mergeValues(
  rules: ShardRules,
  parent: GraphQLObjectType,
  fieldName: string,
  type: GraphQLOutputType,
  selectionSet: SelectionSetNode | undefined,
  values: unknown[],
  first?: number,
): unknown {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0];
  const rule = rules.fieldMerge(parent.name, fieldName);
  switch (rule?.op) {
    case 'connection':
      return mergeConnection(rules, getNamedType(type) as GraphQLObjectType, selectionSet!, present as Obj[], first!);
    case 'sum':
    case 'product': // the sum unless mergeObject finds both parts
      return sumExact(present as number[], rule.precision ?? 0);
    case 'min': // numbers, or ISO times (which sort as text)
      return typeof present[0] === 'string' ? [...(present as string[])].sort()[0] : Math.min(...(present as number[]));
    case 'max':
      return typeof present[0] === 'string' ? [...(present as string[])].sort().at(-1) : Math.max(...(present as number[]));
    case 'ratio':
      return null; // computed by mergeObject once the parts are merged
    case 'union':
      return [...new Set((present as unknown[][]).flat())].sort();
    case 'groups':
      return mergeGroups(rules, getNamedType(type) as GraphQLObjectType, selectionSet!, present as Obj[][]);
  }
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) return present.flat();
  const named = getNamedType(type);
  if (isObjectType(named) && selectionSet) return mergeObject(rules, named, selectionSet, present as Obj[]);
  return present[0];
}

/** Merges objects of one type field by field, then fills ratio fields from merged parts. */
export function mergeObject(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, values: Obj[]): Obj {
  const out: Obj = {};
  const ratios: [string, [string, string]][] = [];
  const products: [string, [string, string], number][] = [];
  const visitSelections = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || s.typeCondition.name.value === type.name) visitSelections(s.selectionSet);
        continue;
      }
      if (s.kind !== Kind.FIELD) continue;
      const key = s.alias?.value ?? s.name.value;
      if (s.name.value === '__typename') {
        out[key] = values[0][key];
        continue;
      }
      const def = type.getFields()[s.name.value];
      const rule = rules.fieldMerge(type.name, s.name.value);
      if (rule?.op === 'ratio' && rule.of) ratios.push([key, rule.of]);
      if (rule?.op === 'product' && rule.of) products.push([key, rule.of, rule.precision ?? 0]);
      out[key] = mergeValues(
        rules,
        type,
        s.name.value,
        def.type,
        s.selectionSet,
        values.map((v) => v[key]),
      );
    }
  };
  visitSelections(selectionSet);
  const value = (name: string) => out[`${INTERNAL_PREFIX}${name}`] ?? out[name];
  // Products first: a ratio may divide one.
  for (const [key, [a, b], precision] of products) {
    const [x, y] = [value(a), value(b)];
    if (typeof x === 'number' && typeof y === 'number') out[key] = unitsOf(times(decimalOf(x), decimalOf(y)), precision) / 10 ** precision;
  }
  for (const [key, [num, den]] of ratios) {
    const part = (name: string) => Number(value(name) ?? 0);
    out[key] = ratio(part(num), part(den));
  }
  return out;
}

/**
 * Merges the groups of a breakdown from several provinces: groups with the same key (every
 * `key` field, which the router always fetches) become one, merged field by field.
 */
function mergeGroups(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, lists: Obj[][]): Obj[] {
  const keys = keyFields(rules, type);
  const byKey = new Map<string, Obj[]>();
  for (const group of lists.flat()) {
    const key = JSON.stringify(keys.map((k) => group[`${INTERNAL_PREFIX}${k}`] ?? null));
    byKey.set(key, [...(byKey.get(key) ?? []), group]);
  }
  return [...byKey.values()].map((same) => {
    if (same.length === 1) return same[0];
    const merged = mergeObject(rules, type, selectionSet, same);
    merged[PARTS_BY_PROVINCE] = Object.assign({}, ...same.map((g) => g[PARTS_BY_PROVINCE] ?? {}));
    return merged;
  });
}

/**
 * Merges connection pages. Every province answered `first` rows after the same keyset cursor, in
 * cursor order, so the global page is the first `first` of their union: a k-way merge of the
 * pages' heads, which decodes only the heads and the rows taken (a fan-out to 33 provinces decoded
 * 330 cursors for a page of 10). Ids are unique, so no two rows tie.
 * More rows follow when the union is longer or any province has more.
 */
function mergeConnection(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, pages: Obj[], first: number): Obj {
  interface Head {
    page: Obj;
    edges: { cursor: string }[];
    index: number;
    key: Cursor | undefined;
  }
  const keyAt = (edges: { cursor: string }[], index: number) => (index < edges.length ? decodeCursor(edges[index].cursor) : undefined);
  let union = 0;
  const heads: Head[] = pages.map((page) => {
    const edges = (page[`${INTERNAL_PREFIX}edges`] as { cursor: string }[] | undefined) ?? [];
    union += edges.length;
    return { page, edges, index: 0, key: keyAt(edges, 0) };
  });
  const kept: { cursor: string; page: Obj; index: number }[] = [];
  while (kept.length < first) {
    let best: Head | undefined;
    for (const head of heads) if (head.key && (!best || compareCursors(head.key, best.key!) < 0)) best = head;
    if (!best) break;
    kept.push({ cursor: best.edges[best.index].cursor, page: best.page, index: best.index });
    best.key = keyAt(best.edges, ++best.index);
  }
  const flags = pages.map(
    (p) => (p[`${INTERNAL_PREFIX}pageInfo`] as { hasNextPage: boolean; hasPreviousPage: boolean } | undefined) ?? { hasNextPage: false, hasPreviousPage: false },
  );
  const pageInfo = {
    hasNextPage: union > first || flags.some((f) => f.hasNextPage),
    hasPreviousPage: flags.some((f) => f.hasPreviousPage),
    startCursor: kept[0]?.cursor ?? null,
    endCursor: kept.at(-1)?.cursor ?? null,
  };
  const out: Obj = {};
  for (const s of selectionSet.selections) {
    if (s.kind !== Kind.FIELD) continue;
    const key = s.alias?.value ?? s.name.value;
    if (key.startsWith(INTERNAL_PREFIX)) continue;
    switch (s.name.value) {
      case 'edges':
        out[key] = kept.map((it) => (it.page[key] as unknown[])[it.index]);
        break;
      case 'pageInfo':
        out[key] = Object.fromEntries(
          (s.selectionSet?.selections ?? []).flatMap((p) =>
            p.kind === Kind.FIELD ? [[p.alias?.value ?? p.name.value, p.name.value === '__typename' ? 'PageInfo' : pageInfo[p.name.value as keyof typeof pageInfo]]] : [],
          ),
        );
        break;
      case '__typename':
        out[key] = type.name;
        break;
      default: {
        const def = type.getFields()[s.name.value];
        out[key] = mergeValues(
          rules,
          type,
          s.name.value,
          def.type,
          s.selectionSet,
          pages.map((p) => p[key]),
        );
      }
    }
  }
  return out;
}

/**
 * The value of a field no province was asked for (none in scope, or none the caller may read):
 * an empty page for a connection, null otherwise.
 */
export function emptyValue(rules: ShardRules, parent: GraphQLObjectType, fieldName: string, selectionSet: SelectionSetNode | undefined, hasCursor: boolean): unknown {
  if (rules.fieldMerge(parent.name, fieldName)?.op !== 'connection' || !selectionSet) return null;
  const pageInfo = { hasNextPage: false, hasPreviousPage: hasCursor, startCursor: null, endCursor: null, __typename: 'PageInfo' };
  const out: Obj = {};
  for (const s of selectionSet.selections) {
    if (s.kind !== Kind.FIELD) continue;
    const key = s.alias?.value ?? s.name.value;
    if (s.name.value === 'edges' || s.name.value === 'nodes') out[key] = [];
    else if (s.name.value === 'totalCount') out[key] = 0;
    else if (s.name.value === 'pageInfo') {
      out[key] = Object.fromEntries(
        (s.selectionSet?.selections ?? []).flatMap((p) =>
          p.kind === Kind.FIELD ? [[p.alias?.value ?? p.name.value, pageInfo[p.name.value as keyof typeof pageInfo] ?? null]] : [],
        ),
      );
    } else out[key] = null;
  }
  return out;
}
