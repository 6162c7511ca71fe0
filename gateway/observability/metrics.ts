import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BoundedLabel, DURATION_BUCKETS, outcomeOf } from '../../common/metrics.js';

/**
 * The gateway's metrics, in its own registry. Each method is what one part of the gateway
 * reports; the part gets the method, not the registry (it knows nothing of Prometheus).
 *
 * | family | labels | reported by |
 * |---|---|---|
 * | `xietong_gateway_request_duration_seconds` | operation (bounded), outcome | every answered operation (executed or cached) |
 * | `xietong_response_cache_requests_total` | result (hit, miss) | queries while the response cache is on |
 * | `xietong_province_fetch_duration_seconds` | province, outcome (ok, unavailable, refused) | every call to a province instance |
 * | `xietong_province_circuit_open` | province | the circuit breakers (1 open, 0 closed) |
 * | `xietong_subgraph_fetch_duration_seconds` | subgraph, outcome (ok, unavailable) | every call to a plain subgraph |
 * | `xietong_rate_limited_total` | budget (rate, scans) | refusals of the fair-use budgets |
 * | `xietong_redis_up` | | Redis connectivity (absent without Redis) |
 */
export class GatewayMetrics {
  private readonly requests: Histogram<string>;
  private readonly cacheRequests: Counter<string>;
  private readonly provinceFetches: Histogram<string>;
  private readonly circuits: Gauge<string>;
  private readonly subgraphFetches: Histogram<string>;
  private readonly refusals: Counter<string>;
  private readonly operations = new BoundedLabel();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.requests = new Histogram({
      name: 'xietong_gateway_request_duration_seconds',
      help: 'Operations the gateway answered, by operation name (bounded) and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'xietong_response_cache_requests_total',
      help: 'Queries answered while the response cache is on, by whether the cache answered.',
      labelNames: ['result'],
      registers,
    });
    this.provinceFetches = new Histogram({
      name: 'xietong_province_fetch_duration_seconds',
      help: 'Calls to province instances, by province and outcome (ok; unavailable: no answer in time; refused: circuit open or too many in flight).',
      labelNames: ['province', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.circuits = new Gauge({
      name: 'xietong_province_circuit_open',
      help: 'Whether a province circuit breaker is open (1) or closed (0).',
      labelNames: ['province'],
      registers,
    });
    this.subgraphFetches = new Histogram({
      name: 'xietong_subgraph_fetch_duration_seconds',
      help: 'Calls to plain subgraphs, by subgraph and outcome.',
      labelNames: ['subgraph', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.refusals = new Counter({ name: 'xietong_rate_limited_total', help: 'Requests refused by a fair-use budget.', labelNames: ['budget'], registers });
  }

  /** One answered operation. */
  operation = (op: { operationName: string | null; errorCodes: readonly string[]; hasData: boolean; ms: number; cacheHit: boolean; mutation: boolean }, cacheOn: boolean): void => {
    this.requests.observe({ operation: this.operations.value(op.operationName), outcome: outcomeOf(op.errorCodes, op.hasData) }, op.ms / 1000);
    if (cacheOn && !op.mutation) this.cacheRequests.inc({ result: op.cacheHit ? 'hit' : 'miss' });
  };

  /** One call to a province instance. */
  provinceFetch = (province: string, outcome: 'ok' | 'unavailable' | 'refused', seconds: number): void => {
    this.provinceFetches.observe({ province, outcome }, seconds);
  };

  /** A province's circuit opened or closed. */
  circuit = (province: string, open: boolean): void => {
    this.circuits.set({ province }, open ? 1 : 0);
  };

  /** One call to a plain subgraph. */
  subgraphFetch = (subgraph: string, outcome: 'ok' | 'unavailable', seconds: number): void => {
    this.subgraphFetches.observe({ subgraph, outcome }, seconds);
  };

  /** A request refused by a budget. */
  rateLimited = (budget: string): void => {
    this.refusals.inc({ budget });
  };

  /** Reports Redis connectivity at every scrape. */
  watchRedis(status: () => string): void {
    new Gauge({
      name: 'xietong_redis_up',
      help: 'Whether the connection to Redis is ready (1) or not (0).',
      registers: [this.registry],
      collect() {
        this.set(status() === 'ready' ? 1 : 0);
      },
    });
  }
}
