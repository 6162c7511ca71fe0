import { getNamedType, isObjectType, Kind, type FieldNode, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import type { ShardRules } from './rules.js';

type Obj = Record<string, unknown>;

/** A province a figure is missing, and why: it has not joined (a region's member), or it did not answer. */
export interface MissingFigure {
  code: string;
  reason: 'NOT_REGISTERED' | 'UNAVAILABLE';
  region: string | null;
}

/** An object with the fields a selection asks for, under their response keys. */
function project(value: Obj, selectionSet: SelectionSetNode | undefined, typename: string): Obj {
  if (!selectionSet) return value;
  const out: Obj = {};
  for (const s of selectionSet.selections) {
    if (s.kind !== Kind.FIELD) continue;
    out[s.alias?.value ?? s.name.value] = s.name.value === '__typename' ? typename : (value[s.name.value] ?? null);
  }
  return out;
}

/**
 * Fills the fields of a merged aggregate that only the router can know (`@shardMerge(op:
 * "complete")` and `op: "missing"`, in its `coverage`): whether every province in scope answered
 * and every member of its region has joined, and which provinces' figures are missing and why.
 * The figures themselves are the sum of the provinces that answered.
 */
export function fillCompleteness(rules: ShardRules, parent: GraphQLObjectType, node: FieldNode, value: unknown, missing: readonly MissingFigure[]): unknown {
  const def = parent.getFields()[node.name.value];
  const type = def && getNamedType(def.type);
  if (value && typeof value === 'object' && !Array.isArray(value) && isObjectType(type) && node.selectionSet) fill(rules, type, node.selectionSet, value as Obj, missing);
  return value;
}

function fill(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, value: Obj, missing: readonly MissingFigure[]): void {
  for (const s of selectionSet.selections) {
    if (s.kind !== Kind.FIELD) continue;
    const op = rules.fieldMerge(type.name, s.name.value)?.op;
    const key = s.alias?.value ?? s.name.value;
    const field = type.getFields()[s.name.value];
    if (op === 'complete') value[key] = missing.length === 0;
    else if (op === 'missing') value[key] = missing.map((m) => project(m as unknown as Obj, s.selectionSet, getNamedType(field.type).name));
    else if (field && s.selectionSet && isObjectType(getNamedType(field.type)) && value[key] && typeof value[key] === 'object' && !Array.isArray(value[key])) {
      fill(rules, getNamedType(field.type) as GraphQLObjectType, s.selectionSet, value[key] as Obj, missing);
    }
  }
}
