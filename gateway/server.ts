import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { createHash, createPrivateKey } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { vendorOffPlugins } from '../common/vendor-off.js';
import { ApolloGateway } from '@apollo/gateway';
import { SubgraphSource } from './transport/subgraph-source.js';
import { maskForClient } from '../common/errors.js';
import { unexpectedErrorsPlugin } from '../common/request-log-plugin.js';
import { healthRoute, serveApollo, type RunningService, type ServeOptions } from '../common/http.js';
import { apolloLogger, createLogger } from '../common/logger.js';
import { LOCAL_URL_PREFIX, readSubgraphSdl, SHARD_URL_PREFIX } from '../common/subgraphs.js';
import type { AuditStore } from './audit/event.js';
import { AuditTrail } from './audit/trail.js';
import { ProvinceLedger, type GatewayContext } from './request/context.js';
import { finishedOperationPlugin, type OnFinished } from './request/finished.js';
import { completenessPlugin } from './request/completeness.js';
import type { Caller } from './transport/caller.js';
import { RedisAuditStore, type AuditRetention } from './audit/redis-store.js';
import { auditDataSource } from './audit/subgraph.js';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { Manifest } from './persisted/manifest.js';
import { LocalGenerations, RedisGenerations } from './cache/generations.js';
import { responseCache, type ResponseCacheOptions } from './cache/response-cache.js';
import { POLICY } from '../common/auth/policy.js';
import { watchDataVersions } from './cache/data-version-watcher.js';
import { writeVersionsPlugin } from './cache/write-versions.js';
import { FetchCache } from './cache/fetch-cache.js';
import { gatewayCodeVersion } from './cache/code-version.js';
import { SharedReads } from './transport/shared-reads.js';
import { manifestFirstCache, safelistPlugin } from './persisted/plugin.js';
import { adminRoute } from './admin/route.js';
import { assertionMaker, provinceAudience, subgraphAudience } from '../common/auth/assertion.js';
import { AssertionSessions } from './transport/assertion-sessions.js';
import { SYSTEM } from '../common/auth/principal.js';
import { RegionMembership } from '../common/regions/membership.js';
import { accessControlledGateway } from './auth/access-gateway.js';
import { planExecutingGateway } from './execution/plan-executor.js';
import { authenticate } from './auth/context.js';
import { introspectionPolicyPlugin, suggestionsPolicyPlugin } from './auth/plugins.js';
import { TokenVerifier, type TokenConfig } from './auth/tokens.js';
import { surfaceArmor, surfaceLimits, type SurfaceLimits } from './auth/limits.js';
import { explorerRoute } from './explorer/route.js';
import { DEFAULT_EXPORT_MAX_ROWS, exportRoute } from './export/route.js';
import { DEFAULT_MIN_AGENCIES } from '../common/disclosure.js';
import { runPersisted } from './persisted/run.js';
import { corsRoute } from './web/cors.js';
import { dashboardRoute } from './dashboard/route.js';
import { ProvinceRegistry, type ProvinceEndpoint } from './shard/registry.js';
import { FileRegistryStore, LocalRegistryStore, RedisRegistryStore, type RegistryStore } from './shard/registry-store.js';
import { connectRedis, whenReady, type RedisConfig } from './shared-state/redis.js';
import { redisCache } from './shared-state/redis-cache.js';
import { subgraphAgent } from '../common/post-graphql.js';
import { ShardRouter } from './shard/router.js';
import { ProvinceGuards, type ProvinceCallStatus, type ProvinceGuardOptions } from './shard/province-guard.js';
import { Budget, clientAddress, DEFAULT_RATE_LIMIT, DEFAULT_SCAN_BUDGET, rateLimitAdmission, type BudgetOptions, type RateLimitOptions } from './fair-use/rate-limit.js';
import { fanOutCostPlugin, registryFanOut } from './fair-use/fan-out-cost.js';
import { validationCostPlugin } from './fair-use/validation-cost.js';
import { RegionDirectory, supergraphUrlOf } from './regions/region-directory.js';
import { readShardRules, type ShardRules } from './shard/rules.js';
import { GatewayMetrics } from './observability/metrics.js';
import { createRegistry, exposeMetrics, type MetricsOptions } from '../common/metrics.js';
import { activeTraceId } from '../common/tracing.js';

