import { buildASTSchema, parse, valueFromASTUntyped, type DirectiveNode, type GraphQLSchema } from 'graphql';

/** How a field or entity type is routed to provinces (from `@shardRoute`). */
export interface RouteRule {
  by: 'scope' | 'id' | 'province' | 'region';
  arg: string;
}

/**
 * How a field's values from several provinces combine (from `@shardMerge`): `groups` merges a
 * breakdown's lists into one group per `key`, `union` joins lists of codes, `product` is the
 * exact product of two merged parts (`of`) rounded once to `precision` (the sum of the values
 * where a part is null); `complete` and `missing` are filled by the router from the provinces
 * that did not answer or have not joined (see completeness.ts), and `withheld` with a summary's
 * figures it withholds (summary-disclosure.ts).
 */
export interface MergeRule {
  op: 'connection' | 'sum' | 'min' | 'max' | 'ratio' | 'groups' | 'key' | 'union' | 'product' | 'complete' | 'missing' | 'withheld';
  of?: [string, string];
  precision?: number;
}

/** Which class of data a field returns (from `@access`). */
export interface AccessRule {
  class: string;
  pool?: boolean;
}

/**
 * The shard rules of a supergraph: its schema (for field types) and the `@shardRoute` /
 * `@shardMerge` applications that survived composition (`@composeDirective`). Read once per
 * supergraph load; the API schema the gateway builds drops these directives.
 */
export interface ShardRules {
  schema: GraphQLSchema;
  /** The `@access` class of a field, if any. */
  fieldAccess(typeName: string, fieldName: string): AccessRule | undefined;
  fieldRoute(typeName: string, fieldName: string): RouteRule | undefined;
  typeRoute(typeName: string): RouteRule | undefined;
  fieldMerge(typeName: string, fieldName: string): MergeRule | undefined;
}

/** Reads the shard and access rules from a supergraph SDL. */
export function readShardRules(supergraphSdl: string): ShardRules {
  const document = parse(supergraphSdl);
  const schema = buildASTSchema(document, { assumeValid: true, assumeValidSDL: true });
  // By type, then by field: the merge consults these for every field of every province's value,
  // and a key of both names was a string built per lookup.
  const fieldRoutes = new Map<string, Map<string, RouteRule>>();
  const typeRoutes = new Map<string, RouteRule>();
  const fieldMerges = new Map<string, Map<string, MergeRule>>();
  const fieldAccess = new Map<string, Map<string, AccessRule>>();
  const put = <R>(table: Map<string, Map<string, R>>, typeName: string, fieldName: string, rule: R) => {
    const fields = table.get(typeName) ?? new Map<string, R>();
    table.set(typeName, fields.set(fieldName, rule));
  };
  for (const def of document.definitions) {
    if (def.kind !== 'ObjectTypeDefinition' && def.kind !== 'ObjectTypeExtension') continue;
    const typeName = def.name.value;
    const typeRoute = directiveArgs(def.directives, 'shardRoute');
    if (typeRoute) typeRoutes.set(typeName, typeRoute as unknown as RouteRule);
    for (const field of def.fields ?? []) {
      const route = directiveArgs(field.directives, 'shardRoute');
      if (route) put(fieldRoutes, typeName, field.name.value, route as unknown as RouteRule);
      const merge = directiveArgs(field.directives, 'shardMerge');
      if (merge) put(fieldMerges, typeName, field.name.value, merge as unknown as MergeRule);
      const access = directiveArgs(field.directives, 'access');
      if (access) put(fieldAccess, typeName, field.name.value, access as unknown as AccessRule);
    }
  }
  return {
    schema,
    fieldRoute: (t, f) => fieldRoutes.get(t)?.get(f),
    typeRoute: (t) => typeRoutes.get(t),
    fieldMerge: (t, f) => fieldMerges.get(t)?.get(f),
    fieldAccess: (t, f) => fieldAccess.get(t)?.get(f),
  };
}

function directiveArgs(directives: readonly DirectiveNode[] | undefined, name: string): Record<string, unknown> | undefined {
  const d = directives?.find((x) => x.name.value === name);
  if (!d) return undefined;
  return Object.fromEntries((d.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}
