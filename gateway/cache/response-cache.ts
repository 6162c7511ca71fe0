import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Shortcut } from '../../common/http.js';
import type { FormattedExecutionResult } from 'graphql';
import type { GatewayContext } from '../request/context.js';
import type { OnFinished } from '../request/finished.js';
import { scopeKey } from '../../common/auth/scope-key.js';
import type { Logger } from '../../common/logger.js';
import type { RedisClient } from '../shared-state/redis.js';
import type { GenerationStore } from './generations.js';
import { rememberingOperationId } from '../persisted/manifest.js';
import { CACHE_BYTES } from './fetch-cache.js';

/** Settings of the response cache. */
export interface ResponseCacheOptions {
  /** Longest life of an entry: the bound on staleness when a province's data version cannot be read. */
  ttlSeconds: number;
  maxEntries: number;
  /** Bound on what the in-process copies hold, bytes (estimated: {@link ENTRY_BYTES_PER_BODY_BYTE}); default CACHE_BYTES. */
  maxBytes?: number;
  /** Answers with a larger body are not cached, in process or in Redis, bytes; default CACHE_BYTES. */
  maxEntryBytes?: number;
  /** How often the gateway reads each province's data version to expire answers after direct database writes (default 1000). */
  dataVersionPollMs?: number;
}

/** A cached answer as replicas share it in Redis (JSON). */
interface Entry {
  result: FormattedExecutionResult;
  /** The response body exactly as Apollo Server writes it (what the shortcut sends). */
  text: string;
  /** The name of the operation the document ran (for the audit trail of answers the shortcut serves). */
  operationName: string | null;
  provinces: string[];
  generations: number[];
  expiresAt: number;
}

/** A cached answer as this process keeps it: the body as the bytes the shortcut writes, not as text. */
type Local = Omit<Entry, 'text'> & { body: Buffer };

/** The process's copy of a shared entry. */
function local({ text, ...entry }: Entry): Local {
  // A buffer of its own: a small one from Node's shared pool would keep a whole 8 KiB block
  // alive for the entry's life.
  const body = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  body.write(text);
  return { ...entry, body };
}

/** What the cache keeps of one request while Apollo Server runs it: its key, the counters read before execution, whether it was answered from the cache. */
interface CacheState {
  key: string;
  before: Map<string, number>;
  hit: boolean;
  settle?: (answer: Answer | undefined) => void;
}

/** A cacheable answer and the provinces it read. */
interface Answer {
  result: FormattedExecutionResult;
  provinces: string[];
}

/**
 * Heap an in-process entry takes per byte of its body: the body itself and the answer's object
 * tree (a parsed JSON answer takes about twice its text).
 */
export const ENTRY_BYTES_PER_BODY_BYTE = 3;

/** Longest a concurrent miss waits for the first one's answer before executing itself. */
const FOLLOWER_WAIT_MS = 30_000;

/** A miss being executed: the counters it read first, and its answer when it has one (undefined if not cacheable). */
interface Execution {
  before: Map<string, number>;
  answer: Promise<Answer | undefined>;
}

/**
 * Caches complete query answers, keyed by operation, variables and the caller's scope (so two
 * users of one scope share an entry and two scopes never do), in an in-process LRU in front of
 * Redis. An entry is served only while the generation counters of the provinces it read are
 * unchanged (writes through Xietong raise them) and its TTL, the bound on how long a write made
 * directly to a province database can stay unseen, has not passed. Answers with errors are
 * never stored; mutations raise the counters of the provinces they touched before they answer.
 *
 * Concurrent misses of one key wait for the first one's answer instead of executing again (a
 * dashboard's pollers all miss at once when a write invalidates their entry), but only when
 * the counters they read equal the first one's: a request that starts after a write never
 * receives an answer read before it.
 *
 * An answer from the cache counts as reading the provinces it was read from (they join the
 * request's province ledger), so the audit trail records cached cross-province reads too.
 */
