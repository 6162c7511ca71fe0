import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  GraphQLError,
  valueFromASTUntyped,
  type GraphQLFormattedError,
  type FieldNode,
  Kind,
  type SelectionSetNode,
  isObjectType,
  getNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { decodeCursor } from '../../common/cursor.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { provinceOfId } from '../../common/ids.js';
import { pageSize } from '../../common/pagination.js';
import { analyseFetch, stripInternal, subDocument, type AnalysedFetch, type RootField } from './fetch-document.js';
import { emptyValue, mergeObject, mergeValues } from './merge.js';
import { createHash } from 'node:crypto';
import { scopeKey } from '../../common/auth/scope-key.js';
import type { Agent } from 'undici';
import { callProvince, type ProvinceAnswer } from '../transport/province-client.js';
import { credentialsOf, type AssertionSessions } from '../transport/assertion-sessions.js';
import type { ProvinceGuards } from './province-guard.js';
import type { Caller } from '../transport/caller.js';
import type { SharedReads } from '../transport/shared-reads.js';
import type { ProvinceRegistry, Scope } from './registry.js';
import type { ShardRules } from './rules.js';
import { rowScope } from '../../common/auth/policy.js';
import { checkBreakdownDimensions, finishBreakdown, noteProvince } from './breakdown.js';
import { DEFAULT_MIN_AGENCIES, disclosureCallerOf, type DisclosureCaller } from '../../common/disclosure.js';
import { discloseSummaries } from './summary-disclosure.js';
import { fillCompleteness, type MissingFigure } from './completeness.js';
import type { RegionMembership } from '../../common/regions/membership.js';

/** Options of a {@link ShardRouter}. */
export interface ShardRouterOptions {
  registry: ProvinceRegistry;
  rules: () => ShardRules;
  /** Time limit of one province request. */
  timeoutMs: number;
  /** The keep-alive connection pools to the provinces (owned by the gateway). */
  agent: Agent;
  /** Circuit breakers and concurrency limits per province (shared with the data-version watcher). */
  guards: ProvinceGuards;
  /** The assertion sessions agreed with province instances (without them every assertion is signed). */
  sessions?: AssertionSessions;
  /** Who each fetch is for, from the request context Apollo hands over. */
  callerOf: (context: unknown) => Caller;
  /** Shares identical concurrent reads of one scope, and reuses answers while their province is unchanged (with the response cache). */
  reads: SharedReads;
  /** A breakdown group formed by fewer agencies is withheld from callers who may not read its rows (default 3). */
  minAgencies?: number;
}

type Variables = Record<string, unknown>;

/** One fetch's caller, and whether the fetch only reads (only reads may share an in-flight request). */
interface CallInfo extends Caller {
  operationName?: string;
  read: boolean;
}

/**
 * The data source of a sharded subgraph: the province instances are shards of one subgraph.
 * Each fetch of a query plan is routed by the provinces it concerns and the answers merged
 * as if one database held every province. A province that fails leaves a named error; the
 * others' data still returns.
 */
export class ShardRouter implements GraphQLDataSource {
  private readonly analysed = new Map<string, AnalysedFetch>();

  constructor(private readonly options: ShardRouterOptions) {}

