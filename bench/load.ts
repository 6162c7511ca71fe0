/**
 * The load generator: autocannon, with every request's body and token chosen from a workload's
 * variants and every answer checked against that variant's golden data. Latencies are taken
 * per request (autocannon has no p95); the generator's own CPU share is measured, since a run
 * counts only if the generator was not the bottleneck.
 */
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';

/** One request a workload may send, with the data its answer must hold. */
export interface Variant {
  body: string;
  /** Bearer tokens to rotate through (a distinct user per request when there are many). */
  tokens?: string[];
  golden: unknown;
}

/** The outcome of one load run. */
export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Answers with errors, non-200 status or data other than the golden copy. */
  wrong: number;
  firstWrong?: string;
  /** The load generator's CPU use over the run, as a share of one CPU. */
  loadGenCpu: number;
  /** Share of answers a gateway marked as served from its response cache (x-xietong-cache: hit). */
  cacheHitShare: number;
}

/** The p-th percentile of samples (nearest rank). */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(samples).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

/** True when a response body is a 200 answer without errors whose data equals the golden data. */
export function matchesGolden(status: number, body: string, golden: unknown): boolean {
  if (status !== 200) return false;
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown };
    return !parsed.errors && isDeepStrictEqual(parsed.data, golden);
  } catch {
    return false;
  }
}

interface Connection {
  variant: number;
  started: number;
}

/** Runs `connections` connections against url for `seconds`, rotating through the variants. */
export async function runLoad(url: string, variants: Variant[], connections: number, seconds: number): Promise<LoadResult> {
  let next = 0;
  let wrong = 0;
  let firstWrong: string | undefined;
  const latencies: number[] = [];
  let hits = 0;
  // Bytes already checked per variant: most answers are byte-identical, so the check stays cheap.
  const known = variants.map(() => new Set<string>());
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request, context) => {
          const conn = context as unknown as Connection;
          const i = next++;
          const variant = variants[i % variants.length];
          conn.variant = i % variants.length;
          conn.started = performance.now();
          const token = variant.tokens?.[Math.floor(i / variants.length) % variant.tokens.length];
          return { ...request, body: variant.body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } };
        },
        onResponse: (status, body, context, headers) => {
          const conn = context as unknown as Connection;
          latencies.push(performance.now() - conn.started);
          if (headers?.['x-xietong-cache'] === 'hit') hits++;
          const seen = known[conn.variant];
          if (status === 200 && seen.has(body)) return;
          if (matchesGolden(status, body, variants[conn.variant].golden)) {
            if (seen.size < 64) seen.add(body);
            return;
          }
          wrong++;
          firstWrong ??= `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / wallSeconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    wrong: wrong + result.errors + result.timeouts,
    ...(firstWrong ? { firstWrong } : {}),
    loadGenCpu: (cpu.user + cpu.system) / 1e6 / wallSeconds,
    cacheHitShare: latencies.length ? hits / latencies.length : 0,
  };
}