export function responseCache(
  options: ResponseCacheOptions & {
    generations: GenerationStore;
    shared?: RedisClient;
    prefix: string;
    /**
     * What else decides an answer or whether a caller may have it (supergraph, persisted-operation
     * manifest, safelist mode): part of every key, so a changed deployment never serves old entries.
     */
    fingerprint: string;
    /** The registered provinces, in order: the same array until the registry changes. */
    provinceCodes: () => readonly string[];
    /** Called for every answer the shortcut serves, as Apollo Server's answers are (audit trail, operation log). */
    onFinished: OnFinished;
    logger: Logger;
  },
): { plugin: ApolloServerPlugin<GatewayContext>; shortcut: Shortcut<GatewayContext> } {
  // Bodies kept as bytes: writing them skips encoding the text again for every answer.
  // Bounded by bytes as well as entries: answers of a few kB are the rule, but one valid document
  // can be answered with megabytes, and by count alone such answers would fill the heap.
  const lru = new LRUCache<string, Local>({
    max: options.maxEntries,
    maxSize: options.maxBytes ?? CACHE_BYTES.maxBytes,
    sizeCalculation: (entry) => Math.max(1, ENTRY_BYTES_PER_BODY_BYTE * entry.body.length),
  });
  const idOf = rememberingOperationId();
  // Per-request state stays here, keyed by the request's context, not written onto it.
  const states = new WeakMap<GatewayContext, CacheState>();
  const executing = new Map<string, Execution>();
  const remember = (key: string, entry: Local) => void lru.set(key, entry);
  const load = async (key: string): Promise<Local | undefined> => {
    const kept = lru.get(key);
    if (kept) return kept;
    const raw = await options.shared?.get(`${options.prefix}${key}`).catch(() => null);
    return raw ? local(JSON.parse(raw) as Entry) : undefined;
  };
  // An unscoped or region answer depends on which provinces form the region and which have
  // joined: the region table's version and the registered provinces are part of the key. With
  // the fingerprint they change rarely, so they are digested once per change, not per request.
  let setting = { codes: [] as readonly string[], regions: '', digest: '' };
  const settingDigest = (regionsVersion: string) => {
    const codes = options.provinceCodes();
    if (setting.codes !== codes || setting.regions !== regionsVersion) {
      setting = { codes, regions: regionsVersion, digest: sha256(JSON.stringify([options.fingerprint, regionsVersion, codes])) };
    }
    return setting.digest;
  };
  const keyOf = (queryHash: string, operationName: string | null | undefined, variables: Record<string, unknown> | undefined, ctx: GatewayContext) =>
    sha256(JSON.stringify([settingDigest(ctx.regions.version), queryHash, operationName ?? null, variables ?? {}, scopeKey(ctx.principal)]));
  /** The entry if it may be served now: within its TTL, with its provinces' counters unchanged. */
  const current = async (entry: Local | undefined): Promise<Local | undefined> => {
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    const now = await options.generations.get(entry.provinces);
    return now.every((g, i) => g === entry.generations[i]) ? entry : undefined;
  };
  /** The entry under key, from this process or Redis, if it may be served now. */
  const valid = async (key: string): Promise<Local | undefined> => current(await load(key));

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async responseForOperation(rc) {
          if (rc.operation?.operation !== 'query') return null;
          const key = keyOf(rc.queryHash!, rc.request.operationName, rc.request.variables, rc.contextValue);
          try {
            const entry = await valid(key);
            if (entry) {
              remember(key, entry);
              rc.contextValue.provinces.add(entry.provinces);
              states.set(rc.contextValue, { key, before: new Map(), hit: true });
              rc.response.http.headers.set('age', String(ageOf(entry)));
              return { http: rc.response.http, body: { kind: 'single', singleResult: entry.result } };
            }
            // A miss: read the counters before executing, so a write racing this read makes the stored entry stale.
            const provinces = options.provinceCodes();
            const generations = await options.generations.get(provinces);
            const before = new Map(provinces.map((p, i) => [p, generations[i]]));
            const leader = executing.get(key);
            if (leader && sameCounters(leader.before, before)) {
              // A leader that never answers (it cannot, short of a bug) must not hold its followers.
              const shared = await Promise.race([leader.answer, sleep(FOLLOWER_WAIT_MS, undefined, { ref: false })]);
              if (shared) {
                rc.contextValue.provinces.add(shared.provinces);
                states.set(rc.contextValue, { key, before, hit: true });
                return { http: rc.response.http, body: { kind: 'single', singleResult: shared.result } };
              }
            }
            let settle!: (answer: Answer | undefined) => void;
            if (!executing.has(key)) executing.set(key, { before, answer: new Promise((resolve) => (settle = resolve)) });
            states.set(rc.contextValue, { key, before, hit: false, settle: settle && ((answer) => (executing.delete(key), settle(answer))) });
          } catch (error) {
            options.logger.debug({ err: (error as Error).message }, 'response cache unavailable; executing');
          }
          return null;
        },
        async willSendResponse(rc) {
          const { contextValue, response, operation } = rc;
          const cache = states.get(contextValue);
          response.http.headers.set('x-xietong-cache', cache?.hit ? 'hit' : 'miss');
          // Mutations are never cached; their counters are raised by writeVersionsPlugin.
          if (!cache || cache.hit) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const provinces = contextValue.provinces.list();
          const cacheable = result && !result.errors?.length && result.data && provinces.every((p) => cache.before.has(p));
          cache.settle?.(cacheable ? { result, provinces } : undefined);
          if (!cacheable) return;
          const text = serialized(result);
          if (Buffer.byteLength(text) > (options.maxEntryBytes ?? CACHE_BYTES.maxEntryBytes)) return;
          const entry: Entry = {
            result,
            text,
            operationName: operation?.name?.value ?? null,
            provinces,
            generations: provinces.map((p) => cache.before.get(p)!),
            expiresAt: Date.now() + options.ttlSeconds * 1000,
          };
          remember(cache.key, local(entry));
          await options.shared?.set(`${options.prefix}${cache.key}`, JSON.stringify(entry), 'EX', options.ttlSeconds).catch(() => undefined);
        },
      };
    },
  };

  // Serves a valid entry before Apollo Server's pipeline. Safe because an entry exists only for a
  // document that ran without errors for this scope (role and binding) under this fingerprint:
  // parsing, validation, limits, safelist and introspection rules all passed for this exact
  // request already. Anything unusual declines, and Apollo Server handles it as before.
  const shortcut: Shortcut<GatewayContext> = async ({ req, body, context }) => {
    const request = cacheableRequest(req, body, idOf);
    if (!request) return undefined;
    const started = performance.now();
    try {
      const ctx = await context();
      const key = keyOf(request.queryHash, request.operationName, request.variables, ctx);
      // Finding runs before the request is admitted, so it looks only at this process's copy, and
      // peeks (a refused request does not keep an entry in the LRU): a refused request must not make
      // Redis send, nor this process parse, a whole answer. An entry held only in Redis is fetched
      // once the request is admitted.
      const kept = lru.peek(key);
      const found = kept && (await current(kept));
      if (kept ? !found : !options.shared) return undefined;
      // Answering (not finding) is what the caller sees: it counts and is audited like an executed answer.
      return async () => {
        let entry: Local | undefined;
        try {
          entry = found || (await valid(key));
        } catch {
          return undefined;
        }
        if (!entry || entry.expiresAt <= Date.now()) return undefined;
        // An entry stored while this request was admitted is newer than the one found: it stays.
        const held = lru.peek(key);
        if (!held || held === entry) remember(key, entry);
        ctx.provinces.add(entry.provinces);
        try {
          await options.onFinished({
            requestId: ctx.requestId,
            principal: ctx.principal,
            operationName: entry.operationName,
            operationHash: request.queryHash,
            mutation: false,
            provinces: ctx.provinces.list(),
            errorCodes: [],
            hasData: true,
            cacheHit: true,
            ms: performance.now() - started,
          });
        } catch {
          return undefined;
        }
        return {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-xietong-cache': 'hit', age: String(ageOf(entry)) },
          body: entry.body,
        };
      };
    } catch {
      return undefined;
    }
  };
  /** How long ago an entry was stored, in whole seconds (the Age header of a cached answer). */
  const ageOf = (entry: Local) => Math.max(0, Math.floor(options.ttlSeconds - (entry.expiresAt - Date.now()) / 1000));
  return { plugin, shortcut };
}