  async process(request: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const query = request.request.query!;
    const variables = (request.request.variables ?? {}) as Variables;
    const fetch = this.analyse(query);
    const call: CallInfo = { ...this.options.callerOf(request.context), operationName: fetch.operation.name?.value, read: fetch.operation.operation === 'query' };
    const rootFields = fetch.rootFields;
    if (rootFields.length === 1 && rootFields[0].node.name.value === '_entities') {
      return this.entities(fetch, variables, call);
    }
    const errors: GraphQLFormattedError[] = [];
    const data: Record<string, unknown> = {};
    // Root fields that go to the same provinces travel together.
    const groups = new Map<string, { provinces: string[]; fields: RootField[] }>();
    for (const f of rootFields) {
      let provinces: string[];
      try {
        provinces = this.routeRootField(fetch, f, variables, call);
        checkBreakdownDimensions(this.options.rules(), fetch.rootType, f.node, argumentValues(f.node, variables), provinces, this.disclosureCaller(call));
      } catch (error) {
        errors.push(toFormatted(error, [f.responseKey]));
        data[f.responseKey] = null;
        continue;
      }
      const key = provinces.join(',');
      const group = groups.get(key) ?? { provinces, fields: [] };
      group.fields.push(f);
      groups.set(key, group);
    }
    await Promise.all(
      [...groups.values()].map(async ({ provinces, fields }) => {
        const text = fields.length === rootFields.length ? fetch.text : subDocument(fetch, fields);
        const answers = await this.fanOut(provinces, text, variables, call);
        for (const f of fields) {
          const def = fetch.rootType.getFields()[f.node.name.value];
          const values = answers.map(([code, a]) => {
            const value = a.data?.[f.responseKey] ?? null;
            noteProvince(this.options.rules(), fetch.rootType, f.node, value, code);
            return value;
          });
          if (provinces.length === 0) {
            data[f.responseKey] = emptyValue(this.options.rules(), fetch.rootType, f.node.name.value, f.node.selectionSet, argumentValues(f.node, variables).after != null);
            continue;
          }
          const merged = def
            ? mergeValues(this.options.rules(), fetch.rootType, f.node.name.value, def.type, f.node.selectionSet, values, this.pageSizeOf(f.node, variables))
            : (values.find((v) => v !== null) ?? null);
          const args = argumentValues(f.node, variables);
          const finished = finishBreakdown(this.options.rules(), fetch.rootType, f.node, merged, args, this.disclosureCaller(call));
          // Who is missing from the figures: members of its region that have not joined, provinces that did not answer.
          const route = this.options.rules().fieldRoute(fetch.rootType.name, f.node.name.value);
          const unanswered = answers.filter((_, i) => values[i] === null).map(([code]): MissingFigure => ({ code, reason: 'UNAVAILABLE', region: null }));
          const notJoined = route?.by === 'scope' ? this.notJoinedOf(path(args, route.arg) as Scope | undefined, call.regions) : [];
          data[f.responseKey] = fillCompleteness(this.options.rules(), fetch.rootType, f.node, finished, [...notJoined, ...unanswered]);
          if (def && isObjectType(getNamedType(def.type))) {
            discloseSummaries(this.options.rules(), getNamedType(def.type) as GraphQLObjectType, f.node.selectionSet, data[f.responseKey], this.disclosureCaller(call));
          }
          if (this.options.rules().fieldMerge(fetch.rootType.name, f.node.name.value)?.op === 'connection') relocateEdgeErrors(f.responseKey, answers, data[f.responseKey]);
        }
        errors.push(...dedupe(answers));
      }),
    );
    return { data: stripInternal(data) as Record<string, unknown>, ...(errors.length ? { errors } : {}) };
  }

  /** What deciding which aggregate figures a caller may see needs: the threshold, and what it knows of each province by itself. */
  private disclosureCaller(call: CallInfo): DisclosureCaller {
    return disclosureCallerOf(call.principal, this.options.minAgencies ?? DEFAULT_MIN_AGENCIES);
  }

  private analyse(query: string): AnalysedFetch {
    let fetch = this.analysed.get(query);
    if (!fetch) {
      fetch = analyseFetch(query, this.options.rules());
      if (this.analysed.size > 5000) this.analysed.clear();
      this.analysed.set(query, fetch);
    }
    return fetch;
  }

