import { getNamedType, isObjectType, Kind, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { FAMILIES, INTERNAL_PREFIX, isSummary } from './fetch-document.js';
import { withheldFigures, type DisclosureCaller, type FigureFamily } from '../../common/disclosure.js';
import type { ShardRules } from './rules.js';

type Obj = Record<string, unknown>;

/**
 * Withholds, in place, the figures of every summary in a merged value (at any depth of the
 * selection: a root summary, a Region's or a Province's) that some province's part of them would
 * disclose, as breakdown groups are withheld (disclosure.ts): a summary field is null for the
 * caller when any province's family forming it is withheld, and `withheld` lists it with the
 * reason. Aliases and inline fragments are followed, so no spelling of a field escapes.
 */
export function discloseSummaries(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode | undefined, value: unknown, caller: DisclosureCaller): void {
  if (!selectionSet || !value || typeof value !== 'object') return;
  const { fields, reaches } = shapeOf(rules, type, selectionSet);
  if (!reaches) return;
  if (Array.isArray(value)) {
    for (const item of value) discloseSummaries(rules, type, selectionSet, item, caller);
    return;
  }
  const obj = value as Obj;
  if (isSummary(rules, type)) {
    const withheld = withheldFigures((obj[FAMILIES] as FigureFamily[] | undefined) ?? [], caller);
    // A ratio over a withheld part is withheld with it: merged over several provinces, it would
    // give the part back from the other provinces' figures.
    for (const name of Object.keys(type.getFields())) {
      const rule = rules.fieldMerge(type.name, name);
      const part = rule?.op === 'ratio' ? rule.of?.find((p) => withheld.has(p)) : undefined;
      if (part && !withheld.has(name)) withheld.set(name, withheld.get(part)!);
    }
    for (const f of fields) {
      if (withheld.has(f.name)) obj[f.key] = null;
      if (rules.fieldMerge(type.name, f.name)?.op === 'withheld') {
        obj[f.key] = [...withheld].sort(([a], [b]) => (a < b ? -1 : 1)).map(([field, reason]) => project({ field, reason, __typename: 'WithheldFigure' }, f.selectionSet));
      }
    }
    // The router's own copies of figures (a ratio's parts) are nulled with them.
    for (const name of withheld.keys()) if (`${INTERNAL_PREFIX}${name}` in obj) obj[`${INTERNAL_PREFIX}${name}`] = null;
    return;
  }
  for (const f of fields) {
    const def = type.getFields()[f.name];
    const child = def && getNamedType(def.type);
    if (isObjectType(child)) discloseSummaries(rules, child, f.selectionSet, obj[f.key], caller);
  }
}

/** A selection on a type: its fields (inline fragments followed), and whether any summary lies at or under it. */
interface Shape {
  fields: { key: string; name: string; selectionSet?: SelectionSetNode }[];
  reaches: boolean;
}

// Per selection (the router keeps each fetch's analysed document, so its nodes live as long) and
// type: answers repeat the same selection for every row, and most reach no summary at all.
const shapes = new WeakMap<SelectionSetNode, Map<string, Shape>>();

/** The shape of a selection on a type, worked out once. */
function shapeOf(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode): Shape {
  const byType = shapes.get(selectionSet) ?? new Map<string, Shape>();
  shapes.set(selectionSet, byType);
  const known = byType.get(type.name);
  if (known) return known;
  const fields: Shape['fields'] = [];
  const visit = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT && (!s.typeCondition || s.typeCondition.name.value === type.name)) visit(s.selectionSet);
      if (s.kind === Kind.FIELD) fields.push({ key: s.alias?.value ?? s.name.value, name: s.name.value, selectionSet: s.selectionSet });
    }
  };
  visit(selectionSet);
  const shape: Shape = { fields, reaches: isSummary(rules, type) };
  byType.set(type.name, shape);
  shape.reaches ||= fields.some((f) => {
    const child = type.getFields()[f.name] && getNamedType(type.getFields()[f.name].type);
    return isObjectType(child) && f.selectionSet !== undefined && shapeOf(rules, child, f.selectionSet).reaches;
  });
  return shape;
}

/** An object with the fields a selection asks for, under their response keys. */
function project(value: Obj, selectionSet: SelectionSetNode | undefined): Obj {
  const out: Obj = {};
  for (const s of selectionSet?.selections ?? []) if (s.kind === Kind.FIELD) out[s.alias?.value ?? s.name.value] = value[s.name.value] ?? null;
  return out;
}
