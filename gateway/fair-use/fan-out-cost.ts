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
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../common/errors.js';
import { PROVINCES } from '../../common/standards.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../common/pagination.js';
import type { ShardRules } from '../shard/rules.js';
import { isBreakdownType } from '../shard/breakdown.js';
import type { ProvinceRegistry, Scope } from '../shard/registry.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import type { GatewayContext } from '../request/context.js';
import { retryAfterSeconds, type Budget } from './rate-limit.js';

/** How many provinces the gateway routes to, as the cost model needs them. */
export interface FanOut {
  /** Provinces a `scope` argument selects (all registered when empty); 0 when the scope is invalid (routing refuses it). */
  scope(scope: unknown): number;
  /** Provinces registered in the largest region (a region instance's figure scans its provinces). */
  largestRegion(): number;
  /** Regions and provinces registered: the items of the directory's lists that reach a province's data. */
  regions(): number;
  provinces(): number;
  /** What the directory's lists answer, registered or not (the objects of an answer). */
  listed(): DirectoryLists;
}

/** The most items each of the directory's lists answers. */
export interface DirectoryLists {
  /** `provinces`: every division of GB/T 2260. */
  provinces: number;
  /** `regions`: every configured region. */
  regions: number;
  /** A region's `provinces`: the members of the largest region. */
  regionProvinces: number;
  /** A province's `regions`: the most regions one province belongs to. */
  provinceRegions: number;
}

/**
 * What a breakdown costs in each province, in summary scans: it groups the same rows with more
 * distinct counts (a cold asset breakdown takes 1–2 s per demo province, a summary 0.2 s). Two
 * keeps the explorer's six analyst questions (six national breakdowns) one request.
 */
export const BREAKDOWN_SCANS = 2;

/** Unknown list sizes (e.g. an agency's buildings) are taken as this many items. */
const DEFAULT_LIST_SIZE = 10;

/** What a document asks of the provinces (see {@link requestCost}). */
export interface RequestCost {
  /** Province aggregate scans: each summary field times the provinces it fans out to. */
  provinceScans: number;
  /** Province rows fetched: page sizes times provinces, and every row reached through a relation. */
  rows: number;
  /**
   * Objects the answer holds at most: every object field times the items of the lists above it,
   * the directory's lists at the most they answer ({@link DirectoryLists}). Directory objects are
   * no province rows, but a chain of them (provinces → regions → provinces …) under aliases
   * answered a 6 kB document with 10 MB.
   */
  objects: number;
}

/**
 * What a document asks of the provinces, with its variables resolved (so `first` in a variable
 * counts like a literal):
 * - each summary field (a type that merges sums across provinces, like `energySummary`) costs
 *   the provinces it fans out to: an aggregate is a table scan in each; a breakdown (a type
 *   that merges groups) BREAKDOWN_SCANS times that;
 * - each page costs `first` rows in each province it fans out to, and each relation to a province
 *   record (an agency, a building, an agency's buildings) a row or a list per item above it.
 * Both are multiplied by how many times they are asked: aliases and the lists above them (a page
 * of 100 assets each asking for its province's summary is 100 scans).
 */
export function requestCost(input: {
  rules: ShardRules;
  fanOut: FanOut;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}): RequestCost {
  const { rules, fanOut, document, operation, variables } = input;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const root = operation.operation === 'mutation' ? rules.schema.getMutationType() : rules.schema.getQueryType();
  const cost: RequestCost = { provinceScans: 0, rows: 0, objects: 0 };
  if (!root) return cost;

  // A summary merges sums across provinces; a connection (with edges) only sums its totalCount.
  const isSummary = (type: GraphQLObjectType) => !('edges' in type.getFields()) && Object.keys(type.getFields()).some((f) => rules.fieldMerge(type.name, f)?.op === 'sum');
  // A directory list answers every division it holds (objects), but only registered provinces
  // have data to scan or rows to read (work); a region's or a province's own list is shorter.
  const listed = fanOut.listed();
  const listSize = (parent: string, named: string): { objects: number; work: number } => {
    if (named === 'Province')
      return parent === 'Region' ? { objects: listed.regionProvinces, work: fanOut.largestRegion() } : { objects: listed.provinces, work: fanOut.provinces() };
    if (named === 'Region')
      return parent === 'Province'
        ? { objects: listed.provinceRegions, work: Math.min(listed.provinceRegions, fanOut.regions()) }
        : { objects: listed.regions, work: fanOut.regions() };
    return { objects: DEFAULT_LIST_SIZE, work: DEFAULT_LIST_SIZE };
  };

  // `times`: how often a field is in the answer; `work`: how often it reaches a province.
  const walk = (set: SelectionSetNode, parent: GraphQLObjectType, times: number, work: number, seen: Set<string>): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet, parent, times, work, seen);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(s.name.value);
        // A fragment spread inside itself is refused by validation; this guard only keeps the walk finite.
        if (fragment && !seen.has(s.name.value)) walk(fragment.selectionSet, parent, times, work, new Set([...seen, s.name.value]));
        continue;
      }
      const def = parent.getFields()[s.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isObjectType(named) || !s.selectionSet) continue;
      const args = Object.fromEntries((s.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
      const route = rules.fieldRoute(parent.name, s.name.value);
      const provinces = parent === root ? (route?.by === 'scope' ? fanOut.scope(args[route.arg]) : 1) : parent.name === 'Region' ? fanOut.largestRegion() : 1;
      const scans = isBreakdownType(rules, named) ? BREAKDOWN_SCANS : isSummary(named) ? 1 : 0;
      if (scans) {
        cost.provinceScans += work * provinces * scans;
        cost.objects += times;
        continue;
      }
      const unwrapped = isNonNullType(def.type) ? def.type.ofType : def.type;
      // A province row: an entity keyed by its global id (Province and Region are the directory's).
      const row = rules.typeRoute(named.name)?.by === 'id';
      let factor = { objects: 1, work: 1 };
      if (rules.fieldMerge(parent.name, s.name.value)?.op === 'connection') {
        // Each province pages `first` rows and resolves their relations before the gateway merges.
        // A `first` beyond the contract's maximum is refused with PAGE_SIZE_EXCEEDED when routed; it costs the maximum here.
        const rows = Math.min(MAX_PAGE_SIZE, Math.max(0, Number(args.first ?? DEFAULT_PAGE_SIZE) || 0)) * provinces;
        factor = { objects: rows, work: rows };
        cost.rows += work * rows;
      } else if (isListType(unwrapped) && !named.name.endsWith('Edge')) {
        factor = listSize(parent.name, named.name);
        if (row) cost.rows += work * factor.work;
      } else if (row && !parent.name.endsWith('Edge')) {
        // An edge's node is the page's own row, counted with the page.
        cost.rows += work;
      }
      cost.objects += times * factor.objects;
      walk(s.selectionSet, named, times * factor.objects, work * factor.work, seen);
    }
  };
  walk(operation.selectionSet, root, 1, 1, new Set());
  return cost;
}

