import type { IncomingMessage } from 'node:http';
import type { Redis, Cluster } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Admission, ShortcutAnswer } from '../../common/http.js';
import { ErrorCode } from '../../common/errors.js';
import type { Principal } from '../../common/auth/principal.js';
import type { Logger } from '../../common/logger.js';

/** Requests a caller may send per window: signed-in callers per subject, anonymous ones per client address. */
export interface RateLimitOptions {
  /** Requests per window of one signed-in subject. */
  points: number;
  /** Requests per window of one anonymous client address (or a caller whose token fails). */
  anonymousPoints: number;
  windowSeconds: number;
}

/** Generous for dashboards (a handful of operations every few seconds) and the explorer; far below abuse. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { points: 600, anonymousPoints: 200, windowSeconds: 10 };

/**
 * Per-subject rate limits (rate-limiter-flexible), shared by the replicas through Redis when it
 * is configured (an in-process limiter stands in while Redis is unreachable, so the gateway
 * stays up and still limits). A refused request is answered 429 with Retry-After before
 * anything else runs, cache hits included. Anonymous callers are counted per client address
 * as the socket sees it (behind a proxy, that is the proxy: limit there too).
 */
export function rateLimitAdmission<C extends { principal: Principal }>(options: Partial<RateLimitOptions>, shared: { redis?: Redis | Cluster; prefix: string; logger: Logger }): Admission<C> {
  const o = { ...DEFAULT_RATE_LIMIT, ...options };
  const limiter = (points: number, name: string): RateLimiterAbstract => {
    const local = new RateLimiterMemory({ points, duration: o.windowSeconds, keyPrefix: name });
    return shared.redis ? new RateLimiterRedis({ storeClient: shared.redis, points, duration: o.windowSeconds, keyPrefix: `${shared.prefix}${name}`, insuranceLimiter: local }) : local;
  };
  const subjects = limiter(o.points, 'rate:subject');
  const addresses = limiter(o.anonymousPoints, 'rate:address');
  return async ({ req, context }) => {
    const principal = await context().then((c) => c.principal, () => undefined);
    const signedIn = principal && principal.role !== 'ANONYMOUS' && principal.sub;
    try {
      if (signedIn) await subjects.consume(principal.sub!);
      else await addresses.consume(clientAddress(req));
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return tooMany(error.msBeforeNext);
      shared.logger.error({ err: error }, 'rate limiter failed; request let through');
      return undefined;
    }
  };
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function tooMany(msBeforeNext: number): ShortcutAnswer {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return {
    status: 429,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(seconds) },
    body: JSON.stringify({ errors: [{ message: `Too many requests; try again in ${seconds} s.`, extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds } }] }),
  };
}