/** Each registered province: up or not and how long its last call took (unknown before one), and when its data last changed (with the response cache). */
function provinceStatus(codes: readonly string[], calls: ProvinceCallStatus[], changes: ReadonlyMap<string, number> | undefined) {
  const byCode = new Map(calls.map((c) => [c.province, c]));
  return codes.map((code) => {
    const call = byCode.get(code);
    const changed = changes?.get(code);
    return {
      code,
      up: call?.up ?? null,
      answerMs: call ? Math.round(call.ms * 10) / 10 : null,
      lastCallAt: call ? new Date(call.at).toISOString() : null,
      lastChangeAt: changed ? new Date(changed).toISOString() : null,
    };
  });
}

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  supergraphSdl: string;
  port: number;
  host?: string;
  /** URL of each non-sharded subgraph, overriding the supergraph's. */
  subgraphUrls?: Record<string, string>;
  /** Subgraphs whose instances are province shards, routed by the shard router. */
  shardedSubgraphs?: string[];
  /** Subgraphs whose data changes without writes through the gateway (default: the sharing workflows); their answers are never cached. */
  liveSubgraphs?: string[];
  /** Province instances of the sharded subgraphs. */
  provinces?: ProvinceEndpoint[];
  /** Origins (`https://dash.example.gov.cn`) whose pages may call the gateway from a browser; none by default. */
  corsOrigins?: string[];
  /** A breakdown group with between 1 and this many minus one agencies outside the caller's own rows is withheld (default 3). */
  breakdownMinAgencies?: number;
  /** The most rows one CSV or XLSX export writes (default DEFAULT_EXPORT_MAX_ROWS). */
  exportMaxRows?: number;
  /** How often the gateway reads the regions from the directory, ms (default 5000). */
  regionsPollMs?: number;
  /** Time limit of one subgraph or province request, ms. */
  subgraphTimeoutMs?: number;
  /** Time limits of clients sending their requests (defaults: SLOW_CLIENT_LIMITS in common/http.ts). */
  slowClient?: ServeOptions<GatewayContext>['slowClient'];
  /** Per-subject (anonymous: per address) budgets of requests and of province scans, shared through Redis when configured; off when omitted. */
  rateLimit?: RateLimitOptions;
  /** Circuit breaker and concurrency limit per province (defaults: DEFAULT_PROVINCE_GUARD). */
  provinceGuard?: Partial<ProvinceGuardOptions>;
  /** Enables the province-registration API under /admin with this bearer token. */
  adminToken?: string;
  /** The contract a joining province must implement (default: schema/province.graphql). */
  contractSdl?: string;
  /** Shared state for replicas; without it an in-process store is the embedded default. */
  redis?: RedisConfig;
  /** Prefix of every Redis key this gateway uses. */
  redisPrefix?: string;
  /** How user tokens are verified, and the key the gateway signs its assertions to subgraphs with. */
  auth: { tokens: TokenConfig; assertionPrivateKey: string };
  /** Query-surface limits (graphql-armor); defaults suit dashboards and the explorer. */
  limits?: Partial<SurfaceLimits>;
  /**
   * The audit trail: an SQLite file; without one, the Redis stream when Redis is configured, else
   * an in-memory SQLite database (which does not survive a restart).
   */
  auditFile?: string;
  /**
   * Without Redis, a JSON file that keeps provinces registered (and removed) through the admin
   * API across restarts; default `registry.json` beside the audit file; none (in memory) without
   * either. With Redis, registrations live in Redis.
   */
  registryFile?: string;
  /** Cap of the Redis audit stream (default DEFAULT_AUDIT_RETENTION); archive with `npm run audit:export` before it trims. */
  auditRetention?: Partial<AuditRetention>;
  /** The persisted-operation manifest (served by id); with `safelist`, the only operations non-exploring roles may run. */
  persistedOperations?: { manifest: Manifest; safelist: boolean };
  /** Caches complete query answers per scope (off when omitted); the TTL bounds staleness after direct database writes. */
  responseCache?: ResponseCacheOptions;
  /** TLS toward subgraphs and provinces (PEM): only `ca` is trusted; `cert` and `key` are presented for mutual TLS. */
  tls?: { ca: string; cert?: string; key?: string };
  /** Prometheus metrics: on a port of their own, or at /metrics of the gateway's listener (default). */
  metrics?: MetricsOptions;
}

