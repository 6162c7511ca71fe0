import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../common/errors.js';
import { DEFAULT_PAGE_SIZE } from '../../common/pagination.js';
import type { ShardRules } from '../shard/rules.js';
import type { ProvinceRegistry, Scope } from '../shard/registry.js';
import { REGIONS } from '../../common/standards.js';
import type { GatewayContext } from '../request/context.js';
import { retryAfterSeconds, type Budget } from './rate-limit.js';

/** How many provinces the gateway routes to, as the cost model needs them. */
export interface FanOut {
  /** Provinces a `scope` argument selects (all registered when empty); 0 when the scope is invalid (routing refuses it). */
  scope(scope: unknown): number;
  /** Provinces registered in the largest region (a region instance's figure scans its provinces). */
  largestRegion(): number;
  /** Regions and provinces registered (what the directory's lists return at most). */
  regions(): number;
  provinces(): number;
}

/** Unknown list sizes (e.g. an agency's buildings) are taken as this many items. */
const DEFAULT_LIST_SIZE = 10;

/**
 * The number of province aggregate scans a document asks for: each summary field (a field whose
 * type merges sums across provinces, like `energySummary`) costs the provinces it fans out to,
 * times how many times it is asked (aliases, list items above it: a page of 100 assets each
 * asking for its province's summary is 100 scans). An aggregate is a table scan in every
 * province it reaches, so this, not the document's size, is what a request costs.
 */
export function provinceScans(input: { rules: ShardRules; fanOut: FanOut; document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> }): number {
  const { rules, fanOut, document, operation, variables } = input;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const root = operation.operation === 'mutation' ? rules.schema.getMutationType() : rules.schema.getQueryType();
  if (!root) return 0;

  // A summary merges sums across provinces; a connection (with edges) only sums its totalCount.
  const isSummary = (type: GraphQLObjectType) => !('edges' in type.getFields()) && Object.keys(type.getFields()).some((f) => rules.fieldMerge(type.name, f)?.op === 'sum');
  const listSize = (type: GraphQLOutputType): number => {
    const named = getNamedType(type).name;
    return named === 'Province' ? fanOut.provinces() : named === 'Region' ? fanOut.regions() : DEFAULT_LIST_SIZE;
  };

  const walk = (set: SelectionSetNode, parent: GraphQLObjectType, times: number, seen: Set<string>): number => {
    let scans = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        scans += walk(s.selectionSet, parent, times, seen);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(s.name.value);
        // A fragment spread inside itself is refused by validation; this guard only keeps the walk finite.
        if (fragment && !seen.has(s.name.value)) scans += walk(fragment.selectionSet, parent, times, new Set([...seen, s.name.value]));
        continue;
      }
      const def = parent.getFields()[s.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isObjectType(named) || !s.selectionSet) continue;
      const args = Object.fromEntries((s.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
      const route = rules.fieldRoute(parent.name, s.name.value);
      if (isSummary(named)) {
        const provinces = parent === root ? (route?.by === 'scope' ? fanOut.scope(args[route.arg]) : 1) : parent.name === 'Region' ? fanOut.largestRegion() : 1;
        scans += times * provinces;
        continue;
      }
      const unwrapped = isNonNullType(def.type) ? def.type.ofType : def.type;
      const connection = rules.fieldMerge(parent.name, s.name.value)?.op === 'connection';
      const factor = connection ? Number(args.first ?? DEFAULT_PAGE_SIZE) || 0 : isListType(unwrapped) && named.name.endsWith('Edge') ? 1 : isListType(unwrapped) ? listSize(def.type) : 1;
      scans += walk(s.selectionSet, named, times * factor, seen);
    }
    return scans;
  };
  return walk(operation.selectionSet, root, 1, new Set());
}

/**
 * Refuses, before planning, a document that asks for more province aggregate scans than
 * `maxProvinceScans` ({@link provinceScans}): 400 with COST_LIMIT_EXCEEDED, nothing sent anywhere.
 * With a `budget`, the scans are also charged to the caller, and a caller whose budget is spent
 * is answered 429 RATE_LIMITED with Retry-After, also before planning.
 */
export function fanOutCostPlugin(options: { rules: () => ShardRules; fanOut: FanOut; maxProvinceScans: number; budget?: Budget }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return;
          const scans = provinceScans({ rules: options.rules(), fanOut: options.fanOut, document, operation, variables: request.variables ?? {} });
          if (scans > options.maxProvinceScans) {
            throw new GraphQLError(`This operation asks for ${scans} province aggregate scans; at most ${options.maxProvinceScans} are allowed per request. Ask for fewer figures or narrower scopes.`, {
              extensions: { code: ErrorCode.COST_LIMIT_EXCEEDED, provinceScans: scans, maximum: options.maxProvinceScans, http: { status: 400 } },
            });
          }
          const waitMs = scans && options.budget ? await options.budget.charge(contextValue.principal, contextValue.clientAddress, scans) : undefined;
          if (waitMs !== undefined) {
            const seconds = retryAfterSeconds(waitMs);
            throw new GraphQLError(`Too many province aggregate scans; try again in ${seconds} s.`, {
              extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds, http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) } },
            });
          }
        },
      };
    },
  };
}

/** The fan-out of a live province registry. */
export function registryFanOut(registry: ProvinceRegistry): FanOut {
  return {
    scope: (scope) => {
      try {
        return registry.resolveScope((scope ?? undefined) as Scope | undefined).length;
      } catch {
        return 0;
      }
    },
    largestRegion: () => Math.max(0, ...REGIONS.map((r) => registry.regionProvinces(r.code).length)),
    regions: () => REGIONS.filter((r) => registry.regionProvinces(r.code).length > 0).length,
    provinces: () => registry.list().length,
  };
}