  /** The provinces a root field goes to; validates page arguments before any fan-out. */
  private routeRootField(fetch: AnalysedFetch, f: RootField, variables: Variables, call: CallInfo): string[] {
    const provinces = this.targetsOfRootField(fetch, f, variables, call);
    const access = this.options.rules().fieldAccess(fetch.rootType.name, f.node.name.value);
    // An aggregate over no joined province (a region none of whose members has joined, an empty
    // list) is still an answer: zeros, and a coverage naming what is missing. Any one province
    // computes it, its own scope selecting none of its rows.
    if (access?.class === 'aggregate' && provinces.length === 0)
      return this.options.registry
        .list()
        .slice(0, 1)
        .map((e) => e.code);
    // Never ask a province for rows the caller may not read there; a scope that named it (itself
    // or by its region) is told so, rather than answered an unexplained empty list.
    if (access?.class !== 'rows') return provinces;
    const readable = (p: string) => {
      const scope = rowScope(call.principal, p).kind;
      return scope !== 'none' && (scope !== 'pool' || access.pool === true);
    };
    const named = this.namedScope(fetch, f, variables);
    const unreadable = provinces.filter((p) => !readable(p));
    if (named && unreadable.length) call.notReadable?.(named.region == null ? null : String(named.region), unreadable);
    return provinces.filter(readable);
  }

  /** The scope a root field routed by scope was given, when it names provinces or a region (not the default: all). */
  private namedScope(fetch: AnalysedFetch, f: RootField, variables: Variables): Scope | undefined {
    const rule = this.options.rules().fieldRoute(fetch.rootType.name, f.node.name.value);
    if (rule?.by !== 'scope') return undefined;
    const scope = path(argumentValues(f.node, variables), rule.arg) as Scope | undefined;
    return scope && (scope.province != null || scope.provinces != null || scope.region != null) ? scope : undefined;
  }

  private targetsOfRootField(fetch: AnalysedFetch, f: RootField, variables: Variables, call: CallInfo): string[] {
    const { regions } = call;
    const { registry } = this.options;
    const rule = this.options.rules().fieldRoute(fetch.rootType.name, f.node.name.value);
    const args = argumentValues(f.node, variables);
    if (this.options.rules().fieldMerge(fetch.rootType.name, f.node.name.value)?.op === 'connection') {
      pageSize(args.first as number | undefined);
      if (typeof args.after === 'string') decodeCursor(args.after);
    }
    if (!rule) return [...registry.codes()];
    const value = path(args, rule.arg);
    if (rule.by === 'scope') {
      const scope = value as Scope | undefined;
      const selected = registry.resolveScope(scope, regions);
      const notJoined = this.notJoinedOf(scope, regions);
      if (notJoined.length)
        call.notJoined?.(
          notJoined[0].region!,
          notJoined.map((m) => m.code),
        );
      return selected;
    }
    if (rule.by === 'province') {
      // A province code itself: an unknown or unregistered one is an error, never a silent null.
      registry.requireRegistered(String(value ?? ''));
      return [String(value)];
    }
    const text = value === null || value === undefined ? '' : String(value);
    const province = provinceOfId(text) ?? (/^\d{6}$/.test(text) ? text : undefined);
    if (!province) {
      if (fetch.operation.operation === 'mutation') throw userError(ErrorCode.NOT_FOUND, `No record ${String(value)}.`, { id: value });
      return [];
    }
    registry.requireRegistered(province);
    return [province];
  }

  /** The members of a scope's region that have not joined (only those its named provinces, if any, keep). */
  private notJoinedOf(scope: Scope | null | undefined, regions: RegionMembership): MissingFigure[] {
    if (scope?.region == null) return [];
    const named = scope.province != null || scope.provinces != null ? [...(scope.province != null ? [scope.province] : []), ...(scope.provinces ?? [])].map(String) : undefined;
    const region = String(scope.region);
    return this.options.registry
      .missingMembers(region, regions)
      .filter((c) => !named || named.includes(c))
      .map((code) => ({ code, reason: 'NOT_REGISTERED', region }));
  }

  private pageSizeOf(node: FieldNode, variables: Variables): number {
    return pageSize(argumentValues(node, variables).first as number | undefined);
  }