/** A running gateway with its province registry. */
export interface RunningGateway extends RunningService {
  registry: ProvinceRegistry;
  store: RegistryStore;
}

/**
 * Starts the federation gateway. Subgraphs listed as sharded go through the shard router;
 * every other subgraph is a plain remote data source, so the gateway runs on any Federation 2
 * supergraph.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const logger = createLogger('gateway');
  const registry = new ProvinceRegistry(options.provinces ?? []);
  const prefix = options.redisPrefix ?? 'xietong:';
  const redis = options.redis ? connectRedis(options.redis, logger) : undefined;
  if (redis) await whenReady(redis).catch(() => logger.warn('redis not reachable at start-up; starting with the configured provinces'));
  const registryFile = options.registryFile ?? (options.auditFile ? join(dirname(options.auditFile), 'registry.json') : undefined);
  const store: RegistryStore = redis
    ? await RedisRegistryStore.start(registry, redis, logger, { prefix, initial: options.provinces ?? [] })
    : registryFile
      ? FileRegistryStore.open(registry, registryFile, options.provinces ?? [])
      : new LocalRegistryStore(registry);
  if (options.adminToken && !redis && !registryFile) {
    logger.warn('provinces registered through the admin API are kept in memory only and are lost on restart; set registryFile (or auditFile, or Redis) to keep them');
  }
  const audit: AuditStore =
    options.auditFile || !redis
      ? // Loaded only when used: SQLite and Kysely would otherwise sit in a Redis-backed gateway's heap.
        await (await import('./audit/sqlite-store.js')).SqliteAuditStore.open(options.auditFile ?? ':memory:')
      : new RedisAuditStore(redis, `${prefix}audit`, options.auditRetention);
  const trail = new AuditTrail(audit, logger);
  const metrics = new GatewayMetrics(createRegistry('gateway', { processMetrics: options.metrics?.processMetrics }));
  if (redis) metrics.watchRedis(() => redis.status);
  const sharded = new Set(options.shardedSubgraphs ?? ['province']);
  const live = new Set(options.liveSubgraphs ?? ['sharing']);
  const guards = new ProvinceGuards(options.provinceGuard, { call: metrics.provinceFetch, circuit: metrics.circuit });
  const agent = subgraphAgent(options.tls, logger);
  // Assertions under sessions agreed with each receiver cost an HMAC instead of a signature per call.
  const sessions = new AssertionSessions();
  const timeoutMs = options.subgraphTimeoutMs ?? 5000;
  // Parsed once: importing a PEM key costs more than signing with it.
  const assertionKey = createPrivateKey(options.auth.assertionPrivateKey);
  const generations = redis ? new RedisGenerations(redis, `${prefix}gen:`) : new LocalGenerations();
  const fetchCache = options.responseCache
    ? new FetchCache({
        ttlMs: options.responseCache.ttlSeconds * 1000,
        maxEntries: options.responseCache.maxEntries * 4,
        maxBytes: options.responseCache.maxBytes,
        maxEntryBytes: options.responseCache.maxEntryBytes,
      })
    : undefined;
  const reads = new SharedReads({ generation: async (province) => (await generations.get([province]))[0], reuse: fetchCache && fetchCache.read.bind(fetchCache) });
  // What the data sources need of a request: who asks, how to tell a subgraph so, where it went.
  const callerOf = (context: unknown): Caller => {
    const c = context as GatewayContext;
    return {
      requestId: c.requestId,
      principal: c.principal,
      regions: c.regions,
      assertionFor: c.assertionFor,
      reached: (province) => c.provinces.add([province]),
      notJoined: (region, provinces) => c.provinces.notJoined(region, provinces),
      notReadable: (region, provinces) => c.provinces.notReadable(region, provinces),
    };
  };
  // Every answered operation, executed or served from the cache, is audited and logged here once.
  const onFinished: OnFinished = async (op) => {
    metrics.operation(op, options.responseCache !== undefined);
    await trail.record(op);
    logger.info(
      {
        requestId: op.requestId,
        traceId: activeTraceId(),
        operationName: op.operationName,
        ms: Math.round(op.ms * 100) / 100,
        errorCodes: op.errorCodes,
        ...(op.cacheHit ? { cache: 'hit' } : {}),
      },
      'operation',
    );
  };
  let rules: ShardRules = readShardRules(options.supergraphSdl);
  // Unless told otherwise, @apollo/gateway probes the cloud metadata services (Alibaba, AWS, GCP,
  // Azure) at start and reports to Apollo's servers hourly and at stop. A gateway of government
  // data reaches only the services it is configured with; this variable, read by the
  // constructor, is the library's only switch.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: apolloLogger(logger),
    buildService: ({ name, url }) => {
      if (url?.startsWith(LOCAL_URL_PREFIX) && name === 'audit') return auditDataSource(audit);
      if (sharded.has(name) || url?.startsWith(SHARD_URL_PREFIX)) {
        return new ShardRouter({ registry, rules: () => rules, timeoutMs, agent, guards, sessions, callerOf, reads, minAgencies: options.breakdownMinAgencies });
      }
      return new SubgraphSource(name, options.subgraphUrls?.[name] ?? url!, {
        agent,
        timeoutMs,
        logger,
        callerOf,
        sessions,
        reads,
        live: live.has(name),
        observe: metrics.subgraphFetch,
      });
    },
  });
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    rules = readShardRules(coreSupergraphSdl);
  });
  // Background work (data-version polls, contract checks) acts as SYSTEM, which may read nothing else.
  const systemCredentials = { assertionFor: assertionMaker(SYSTEM, assertionKey), sessions };
  // The directory owns the regions; without one in the supergraph there are none.
  const directoryUrl = options.subgraphUrls?.directory ?? supergraphUrlOf(options.supergraphSdl, 'directory');
  const regions = directoryUrl
    ? await RegionDirectory.start({
        url: directoryUrl,
        agent,
        timeoutMs,
        pollMs: options.regionsPollMs ?? 5000,
        assertion: () => systemCredentials.assertionFor(subgraphAudience('directory')),
        logger,
      })
    : undefined;
  const currentRegions = () => regions?.current() ?? RegionMembership.EMPTY;
  const watcher = options.responseCache
    ? watchDataVersions({ registry, generations, pollMs: options.responseCache.dataVersionPollMs ?? 1000, agent, guards, timeoutMs, credentials: systemCredentials, logger })
    : undefined;
  const cache = options.responseCache
    ? responseCache({
        ...options.responseCache,
        generations,
        shared: redis,
        prefix: `${prefix}response:`,
        fingerprint: createHash('sha256')
          .update(
            JSON.stringify([
              options.supergraphSdl,
              POLICY,
              // Another release may disclose or merge otherwise: in a rolling deploy, its replicas share no entries with ours.
              gatewayCodeVersion(logger),
              // Answers withhold figures of fewer agencies than this: another threshold is another answer.
              options.breakdownMinAgencies ?? DEFAULT_MIN_AGENCIES,
              options.persistedOperations?.safelist ?? false,
              options.persistedOperations?.manifest.operations.map((o) => o.id) ?? [],
            ]),
          )
          .digest('hex'),
        provinceCodes: () => registry.codes(),
        onFinished,
        logger,
      })
    : undefined;
  const verifier = new TokenVerifier(options.auth.tokens);
  const budget = (name: string, defaults: BudgetOptions, overrides?: Partial<BudgetOptions>) =>
    new Budget(name, { ...defaults, ...overrides }, { redis, prefix, logger, onRefused: metrics.rateLimited });
  const requestBudget = options.rateLimit && budget('rate', DEFAULT_RATE_LIMIT, options.rateLimit.requests);
  const scanBudget = options.rateLimit && budget('scans', DEFAULT_SCAN_BUDGET, options.rateLimit.provinceScans);
  const limits = surfaceLimits(options.limits);
  const armor = surfaceArmor(options.limits);
  // Automatic persisted queries: the hash -> document map is shared by replicas when Redis is
  // configured (documents only, never responses, so nothing crosses a caller's scope).
  const apq = redis ? redisCache(redis, `${prefix}apq:`, logger) : new InMemoryLRUCache<string>();
  const persisted = options.persistedOperations ? manifestFirstCache(options.persistedOperations.manifest, apq) : apq;
  const server = new ApolloServer<GatewayContext>({
    gateway: accessControlledGateway(planExecutingGateway(gateway), () => rules),
    logger: apolloLogger(logger),
    plugins: [
      ...vendorOffPlugins<GatewayContext>(),
      // Before the operation log: the surface plugins give client mistakes the codes the log reads.
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      fanOutCostPlugin({
        rules: () => rules,
        fanOut: registryFanOut(registry, currentRegions),
        maxProvinceScans: limits.maxProvinceScans,
        maxRows: limits.maxRows,
        maxObjects: limits.maxObjects,
        budget: scanBudget,
      }),
      ...(requestBudget ? [validationCostPlugin<GatewayContext>({ budget: requestBudget })] : []),
      unexpectedErrorsPlugin<GatewayContext>(logger),
      finishedOperationPlugin(onFinished),
      writeVersionsPlugin({ generations, afterWrite: watcher?.refresh, logger }),
      introspectionPolicyPlugin<GatewayContext>(),
      suggestionsPolicyPlugin<GatewayContext>(),
      ...(options.persistedOperations?.safelist ? [safelistPlugin<GatewayContext>(options.persistedOperations.manifest)] : []),
      // Before the cache: a stored answer names the provinces missing from it too.
      completenessPlugin(),
      ...(cache ? [cache.plugin] : []),
    ],
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    introspection: true,
    // Automatic persisted queries: the hash -> document map is shared by replicas when Redis is
    // configured (documents only, never responses, so nothing crosses a caller's scope).
    persistedQueries: { cache: persisted },
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    formatError: (formatted) => maskForClient(formatted),
  });
  await server.start();
  const contextOf = async ({ req, requestId }: { req: IncomingMessage; requestId: string }): Promise<GatewayContext> => ({
    requestId,
    clientAddress: clientAddress(req),
    provinces: new ProvinceLedger(),
    ...(await authenticate(req, verifier, {
      assertionKey,
      regions: currentRegions(),
      regionsRead: regions?.ready ?? true,
      minAgencies: options.breakdownMinAgencies ?? DEFAULT_MIN_AGENCIES,
    })),
  });
  const admission = requestBudget ? rateLimitAdmission<GatewayContext>(requestBudget) : undefined;
  const exposed = await exposeMetrics(metrics.registry, options.metrics);
  const running = await serveApollo<GatewayContext>({
    service: 'gateway',
    traceRoots: true,
    server,
    port: options.port,
    host: options.host,
    maxBodyBytes: limits.maxBodyBytes,
    slowClient: options.slowClient,
    context: contextOf,
    shortcuts: cache ? [cache.shortcut] : [],
    conditionalGet: true,
    admission,
    routes: [
      corsRoute(options.corsOrigins ?? []),
      healthRoute(() => ({
        service: 'gateway',
        pid: process.pid,
        provinces: registry.codes(),
        // What the dashboard's status panel shows: each province's last call, and its last data change seen here.
        provinceStatus: provinceStatus(registry.codes(), guards.status(), watcher?.lastChanges()),
        redis: redis?.status ?? 'not configured',
        // Which region table routes now (the directory's, as last read), so an operator can see an edit arrive.
        regions: { read: regions?.ready ?? false, version: currentRegions().version, codes: currentRegions().codes() },
        anonymousReads: trail.anonymousReads,
      })),
      ...(options.adminToken
        ? [
            adminRoute({
              registry,
              store,
              token: options.adminToken,
              contractSdl: options.contractSdl ?? readSubgraphSdl('province'),
              logger,
              assertionFor: (province) => systemCredentials.assertionFor(provinceAudience(province)),
              agent,
            }),
          ]
        : []),
      exportRoute({
        // Apollo Server keys its persisted-query cache "apq:<sha256>".
        documentOf: (id) => persisted.get(`apq:${id}`),
        run: (req, requestId, request) => runPersisted(server, contextOf, admission, req, requestId, request),
        maxRows: options.exportMaxRows ?? DEFAULT_EXPORT_MAX_ROWS,
        logger,
      }),
      explorerRoute(),
      dashboardRoute(options.persistedOperations?.manifest),
      ...exposed.routes,
    ],
  });
  logger.info({ url: running.url, provinces: registry.list().length }, 'gateway listening');
  return {
    ...running,
    registry,
    store,
    async stop() {
      await watcher?.stop();
      regions?.stop();
      await running.stop();
      await exposed.stop();
      await store.close();
      await audit.close();
      await agent.close();
      redis?.disconnect();
    },
  };
}
