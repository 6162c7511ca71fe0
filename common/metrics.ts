import { createServer, type Server } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { AggregatorRegistry, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RouteHandler } from './http.js';

/**
 * Prometheus metrics (prom-client). Each service keeps its own registry, handed to what it
 * measures: no process-global default, so services sharing a process (the demo, the tests)
 * never mix their series. Labels take bounded values only: codes, outcomes, and names cut to
 * a fixed set by {@link BoundedLabel}; never ids or documents.
 */

/** Request and fetch durations, seconds: from a cached answer to a slow province. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A registry for one service; `processMetrics` adds the process's CPU, memory and event-loop figures (one service per process should). */
export function createRegistry(service: string, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'xietong_' });
  return registry;
}

/**
 * A label whose values are the first `max` distinct ones seen; later ones count as "other", so
 * names a client chooses (operation names) cannot grow the number of series without bound.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 100) {}

  /** The label value for a name ("anonymous" for none). */
  value(name: string | null | undefined): string {
    const v = name ? name.slice(0, 100) : 'anonymous';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}

/** A route answering GET /metrics in the Prometheus text format. */
export function metricsRoute(registry: Registry): RouteHandler {
  return async (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return false;
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    return true;
  };
}

/** Serves /metrics on a listener of its own (plain HTTP, for the internal network Prometheus scrapes). */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<{ port: number; stop(): Promise<void> }> {
  const route = metricsRoute(registry);
  const server: Server = createServer((req, res) => {
    void Promise.resolve(route(req, res)).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Where a service serves its metrics: `port` for a listener of its own (production), else a route on its main listener. */
export interface MetricsOptions {
  port?: number;
  /** Add the process's own figures (set by the entry point of a service that runs alone in its process). */
  processMetrics?: boolean;
  /** A node:cluster worker: the primary serves every worker's metrics, summed, on `port` (see {@link serveClusterMetrics}). */
  clusterWorker?: boolean;
}

/** Exposes a registry as the options say: the routes to add to the main listener, and how to stop a listener of its own. */
export async function exposeMetrics(registry: Registry, options: MetricsOptions = {}): Promise<{ routes: RouteHandler[]; stop(): Promise<void> }> {
  if (options.clusterWorker) {
    AggregatorRegistry.setRegistries([registry]);
    return { routes: [], stop: async () => {} };
  }
  if (options.port === undefined) return { routes: [metricsRoute(registry)], stop: async () => {} };
  const own = await serveMetrics(registry, options.port);
  return { routes: [], stop: own.stop };
}

/** In a node:cluster primary: serves the workers' metrics, summed per series, on `port`. */
export async function serveClusterMetrics(port: number): Promise<{ port: number; stop(): Promise<void> }> {
  const aggregator = new AggregatorRegistry();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return void res.writeHead(404).end();
    aggregator.clusterMetrics().then(
      (text) => res.writeHead(200, { 'content-type': aggregator.contentType }).end(text),
      () => res.writeHead(503).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The outcome label of a GraphQL answer: `ok`, `partial` (data with errors) or `error`, by its first error code. */
export function outcomeOf(errorCodes: readonly string[], hasData: boolean): string {
  if (!errorCodes.length) return 'ok';
  return hasData ? 'partial' : 'error';
}

/** Measures every operation a subgraph answers: `xietong_subgraph_request_duration_seconds{operation,outcome}`. */
export function subgraphMetricsPlugin<C extends BaseContext>(registry: Registry): ApolloServerPlugin<C> {
  const duration = new Histogram({
    name: 'xietong_subgraph_request_duration_seconds',
    help: 'Operations a subgraph answered, by operation name (bounded) and outcome.',
    labelNames: ['operation', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const operations = new BoundedLabel();
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, response, errors }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = (body?.errors ?? errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
          duration.observe({ operation: operations.value(operationName), outcome: outcomeOf(codes, Boolean(body?.data)) }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/** What a database reports to its metrics: each statement's duration and whether it failed, and its connection pool. */
export interface MeasuredDatabase {
  onStatement(listener: (seconds: number, failed: boolean) => void): void;
  poolStats?(): { total: number; idle: number; waiting: number };
}

/** Statement durations and pool use of a subgraph's database: `xietong_db_statement_duration_seconds{database,outcome}`, `xietong_db_pool_connections{database,state}`. */
export function databaseMetrics(registry: Registry, database: string, db: MeasuredDatabase): void {
  const statements =
    (registry.getSingleMetric('xietong_db_statement_duration_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'xietong_db_statement_duration_seconds',
      help: 'SQL statements, by database and outcome.',
      labelNames: ['database', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  db.onStatement((seconds, failed) => statements.observe({ database, outcome: failed ? 'error' : 'ok' }, seconds));
  if (!db.poolStats) return;
  const stats = db.poolStats.bind(db);
  new Gauge({
    name: 'xietong_db_pool_connections',
    help: 'Connections of the database pool: total, idle, and requests waiting for one.',
    labelNames: ['database', 'state'],
    registers: [registry],
    collect() {
      const s = stats();
      this.set({ database, state: 'total' }, s.total);
      this.set({ database, state: 'idle' }, s.idle);
      this.set({ database, state: 'waiting' }, s.waiting);
    },
  });
}
