import type { IncomingMessage } from 'node:http';
import type { Redis, Cluster } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Admission, Refusal } from '../../common/http.js';
import { ErrorCode } from '../../common/errors.js';
import type { Principal } from '../../common/auth/principal.js';
import type { Logger } from '../../common/logger.js';

/** Generous for dashboards (a handful of operations every few seconds) and the explorer; far below abuse. */
export const DEFAULT_RATE_LIMIT: BudgetOptions = { points: 600, anonymousPoints: 200, windowSeconds: 10 };

/**
 * Province aggregate scans a caller may cause per window (fan-out-cost.ts counts them): a region
 * dashboard polling every few seconds uses a few dozen; a client sending the heaviest documents
 * the per-request limit allows is slowed to a few a second, so it cannot take the provinces'
 * capacity from everyone else.
 */
export const DEFAULT_SCAN_BUDGET: BudgetOptions = { points: 600, anonymousPoints: 300, windowSeconds: 10 };

/** The gateway's fair-use budgets: requests, and province aggregate scans. */
export interface RateLimitOptions {
  requests?: Partial<BudgetOptions>;
  provinceScans?: Partial<BudgetOptions>;
}

/** Points per window: for signed-in callers per subject, for anonymous ones per client address. */
export interface BudgetOptions {
  points: number;
  anonymousPoints: number;
  windowSeconds: number;
}

/**
 * A budget of points per window for each caller (rate-limiter-flexible): a signed-in caller is
 * charged by subject, an anonymous one (or one whose token fails) by client address as the
 * socket sees it (behind a proxy, that is the proxy: limit there too). Shared by the replicas
 * through Redis when it is configured; an in-process limiter stands in while Redis is
 * unreachable, so the gateway stays up and still limits.
 */
export class Budget {
  private readonly name: string;
  private readonly subjects: RateLimiterAbstract;
  private readonly addresses: RateLimiterAbstract;

  constructor(
    name: string,
    options: BudgetOptions,
    private readonly shared: { redis?: Redis | Cluster; prefix: string; logger: Logger; onRefused?: (budget: string) => void },
  ) {
    this.name = name;
    const limiter = (points: number, kind: string): RateLimiterAbstract => {
      const keyPrefix = `${name}:${kind}`;
      const local = new RateLimiterMemory({ points, duration: options.windowSeconds, keyPrefix });
      return shared.redis
        ? new RateLimiterRedis({ storeClient: shared.redis, points, duration: options.windowSeconds, keyPrefix: `${shared.prefix}${keyPrefix}`, insuranceLimiter: local })
        : local;
    };
    this.subjects = limiter(options.points, 'subject');
    this.addresses = limiter(options.anonymousPoints, 'address');
  }

  /** Charges a caller; the milliseconds to wait when its budget is spent, undefined when within it. */
  async charge(principal: Principal | undefined, address: string, points: number): Promise<number | undefined> {
    const waitMs = await this.consume(principal, address, points);
    if (waitMs !== undefined) this.shared.onRefused?.(this.name);
    return waitMs;
  }

  /**
   * Spends a caller's budget on work already done (a validation, an answer sent): it refuses nothing, so it
   * counts no refusal; the caller's next requests find the budget spent.
   */
  async spend(principal: Principal | undefined, address: string, points: number): Promise<void> {
    await this.consume(principal, address, points);
  }

  private async consume(principal: Principal | undefined, address: string, points: number): Promise<number | undefined> {
    const subject = principal && principal.role !== 'ANONYMOUS' ? principal.sub : null;
    try {
      await (subject ? this.subjects.consume(subject, points) : this.addresses.consume(address, points));
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return error.msBeforeNext;
      this.shared.logger.error({ err: error }, 'rate limiter failed; request let through');
      return undefined;
    }
  }
}

/** Whole seconds to wait, for Retry-After. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Characters of document text that cost one more request point. */
export const DOCUMENT_CHARS_PER_POINT = 1000;

/**
 * Bytes of answer that cost one more request point, spent after the answer is sent.
 * Measured on the `npm start` demo (2026-12-03): thirty aliased province → region → province
 * chains of the directory, sent anonymously, were answered with 205 kB in 65–240 ms (the cost
 * model counts that document above its bound since; documents of the same answer size pass it),
 * about as many points at this rate (21) as its time at validation's 5 ms a point. A dashboard's
 * answers are a few kB.
 */
export const ANSWER_BYTES_PER_POINT = 10_000;

/**
 * Charges a request budget one point per request, and one more per {@link DOCUMENT_CHARS_PER_POINT}
 * characters of document it carries; a refused request is answered 429 with Retry-After before
 * anything else runs, cache hits included. Everyday documents and persisted queries cost one
 * point; a large document is charged before it is parsed or validated, so a burst of them (sent at
 * once, before validation-cost.ts's charges for their validation land) is bounded too. The
 * answer costs one point per {@link ANSWER_BYTES_PER_POINT} bytes, spent once it is sent:
 * shaping and serializing a large answer is the gateway's own work, which the bounds on a
 * document's cost only cap per request.
 */
export function rateLimitAdmission<C extends { principal: Principal }>(budget: Budget): Admission<C> {
  const principalOf = (context: () => Promise<C>) =>
    context().then(
      (c) => c.principal,
      () => undefined,
    );
  return {
    async admit({ req, context, documentChars }) {
      const waitMs = await budget.charge(await principalOf(context), clientAddress(req), 1 + Math.floor(documentChars / DOCUMENT_CHARS_PER_POINT));
      return waitMs === undefined ? undefined : tooMany(waitMs);
    },
    answered({ req, context }, answerBytes) {
      const points = Math.floor(answerBytes / ANSWER_BYTES_PER_POINT);
      if (points === 0) return;
      // Budget.spend never rejects; a failure here must still not become an unhandled rejection.
      void principalOf(context)
        .then((principal) => budget.spend(principal, clientAddress(req), points))
        .catch(() => undefined);
    },
  };
}

/** The client address of a request, as the socket sees it. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function tooMany(msBeforeNext: number): Refusal {
  const seconds = retryAfterSeconds(msBeforeNext);
  return {
    status: 429,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(seconds) },
    body: JSON.stringify({ errors: [{ message: `Too many requests; try again in ${seconds} s.`, extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds } }] }),
  };
}