/** A response body as Apollo Server writes it (runHttpQuery's field order and trailing newline). */
function serialized(result: FormattedExecutionResult): string {
  return JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + '\n';
}

/**
 * The parts of a POST body that key the cache, when the request is one the shortcut may answer:
 * JSON in and out, a query text and/or an APQ hash that agree, object variables, and no other
 * extensions. Anything else is for Apollo Server.
 */
function cacheableRequest(
  req: IncomingMessage,
  body: unknown,
  idOf: (query: string) => string,
): { queryHash: string; operationName?: string; variables?: Record<string, unknown> } | undefined {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
  const accept = req.headers.accept;
  if (accept && accept !== '*/*' && !accept.startsWith('application/json')) return undefined;
  if (!isObject(body)) return undefined;
  const { query, operationName, variables, extensions, ...rest } = body;
  if (Object.keys(rest).length) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && !isObject(variables)) return undefined;
  let hash: string | undefined;
  if (extensions !== undefined) {
    if (!isObject(extensions) || Object.keys(extensions).some((k) => k !== 'persistedQuery')) return undefined;
    const pq = extensions.persistedQuery;
    if (!isObject(pq) || pq.version !== 1 || typeof pq.sha256Hash !== 'string') return undefined;
    hash = pq.sha256Hash;
  }
  if (typeof query === 'string') {
    const computed = idOf(query);
    if (hash !== undefined && hash !== computed) return undefined;
    hash = computed;
  } else if (query !== undefined) return undefined;
  if (hash === undefined) return undefined;
  return { queryHash: hash, operationName: operationName ?? undefined, variables: variables ?? undefined };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameCounters(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [p, g] of a) if (b.get(p) !== g) return false;
  return true;
}