  /** Sends one document to several provinces in parallel (serialized and keyed once, not per province). */
  private fanOut(provinces: string[], query: string, variables: Variables, call: CallInfo): Promise<[string, ProvinceAnswer][]> {
    const body = JSON.stringify({ query, variables, operationName: call.operationName });
    // The scope key keeps callers who may see different rows apart, the region table's version
    // answers decided by different regions; mutations are never shared.
    const shared = call.read ? createHash('sha256').update(scopeKey(call.principal)).update(`\n${call.regions.version}\n`).update(body).digest('base64url') : '';
    return Promise.all(
      provinces.map(async (code): Promise<[string, ProvinceAnswer]> => {
        const endpoint = this.options.registry.get(code);
        if (!endpoint)
          return [code, { data: null, errors: [{ message: `Province ${code} has left this gateway.`, extensions: { code: ErrorCode.PROVINCE_NOT_REGISTERED, province: code } }] }];
        call.reached?.(code);
        const send = () =>
          callProvince(code, endpoint.url, body, {
            agent: this.options.agent,
            guards: this.options.guards,
            timeoutMs: this.options.timeoutMs,
            requestId: call.requestId,
            credentials: credentialsOf(call, this.options.sessions),
          });
        if (!call.read) return [code, await send()];
        const key = `${code} ${endpoint.url} ${shared}`;
        return [code, await this.options.reads.read(key, code, send)];
      }),
    );
  }

  /**
   * `_entities`: each representation goes to the province in its key (or, for a region, to
   * every registered province of it); answers are put back in the original order.
   */
  private async entities(fetch: AnalysedFetch, variables: Variables, call: CallInfo): Promise<GatewayGraphQLResponse> {
    const { registry } = this.options;
    const rules = this.options.rules();
    const reps = (variables.representations ?? []) as Record<string, unknown>[];
    const errors: GraphQLFormattedError[] = [];
    const targets = reps.map((rep, index) => {
      const rule = rules.typeRoute(String(rep.__typename));
      const key = rep[rule?.arg ?? 'id'];
      if (rule?.by === 'region') {
        const notJoined = this.notJoinedOf({ region: String(key) }, call.regions);
        if (notJoined.length)
          call.notJoined?.(
            String(key),
            notJoined.map((m) => m.code),
          );
        return registry.regionProvinces(String(key), call.regions);
      }
      const province = rule?.by === 'province' ? String(key) : provinceOfId(String(key));
      try {
        if (!province) throw userError(ErrorCode.NOT_FOUND, `No record ${String(key)}.`);
        registry.requireRegistered(province);
        // A record the caller may not read anywhere in that province is not fetched (it resolves to null).
        if (rule?.by === 'id' && rowScope(call.principal, province).kind === 'none') return [];
        return [province];
      } catch (error) {
        errors.push(toFormatted(error, ['_entities', index]));
        return [];
      }
    });
    const byProvince = new Map<string, number[]>();
    targets.forEach((provinces, index) => provinces.forEach((p) => byProvince.set(p, [...(byProvince.get(p) ?? []), index])));
    const results: [string, unknown][][] = reps.map(() => []);
    await Promise.all(
      [...byProvince.entries()].map(async ([code, indexes]) => {
        const [[, answer]] = await this.fanOut([code], fetch.text, { ...variables, representations: indexes.map((i) => reps[i]) }, call);
        for (const e of answer.errors ?? []) {
          const p = e.path;
          errors.push(p && p[0] === '_entities' && typeof p[1] === 'number' ? { ...e, path: ['_entities', indexes[p[1]], ...p.slice(2)] } : e);
        }
        const list = (answer.data?._entities ?? []) as unknown[];
        indexes.forEach((rep, j) => results[rep].push([code, list[j] ?? null]));
      }),
    );
    const selection = fetch.rootFields[0].node.selectionSet!;
    const entities = results.map((answered, i) => {
      const present = answered.map(([, v]) => v).filter((v) => v !== null);
      const type = rules.schema.getType(String(reps[i].__typename));
      const entity =
        present.length <= 1 || !isObjectType(type) ? (present[0] ?? null) : mergeObject(rules, type, fragmentFor(selection, type.name), present as Record<string, unknown>[]);
      if (entity && isObjectType(type)) discloseSummaries(rules, type, fragmentFor(selection, type.name), entity, this.disclosureCaller(call));
      if (!entity || !isObjectType(type) || rules.typeRoute(type.name)?.by !== 'region') return entity;
      // A region's figures say which members are missing from them, field by field.
      const notJoined = this.notJoinedOf({ region: String(reps[i][rules.typeRoute(type.name)!.arg]) }, call.regions);
      for (const s of fragmentFor(selection, type.name).selections) {
        if (s.kind !== Kind.FIELD) continue;
        const key = s.alias?.value ?? s.name.value;
        const unanswered = answered
          .filter(([, v]) => (v as Record<string, unknown> | null)?.[key] == null)
          .map(([code]): MissingFigure => ({ code, reason: 'UNAVAILABLE', region: null }));
        fillCompleteness(rules, type, s, (entity as Record<string, unknown>)[key], [...notJoined, ...unanswered]);
      }
      return entity;
    });
    return { data: stripInternal({ _entities: entities }) as Record<string, unknown>, ...(errors.length ? { errors: dedupe([['', { errors }]]) } : {}) };
  }
}

