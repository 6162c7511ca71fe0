import {
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  print,
  visit,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ShardRules } from './rules.js';

/** Prefix of the fields the router adds to a fetch for its own merging; stripped from answers. */
export const INTERNAL_PREFIX = '__xt_';

/** Where the router keeps a summary's families: which agencies form each figure, per province (summary-disclosure.ts). */
export const FAMILIES = `${INTERNAL_PREFIX}families`;
const FAMILY_FIELDS = ['province', 'fields', 'agencyCount', 'line', 'published'];

/** Whether a type is a summary: it has a field the router fills with the figures it withheld. */
export function isSummary(rules: ShardRules, type: GraphQLObjectType): boolean {
  return Object.keys(type.getFields()).some((f) => rules.fieldMerge(type.name, f)?.op === 'withheld');
}

/** A root field of a fetch. */
export interface RootField {
  responseKey: string;
  node: FieldNode;
}

/** A fetch document analysed once: fragments inlined, merge helpers added, root fields listed. */
export interface AnalysedFetch {
  operation: OperationDefinitionNode;
  rootType: GraphQLObjectType;
  rootFields: RootField[];
  /** The augmented document for all root fields. */
  text: string;
}

/**
 * Analyses a subgraph fetch document. The planner may use fragments, aliases, inline literals
 * or variables, so routing and merging work from this parsed form, not from the text.
 */
export function analyseFetch(query: string, rules: ShardRules): AnalysedFetch {
  const document = parse(query);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('fetch has no operation');
  const rootType = operation.operation === 'mutation' ? rules.schema.getMutationType() : rules.schema.getQueryType();
  if (!rootType) throw new Error(`supergraph has no ${operation.operation} type`);
  const augmented: OperationDefinitionNode = { ...operation, selectionSet: augment(inline(operation.selectionSet, fragments), rootType, rules) };
  const rootFields = augmented.selectionSet.selections
    .filter((s): s is FieldNode => s.kind === Kind.FIELD)
    .map((node) => ({ responseKey: node.alias?.value ?? node.name.value, node }));
  return { operation: augmented, rootType, rootFields, text: print({ kind: Kind.DOCUMENT, definitions: [augmented] }) };
}

/** Replaces fragment spreads with inline fragments so sub-documents need no definitions. */
function inline(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): SelectionSetNode {
  return {
    ...selectionSet,
    selections: selectionSet.selections.map((s): SelectionNode => {
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (!f) throw new Error(`unknown fragment ${s.name.value}`);
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: f.typeCondition, directives: s.directives, selectionSet: inline(f.selectionSet, fragments) };
      }
      return s.selectionSet ? { ...s, selectionSet: inline(s.selectionSet, fragments) } : s;
    }),
  };
}

function field(name: string, alias?: string, selections?: SelectionNode[]): FieldNode {
  return {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: name },
    alias: alias ? { kind: Kind.NAME, value: alias } : undefined,
    selectionSet: selections ? { kind: Kind.SELECTION_SET, selections } : undefined,
  };
}

/**
 * Adds what merging needs and a client may not have asked for: every connection's edge
 * cursors and page flags, and the parts of every ratio field.
 */
function augment(selectionSet: SelectionSetNode, type: GraphQLObjectType, rules: ShardRules): SelectionSetNode {
  const extra: SelectionNode[] = [];
  const selections = selectionSet.selections.map((s): SelectionNode => {
    if (s.kind === Kind.INLINE_FRAGMENT) {
      const t = s.typeCondition ? rules.schema.getType(s.typeCondition.name.value) : type;
      return isObjectType(t) ? { ...s, selectionSet: augment(s.selectionSet, t, rules) } : s;
    }
    if (s.kind !== Kind.FIELD) return s;
    const def = s.name.value === '_entities' ? undefined : type.getFields()[s.name.value];
    const merge = rules.fieldMerge(type.name, s.name.value);
    if ((merge?.op === 'ratio' || merge?.op === 'product') && merge.of) for (const part of merge.of) extra.push(field(part, `${INTERNAL_PREFIX}${part}`));
    if (!s.selectionSet) return s;
    const childType = def ? getNamedType(def.type) : type;
    let child = isObjectType(childType) ? augment(s.selectionSet, childType, rules) : s.selectionSet;
    if (merge?.op === 'groups' && isObjectType(childType)) {
      // Merging, withholding and ordering groups read every figure, whatever the client selected.
      const own = Object.values(childType.getFields()).filter((f) => f.args.length === 0 && isLeafType(getNamedType(f.type)));
      child = augment({ ...child, selections: [...child.selections, ...own.map((f) => field(f.name, `${INTERNAL_PREFIX}${f.name}`))] }, childType, rules);
    }
    if (isObjectType(childType) && isSummary(rules, childType)) {
      // Withholding a summary's figures reads which agencies form each of them, in every province.
      child = {
        ...child,
        selections: [
          ...child.selections,
          field(
            'families',
            FAMILIES,
            FAMILY_FIELDS.map((f) => field(f)),
          ),
        ],
      };
    }
    if (merge?.op === 'connection') {
      child = {
        ...child,
        selections: [
          ...child.selections,
          field('edges', `${INTERNAL_PREFIX}edges`, [field('cursor')]),
          field('pageInfo', `${INTERNAL_PREFIX}pageInfo`, [field('hasNextPage'), field('hasPreviousPage')]),
        ],
      };
    }
    return { ...s, selectionSet: child };
  });
  const have = new Set(selections.map((s) => (s.kind === Kind.FIELD ? (s.alias?.value ?? s.name.value) : '')));
  return { ...selectionSet, selections: [...selections, ...extra.filter((e) => !have.has((e as FieldNode).alias!.value))] };
}

/** A document with only some root fields, declaring only the variables they use. */
export function subDocument(fetch: AnalysedFetch, fields: readonly RootField[]): string {
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: fields.map((f) => f.node) };
  const used = new Set<string>();
  visit(selectionSet, { Variable: (v) => void used.add(v.name.value) });
  const op: OperationDefinitionNode = {
    ...fetch.operation,
    variableDefinitions: fetch.operation.variableDefinitions?.filter((d) => used.has(d.variable.name.value)),
    selectionSet,
  };
  return print({ kind: Kind.DOCUMENT, definitions: [op] });
}

/** Removes the router's helper fields from an answer, in place. */
export function stripInternal(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const v of value) stripInternal(v);
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key.startsWith(INTERNAL_PREFIX)) delete (value as Record<string, unknown>)[key];
      else stripInternal((value as Record<string, unknown>)[key]);
    }
  }
  return value;
}