/**
 * Refuses, before planning, a document that asks for more province rows than `maxRows`, more
 * aggregate scans than `maxProvinceScans`, or an answer of more objects than `maxObjects`
 * ({@link requestCost}): 400 with COST_LIMIT_EXCEEDED, nothing sent anywhere.
 * With a `budget`, the scans are also charged to the caller, and a caller whose budget is spent
 * is answered 429 RATE_LIMITED with Retry-After, also before planning.
 */
export function fanOutCostPlugin(options: {
  rules: () => ShardRules;
  fanOut: FanOut;
  maxProvinceScans: number;
  maxRows: number;
  maxObjects: number;
  budget?: Budget;
}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return;
          const { provinceScans: scans, rows, objects } = requestCost({ rules: options.rules(), fanOut: options.fanOut, document, operation, variables: request.variables ?? {} });
          if (rows > options.maxRows) {
            throw new GraphQLError(
              `This operation asks for about ${rows} province rows; at most ${options.maxRows} are allowed per request. Ask for smaller pages or fewer relations.`,
              {
                extensions: { code: ErrorCode.COST_LIMIT_EXCEEDED, rows, maximum: options.maxRows, http: { status: 400 } },
              },
            );
          }
          if (scans > options.maxProvinceScans) {
            throw new GraphQLError(
              `This operation asks for ${scans} province aggregate scans; at most ${options.maxProvinceScans} are allowed per request. Ask for fewer figures or narrower scopes.`,
              {
                extensions: { code: ErrorCode.COST_LIMIT_EXCEEDED, provinceScans: scans, maximum: options.maxProvinceScans, http: { status: 400 } },
              },
            );
          }
          // After the rows and scans: those name what to ask for less of.
          if (objects > options.maxObjects) {
            throw new GraphQLError(
              `This operation's answer would hold about ${objects} objects; at most ${options.maxObjects} are allowed per request. Ask for fewer nested lists or aliases.`,
              { extensions: { code: ErrorCode.COST_LIMIT_EXCEEDED, objects, maximum: options.maxObjects, http: { status: 400 } } },
            );
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

/** The fan-out of a live province registry, with regions as the gateway currently holds them. */
export function registryFanOut(registry: ProvinceRegistry, regions: () => RegionMembership): FanOut {
  return {
    scope: (scope) => {
      try {
        return registry.resolveScope((scope ?? undefined) as Scope | undefined, regions()).length;
      } catch {
        return 0;
      }
    },
    largestRegion: () =>
      Math.max(
        0,
        ...regions()
          .codes()
          .map((code) => registry.regionProvinces(code, regions()).length),
      ),
    regions: () =>
      regions()
        .codes()
        .filter((code) => registry.regionProvinces(code, regions()).length > 0).length,
    provinces: () => registry.list().length,
    listed: () => directoryLists(regions(), registry.list().length),
  };
}

/**
 * The directory's list sizes under a region membership. Before the gateway has read the regions
 * (the membership is empty until the directory first answers) they are taken as large, never as
 * none: an estimate of zero would let any chain of them through.
 */
export function directoryLists(membership: RegionMembership, registered: number): DirectoryLists {
  // The directory lists all 33 divisions, the nine of a demo as much as the 31 of a full network.
  const provinces = Math.max(PROVINCES.length, registered);
  const codes = membership.codes();
  if (codes.length === 0) return { provinces, regions: DEFAULT_LIST_SIZE, regionProvinces: provinces, provinceRegions: DEFAULT_LIST_SIZE };
  const perProvince = new Map<string, number>();
  for (const code of codes) for (const p of membership.members(code) ?? []) perProvince.set(p, (perProvince.get(p) ?? 0) + 1);
  return {
    provinces,
    regions: codes.length,
    regionProvinces: Math.max(...codes.map((code) => membership.members(code)?.length ?? 0)),
    provinceRegions: Math.max(0, ...perProvince.values()),
  };
}