/**
 * A province's errors inside a connection's rows carry that province's row index; the merged
 * page orders rows differently and keeps only some. Each such error moves to its row's place in
 * the merged page, or is dropped with its row (the caller never sees that row).
 */
function relocateEdgeErrors(responseKey: string, answers: [string, ProvinceAnswer][], merged: unknown): void {
  const positions = new Map<unknown, number>();
  if (merged && typeof merged === 'object') {
    for (const value of Object.values(merged)) if (Array.isArray(value)) value.forEach((row, j) => positions.set(row, j));
  }
  for (const [, answer] of answers) {
    if (!answer.errors) continue;
    const page = answer.data?.[responseKey] as Record<string, unknown> | null | undefined;
    answer.errors = answer.errors.flatMap((e) => {
      const p = e.path;
      const rows = p && p[0] === responseKey && typeof p[2] === 'number' ? page?.[String(p[1])] : undefined;
      if (!Array.isArray(rows)) return [e];
      const j = positions.get(rows[p![2] as number]);
      return j === undefined ? [] : [{ ...e, path: [p![0], p![1], j, ...p!.slice(3)] }];
    });
  }
}

/** The selections that apply to one entity type in an `_entities` selection set. */
function fragmentFor(selectionSet: SelectionSetNode, typeName: string): SelectionSetNode {
  return {
    kind: Kind.SELECTION_SET,
    selections: selectionSet.selections.flatMap((s) =>
      s.kind === Kind.INLINE_FRAGMENT ? (!s.typeCondition || s.typeCondition.name.value === typeName ? s.selectionSet.selections : []) : [s],
    ),
  };
}

/** A field's arguments with literals and variables resolved. */
function argumentValues(node: FieldNode, variables: Variables): Record<string, unknown> {
  return Object.fromEntries((node.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
}

/** The value at a dotted path (`input.assetId`). */
function path(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

function toFormatted(error: unknown, path: (string | number)[]): GraphQLFormattedError {
  if (error instanceof GraphQLError) return { message: error.message, path, extensions: error.extensions };
  return { message: 'Internal server error', path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/**
 * One error per distinct (message, code, path): the same validation error from four provinces
 * is one error. An error that only some provinces raised names them.
 */
function dedupe(answers: [string, ProvinceAnswer][]): GraphQLFormattedError[] {
  const seen = new Map<string, { error: GraphQLFormattedError; provinces: string[] }>();
  for (const [code, answer] of answers) {
    for (const e of answer.errors ?? []) {
      const key = JSON.stringify([e.message, e.extensions?.code, e.path]);
      const entry = seen.get(key) ?? { error: e, provinces: [] };
      if (code) entry.provinces.push(code);
      seen.set(key, entry);
    }
  }
  return [...seen.values()].map(({ error, provinces }) =>
    error.extensions?.province || provinces.length !== 1 ? error : { ...error, extensions: { ...error.extensions, province: provinces[0] } },
  );
}
