import { BrokenCircuitError, BulkheadRejectedError, CircuitState, ConsecutiveBreaker, bulkhead, circuitBreaker, handleType, wrap, type IPolicy } from 'cockatiel';
import type { PostResult } from '../../common/post-graphql.js';

/** How hard the gateway leans on one province instance. */
export interface ProvinceGuardOptions {
  /** Consecutive failed calls (unreachable, timed out, no GraphQL answer) that open the circuit. */
  failuresToOpen: number;
  /** How long an open circuit answers at once before one call probes the province again, ms. */
  halfOpenAfterMs: number;
  /** Calls in flight to one province at most; more wait in a queue of `maxQueued`, then are refused. */
  maxConcurrent: number;
  maxQueued: number;
}

/** Defaults: a hanging province costs five requests the timeout, then nobody for three seconds at a time. */
// A province instance works through requests a few at a time: more in flight only queue there,
// past the gateway's timeout, as work nobody waits for.
export const DEFAULT_PROVINCE_GUARD: ProvinceGuardOptions = { failuresToOpen: 5, halfOpenAfterMs: 3000, maxConcurrent: 16, maxQueued: 64 };

class CallFailed extends Error {}

/** What the guards tell an observer (metrics): each call's outcome and time, and circuits opening and closing. */
export interface GuardObserver {
  call(province: string, outcome: 'ok' | 'unavailable' | 'refused', seconds: number): void;
  circuit(province: string, open: boolean): void;
}

/**
 * A circuit breaker and a concurrency limit (bulkhead) per province instance (cockatiel), so a
 * hanging or overloaded province is answered PROVINCE_UNAVAILABLE at once instead of costing
 * every request the timeout, and one slow province cannot hold all the gateway's connections.
 * Keyed by code and URL: a province that re-registers elsewhere starts closed.
 */
/** How a province's last call went, as the guards saw it. */
export interface ProvinceCallStatus {
  province: string;
  up: boolean;
  /** Milliseconds the last call took. */
  ms: number;
  /** When it ended (epoch ms). */
  at: number;
}

export class ProvinceGuards {
  private readonly policies = new Map<string, IPolicy>();
  private readonly last = new Map<string, ProvinceCallStatus>();
  private readonly options: ProvinceGuardOptions;

  constructor(
    options: Partial<ProvinceGuardOptions> = {},
    private readonly observer?: GuardObserver,
  ) {
    this.options = { ...DEFAULT_PROVINCE_GUARD, ...options };
  }

  /** Runs one call to a province through its guard; a refused call is a failure result naming why. */
  async run(code: string, url: string, call: () => Promise<PostResult>): Promise<PostResult> {
    const started = performance.now();
    const done = (outcome: 'ok' | 'unavailable' | 'refused', result: PostResult) => {
      const ms = performance.now() - started;
      this.last.set(code, { province: code, up: outcome === 'ok', ms, at: Date.now() });
      this.observer?.call(code, outcome, ms / 1000);
      return result;
    };
    try {
      return done(
        'ok',
        await this.policyOf(code, url).execute(async () => {
          const result = await call();
          // Only a call that got no answer counts against the province: an answer with errors is an
          // answer, and a 4xx refusal is about the request (a client must not trip a healthy province).
          if ('failure' in result && !(result.status !== undefined && result.status < 500)) throw new CallFailed(result.failure);
          return result;
        }),
      );
    } catch (error) {
      if (error instanceof CallFailed) return done('unavailable', { failure: error.message });
      if (error instanceof BrokenCircuitError) return done('refused', { failure: `failed ${this.options.failuresToOpen} times in a row and is not asked again for a few seconds` });
      if (error instanceof BulkheadRejectedError) return done('refused', { failure: 'has too many requests in flight' });
      throw error;
    }
  }

  /** The last call to each province that has been called: up or not, and how long it took. */
  status(): ProvinceCallStatus[] {
    return [...this.last.values()];
  }

  private policyOf(code: string, url: string): IPolicy {
    const key = `${code} ${url}`;
    let policy = this.policies.get(key);
    if (!policy) {
      const { failuresToOpen, halfOpenAfterMs, maxConcurrent, maxQueued } = this.options;
      const breaker = circuitBreaker(handleType(CallFailed), { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(failuresToOpen) });
      breaker.onStateChange((state) => this.observer?.circuit(code, state === CircuitState.Open || state === CircuitState.Isolated));
      policy = wrap(bulkhead(maxConcurrent, maxQueued), breaker);
      this.policies.set(key, policy);
    }
    return policy;
  }
}
