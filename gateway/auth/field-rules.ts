import {
  getNamedType,
  isNonNullType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { mayAccess } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';
import type { ShardRules } from '../shard/rules.js';

/** A field removed from an operation: where its values would have been, and why. */
export interface RemovedField {
  /** Response keys from the root; lists are crossed implicitly. */
  path: string[];
  dataClass: string;
}

/** The response key of the `__typename` that holds the place of a selection set emptied by removals; taken out of the answer again. */
export const PLACEHOLDER_KEY = 'xietongRemovedFields';

/** The operation as a principal may run it. */
export interface FilteredOperation {
  document: DocumentNode;
  removed: RemovedField[];
  /** Where a selection set lost every field and holds a placeholder (response keys from the root). */
  placeholders?: string[][];
  /** Set when the operation's root field itself is refused (e.g. a mutation): nothing runs. */
  refusedRoot?: RemovedField;
}

/**
 * Applies the `@access` field rules for one principal: every field whose class the role may
 * not see is taken out of the operation (fragments inlined first, so each removal has one
 * response path), to be answered with null and a FORBIDDEN error. Removing a root field of a
 * mutation refuses the whole operation. Pure: the same document and role give the same result.
 */
export function filterOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
  rules: ShardRules,
  principal: Principal,
): FilteredOperation {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { document, removed: [] };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return { document, removed: [] };
  const removed: RemovedField[] = [];
  const placeholders: string[][] = [];

  const filterSet = (set: SelectionSetNode, type: GraphQLObjectType, path: string[]): SelectionSetNode => {
    const kept: SelectionNode[] = [];
    for (const s of set.selections) {
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (!f) continue;
        const t = schema.getType(f.typeCondition.name.value);
        kept.push({
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: f.typeCondition,
          directives: s.directives,
          selectionSet: isObjectType(t) ? filterSet(f.selectionSet, t, path) : f.selectionSet,
        });
        continue;
      }
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        kept.push({ ...s, selectionSet: isObjectType(t) ? filterSet(s.selectionSet, t, path) : s.selectionSet });
        continue;
      }
      const key = s.alias?.value ?? s.name.value;
      const rule = rules.fieldAccess(type.name, s.name.value);
      if (rule && !mayAccess(principal, rule.class)) {
        removed.push({ path: [...path, key], dataClass: rule.class });
        continue;
      }
      const def = type.getFields()[s.name.value];
      const child = def ? getNamedType(def.type) : undefined;
      kept.push(s.selectionSet && isObjectType(child) ? { ...s, selectionSet: filterSet(s.selectionSet, child, [...path, key]) } : s);
    }
    // A selection set may not be empty: a placeholder __typename holds the place (the answer loses it again).
    if (kept.length === 0) {
      kept.push({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PLACEHOLDER_KEY }, name: { kind: Kind.NAME, value: '__typename' } } as FieldNode);
      placeholders.push(path);
    }
    return { ...set, selections: kept };
  };

  const selectionSet = filterSet(operation.selectionSet, root, []);
  if (removed.length === 0) return { document, removed };
  if (operation.operation !== 'query') return { document, removed, refusedRoot: removed[0] };
  const rootRefused = removed.find((r) => r.path.length === 1 && isNonNullType(root.getFields()[fieldNameOf(operation, r.path[0])]?.type));
  if (rootRefused) return { document, removed, refusedRoot: rootRefused };
  const used = new Set<string>();
  visit(selectionSet, { Variable: (v) => void used.add(v.name.value) });
  const filtered: OperationDefinitionNode = {
    ...operation,
    variableDefinitions: operation.variableDefinitions?.filter((d) => used.has(d.variable.name.value)),
    selectionSet,
  };
  return { document: { kind: Kind.DOCUMENT, definitions: [filtered] }, removed, placeholders };
}

function fieldNameOf(operation: OperationDefinitionNode, responseKey: string): string {
  const f = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && (s.alias?.value ?? s.name.value) === responseKey);
  return f?.name.value ?? responseKey;
}

/** Puts null where removed fields would have been, with one FORBIDDEN error per place, and takes the placeholders out. */
export function patchRemoved(data: Record<string, unknown> | null | undefined, removed: readonly RemovedField[], placeholders: readonly string[][] = []) {
  const errors: { message: string; path: (string | number)[]; extensions: Record<string, unknown> }[] = [];
  if (!data) return errors;
  for (const path of placeholders) {
    const drop = (value: unknown, depth: number): void => {
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) return value.forEach((v) => drop(v, depth));
      const obj = value as Record<string, unknown>;
      if (depth === path.length) delete obj[PLACEHOLDER_KEY];
      else drop(obj[path[depth]], depth + 1);
    };
    drop(data, 0);
  }
  for (const r of removed) {
    const walk = (value: unknown, depth: number, at: (string | number)[]) => {
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, depth, [...at, i]));
      const obj = value as Record<string, unknown>;
      const key = r.path[depth];
      if (depth === r.path.length - 1) {
        obj[key] = null;
        errors.push({ message: `Not authorized to see ${r.dataClass} data.`, path: [...at, key], extensions: { code: 'FORBIDDEN', class: r.dataClass } });
        return;
      }
      walk(obj[key], depth + 1, [...at, key]);
    };
    walk(data, 0, []);
  }
  return errors;
}
