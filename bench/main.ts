/**
 * `npm run bench`: Xietong beside stock @apollo/gateway and Hive Gateway, on the same supergraphs
 * and the same replayed subgraphs; prints the figures and ratio table and writes
 * bench-results/bench.json. A benchmark, not a test: see README "Benchmarks".
 *
 * Environment: BENCH_DURATION (seconds per run, default 5), BENCH_ROUNDS (A/B rounds, default 5),
 * BENCH_CONNECTIONS (default 16), BENCH_REDIS_URL (default redis://127.0.0.1:6379; "none" keeps
 * Xietong's caches in-process), BENCH_ONLY (comma-separated workloads: w1,w2,fanout,w3),
 * BENCH_CPU_PROF and BENCH_GC_TRACE (directories for every gateway's CPU profile and GC trace),
 * BENCH_PEERS (which Hive Gateway peers run in W1 and W2; stock Apollo Gateway always does) and
 * BENCH_BASELINE (another built checkout of Xietong, run beside this one in W1, W2 and the fan-out).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVINCES } from '../common/standards.js';
import { REPO_ROOT } from '../common/subgraphs.js';
import type { GatewayProcess } from './gateway-process.js';
import {
  BENCH_REDIS_PREFIX,
  measure,
  PEERS,
  post,
  redisCpu,
  startBackends,
  startXietong,
  tokenFor,
  writeSupergraph,
  type Backends,
  type RedisCpu,
  type RunFigures,
} from './harness.js';
import { percentile, runLoad, type Variant } from './load.js';
import { staleReadChecker } from './stale-checker.js';
import { w1Supergraph, xietongSupergraph } from './supergraphs.js';
import { coldOperations, FANOUT_QUERY, fanoutReferenceQuery, w1Requests, w2Requests, withGolden } from './workloads.js';
import { directCriticalPath } from './critical-path.js';
import { W1_QUERY } from './w1/subgraphs.js';
import { removeKeysUnder } from '../gateway/shared-state/remove-keys.js';

// Every process the bench starts inherits this environment: no Apollo key or reporting switch
// reaches a peer gateway or a W1 subgraph, which would report usage to Apollo.
for (const name of ['APOLLO_KEY', 'APOLLO_GRAPH_REF', 'APOLLO_GRAPH_ID', 'APOLLO_GRAPH_VARIANT', 'APOLLO_SCHEMA_REPORTING']) delete process.env[name];

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'w1,w2,fanout,w3').split(','));
const HIVE_PEERS = ['hive-gateway', 'hive-gateway+dedupe', 'hive-gateway+router-runtime'] as const;
const PEER_CHOICE = new Set(process.env.BENCH_PEERS === undefined ? HIVE_PEERS : process.env.BENCH_PEERS.split(',').filter(Boolean));
const unknownPeer = [...PEER_CHOICE].find((p) => !(HIVE_PEERS as readonly string[]).includes(p));
if (unknownPeer) throw new Error(`BENCH_PEERS: unknown peer ${unknownPeer} (known: ${HIVE_PEERS.join(', ')})`);
/**
 * Another built checkout of Xietong (`git worktree add DIR COMMIT`, its node_modules, `npm run
 * build`): it runs as "xietong-baseline" in the same rounds as this one, so a change is measured
 * against its parent on the same VM minutes, which vary more from run to run than most changes.
 */
const BASELINE = process.env.BENCH_BASELINE;
if (BASELINE && !existsSync(join(BASELINE, 'dist/gateway/main.js'))) throw new Error(`BENCH_BASELINE: ${BASELINE} has no dist/gateway/main.js (run npm run build there)`);
const FANOUT_COUNTS = process.env.BENCH_FANOUT_COUNTS ? process.env.BENCH_FANOUT_COUNTS.split(',').map(Number) : [1, 3, 9, PROVINCES.length];

/** Median with min and max of a figure over the valid runs. */
interface Spread {
  median: number;
  min: number;
  max: number;
}
const spread = (xs: number[]): Spread => ({ median: percentile(xs, 50), min: Math.min(...xs), max: Math.max(...xs) });
const FIGURES = [
  'requestsPerSecond',
  'p50Ms',
  'p95Ms',
  'p99Ms',
  'cpuSecondsPer1k',
  'redisCpuSecondsPer1k',
  'peakRssMb',
  'eventLoopDelayP99Ms',
  'subgraphRequestsPerRequest',
  'cacheHitShare',
] as const;

/** Sums up one gateway's runs: medians (min–max) of the valid ones, and every wrong answer. */
function summarize(runs: RunFigures[]) {
  const valid = runs.filter((r) => r.valid);
  const figures = Object.fromEntries(FIGURES.map((f) => [f, valid.length ? spread(valid.map((r) => r[f])) : null])) as Record<(typeof FIGURES)[number], Spread | null>;
  return {
    gateway: runs[0].gateway,
    validRuns: valid.length,
    runs: runs.length,
    wrongAnswers: runs.reduce((n, r) => n + r.wrong, 0),
    firstWrong: runs.find((r) => r.firstWrong)?.firstWrong,
    ...figures,
  };
}
type Summary = ReturnType<typeof summarize>;

const fmt = (s: Spread | null, digits = 1) => (s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : 'n/a');
function printTable(title: string, summaries: Summary[]) {
  console.log(`\n${title}`);
  console.table(
    Object.fromEntries(
      summaries.map((s) => [
        s.gateway,
        {
          'req/s': fmt(s.requestsPerSecond, 0),
          'p50 ms': fmt(s.p50Ms, 2),
          'p95 ms': fmt(s.p95Ms, 2),
          'p99 ms': fmt(s.p99Ms, 2),
          'CPU-s/1k': fmt(s.cpuSecondsPer1k, 2),
          ...(s.redisCpuSecondsPer1k && Number.isFinite(s.redisCpuSecondsPer1k.median) ? { 'Redis CPU-s/1k': fmt(s.redisCpuSecondsPer1k, 3) } : {}),
          'peak RSS MB': fmt(s.peakRssMb, 0),
          'ELD p99 ms': fmt(s.eventLoopDelayP99Ms, 1),
          'subgraph req/req': fmt(s.subgraphRequestsPerRequest, 2),
          ...(s.cacheHitShare && s.cacheHitShare.max > 0 ? { 'cache hits': fmt(s.cacheHitShare, 3) } : {}),
          valid: `${s.validRuns}/${s.runs}`,
          wrong: s.wrongAnswers,
        },
      ]),
    ),
  );
  for (const s of summaries) if (s.firstWrong) console.log(`  ${s.gateway}: first wrong answer: ${s.firstWrong}`);
}

/** Warms each gateway (recording the replays and checking one answer per variant), then alternates measured runs. */
async function alternate(
  backends: Backends,
  entries: Array<{ gateway: GatewayProcess; variants: Variant[]; connections: number; during?: () => Promise<void>; redis?: RedisCpu }>,
): Promise<Summary[]> {
  for (const e of entries) {
    const warm = await runLoad(e.gateway.url, e.variants, Math.min(4, e.connections), 1.5);
    if (warm.wrong) throw new Error(`${e.gateway.name} answered wrongly while warming up: ${warm.firstWrong}`);
  }
  const runs = new Map<string, RunFigures[]>(entries.map((e) => [e.gateway.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first, so no gateway always runs after the same neighbour.
    const order = entries.map((_, i) => entries[(i + round) % entries.length]);
    for (const e of order) {
      const figures = await measure(backends, e.gateway, e.variants, e.connections, DURATION, e.during, e.redis);
      runs.get(e.gateway.name)!.push(figures);
      process.stderr.write(
        `  ${e.gateway.name} round ${round + 1}: ${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50Ms.toFixed(2)} ms${figures.valid ? '' : ' (load generator saturated: not counted)'}${figures.wrong ? `, ${figures.wrong} wrong` : ''}\n`,
      );
    }
  }
  return [...runs.values()].map(summarize);
}

async function stopAll(gateways: GatewayProcess[]) {
  for (const g of gateways) await g.stop();
}

async function redisAvailable(): Promise<string | undefined> {
  if (REDIS_URL === 'none') return undefined;
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return REDIS_URL;
  } catch {
    console.warn(`Redis at ${REDIS_URL} is not reachable: Xietong's caches stay in-process for W2.`);
    return undefined;
  } finally {
    client.disconnect();
  }
}

const started = Date.now();
const backends = await startBackends();
const replay = backends.replayUrl;
const provinceUrls = PROVINCES.map((p) => ({ code: p.code, url: `${replay}/province/${p.code}` }));
const sharded = writeSupergraph('xietong-sharded', xietongSupergraph(replay, 'sharded'));
const combined = writeSupergraph('xietong-combined', xietongSupergraph(replay, 'combined'));
const report: Record<string, unknown> = { date: new Date().toISOString(), durationSeconds: DURATION, rounds: ROUNDS, connections: CONNECTIONS, node: process.version };
const ratios: Record<string, string> = {};
const rps = (list: Summary[], name: string) => list.find((s) => s.gateway === name)?.requestsPerSecond?.median ?? NaN;

if (ONLY.has('w1')) {
  console.log("\nW1: The Guild's federation benchmark query (4 subgraphs), caches off, Xietong auth on");
  const w1 = writeSupergraph('w1', w1Supergraph(replay));
  const gateways = [await startXietong('xietong', { supergraphFile: w1 })];
  if (BASELINE) gateways.push(await startXietong('xietong-baseline', { supergraphFile: w1, root: BASELINE }));
  const apollo = await PEERS['apollo-gateway'](w1);
  gateways.push(apollo);
  for (const peer of HIVE_PEERS.filter((p) => PEER_CHOICE.has(p))) {
    try {
      gateways.push(await PEERS[peer](w1));
    } catch (error) {
      // The Rust planner is a native package that may be missing on a platform; the others are not optional.
      if (peer !== 'hive-gateway+router-runtime') throw error;
      console.warn(`${peer} left out: ${(error as Error).message}`);
    }
  }
  const variants = await withGolden(apollo.url, w1Requests());
  const summaries = await alternate(
    backends,
    gateways.map((gateway) => ({ gateway, variants, connections: CONNECTIONS })),
  );
  printTable(`W1, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s`, summaries);
  // Overhead at one connection: the gateway's p50 minus the direct calls of its plan's critical path.
  const one = await runLoad(gateways[0].url, variants, 1, DURATION);
  const direct = await directCriticalPath(replay, readFileSync(w1, 'utf8'), W1_QUERY, () => post(gateways[0].url, JSON.parse(variants[0].body), variants[0].tokens?.[0]));
  const overhead = {
    gatewayP50Ms: one.p50Ms,
    directCriticalPathP50Ms: direct.p50Ms,
    planFetches: direct.fetches,
    subgraphCalls: direct.calls,
    overheadMs: one.p50Ms - direct.p50Ms,
  };
  console.log(
    `W1 at one connection: Xietong p50 ${one.p50Ms.toFixed(2)} ms; the plan's ${direct.fetches} fetches called directly, critical path p50 ${direct.p50Ms.toFixed(2)} ms; overhead ${overhead.overheadMs.toFixed(2)} ms (target <= 1 ms)`,
  );
  ratios['W1 Xietong / apollo-gateway req/s (target >= 3)'] = (rps(summaries, 'xietong') / rps(summaries, 'apollo-gateway')).toFixed(2);
  if (BASELINE) ratios['W1 Xietong / xietong-baseline req/s'] = (rps(summaries, 'xietong') / rps(summaries, 'xietong-baseline')).toFixed(3);
  if (PEER_CHOICE.has('hive-gateway')) ratios['W1 Xietong / hive-gateway req/s'] = (rps(summaries, 'xietong') / rps(summaries, 'hive-gateway')).toFixed(2);
  if (summaries.some((s) => s.gateway === 'hive-gateway+router-runtime'))
    ratios['W1 Xietong / hive-gateway+router-runtime req/s (target >= 1.2)'] = (rps(summaries, 'xietong') / rps(summaries, 'hive-gateway+router-runtime')).toFixed(2);
  ratios['W1 overhead at 1 connection, ms (target <= 1)'] = overhead.overheadMs.toFixed(2);
  report.w1 = { summaries, overhead };
  await stopAll(gateways);
}

if (ONLY.has('w2')) {
  console.log(`\nW2: dashboard mix over ${PROVINCES.length} provinces, distinct user per request; Xietong with its caches, peers over one combined province instance`);
  const redisUrl = await redisAvailable();
  const xietong = await startXietong('xietong', { supergraphFile: sharded, provinces: provinceUrls, responseCache: true, redisUrl });
  const apollo = await PEERS['apollo-gateway'](combined);
  const variants = await withGolden(apollo.url, w2Requests(300));
  const redisProbe = redisUrl ? await redisCpu(redisUrl) : undefined;
  // Each Xietong (and a baseline) gets its own stale-read checker, writing during its own runs.
  const checked = (gateway: GatewayProcess) => {
    const checker = staleReadChecker(gateway.url, tokenFor({ role: 'NATIONAL_ADMIN' }, `bench-stale-checker-${gateway.name}`));
    return { checker, entry: { gateway, variants, connections: CONNECTIONS, during: () => checker.runFor(DURATION * 1000), redis: redisProbe } };
  };
  const ours = checked(xietong);
  const baseline = BASELINE
    ? checked(await startXietong('xietong-baseline', { supergraphFile: sharded, provinces: provinceUrls, responseCache: true, redisUrl, root: BASELINE }))
    : undefined;
  const peers = [apollo, ...(PEER_CHOICE.has('hive-gateway') ? [await PEERS['hive-gateway'](combined)] : [])];
  const summaries = await alternate(backends, [ours.entry, ...(baseline ? [baseline.entry] : []), ...peers.map((gateway) => ({ gateway, variants, connections: CONNECTIONS }))]);
  printTable(`W2 dashboard mix, ${CONNECTIONS} connections (Xietong: response cache ${redisUrl ? 'in Redis with in-process LRU' : 'in-process'})`, summaries);
  const stale = ours.checker.result();
  console.log(`Stale-read checker (writes through Xietong during its runs): ${stale.writes} writes, ${stale.reads} reads after them, ${stale.stale} stale`);
  if (baseline) {
    const b = baseline.checker.result();
    console.log(`  xietong-baseline: ${b.writes} writes, ${b.reads} reads after them, ${b.stale} stale`);
    ratios['W2 Xietong / xietong-baseline req/s'] = (rps(summaries, 'xietong') / rps(summaries, 'xietong-baseline')).toFixed(3);
  }
  ratios['W2 Xietong (caches on) / apollo-gateway req/s (target >= 12)'] = (rps(summaries, 'xietong') / rps(summaries, 'apollo-gateway')).toFixed(1);
  ratios['W2 Xietong p99 ms, median and worst round (target <= 15 in every round)'] =
    `${(summaries[0].p99Ms?.median ?? NaN).toFixed(2)}, ${(summaries[0].p99Ms?.max ?? NaN).toFixed(2)}`;
  ratios['W2 stale reads after writes (target 0)'] = String(stale.stale);
  ratios['W2 Xietong peak RSS MB, median and worst round (target <= 300 in every round)'] =
    `${(summaries[0].peakRssMb?.median ?? NaN).toFixed(0)}, ${(summaries[0].peakRssMb?.max ?? NaN).toFixed(0)}`;
  report.w2 = { summaries, staleReads: stale, redis: Boolean(redisUrl) };
  redisProbe?.close();
  await stopAll([xietong, ...(baseline ? [baseline.entry.gateway] : []), ...peers]);
}

if (ONLY.has('fanout')) {
  console.log('\nW2 fan-out: one query over every registered province, caches off, one connection');
  const token = tokenFor({ role: 'NATIONAL_ADMIN' }, 'bench-fanout');
  const reference = await PEERS['apollo-gateway'](combined);
  const entries = [];
  for (const n of FANOUT_COUNTS) {
    const [golden] = await withGolden(reference.url, [{ body: JSON.stringify({ query: fanoutReferenceQuery(n) }) }]);
    const variants = [{ body: JSON.stringify({ query: FANOUT_QUERY }), tokens: [token], golden: golden.golden }];
    const options = { supergraphFile: sharded, provinces: provinceUrls.slice(0, n) };
    entries.push({ gateway: await startXietong(`xietong ${n} provinces`, options), variants, connections: 1 });
    if (BASELINE) entries.push({ gateway: await startXietong(`xietong-baseline ${n} provinces`, { ...options, root: BASELINE }), variants, connections: 1 });
  }
  await reference.stop();
  const summaries = await alternate(backends, entries);
  printTable('W2 fan-out, one connection', summaries);
  const of = (name: string) => summaries.find((s) => s.gateway === name)!;
  const p50 = (n: number) => of(`xietong ${n} provinces`).p50Ms?.median ?? NaN;
  ratios[`W2 fan-out p50 growth 1 -> ${PROVINCES.length} provinces (target <= 1.5x)`] = `${(p50(FANOUT_COUNTS.at(-1)!) / p50(FANOUT_COUNTS[0])).toFixed(2)}x`;
  ratios['W2 fan-out subgraph requests per request (target = provinces)'] = FANOUT_COUNTS.map(
    (n) => `${n}: ${of(`xietong ${n} provinces`).subgraphRequestsPerRequest?.median.toFixed(2)}`,
  ).join(', ');
  if (BASELINE)
    ratios['W2 fan-out CPU per request, Xietong / xietong-baseline'] = FANOUT_COUNTS.map(
      (n) => `${n}: ${((of(`xietong ${n} provinces`).cpuSecondsPer1k?.median ?? NaN) / (of(`xietong-baseline ${n} provinces`).cpuSecondsPer1k?.median ?? NaN)).toFixed(3)}`,
    ).join(', ');
  report.fanout = { summaries };
  await stopAll(entries.map((e) => e.gateway));
}

if (ONLY.has('w3')) {
  console.log(`\nW3: cold plans, a fresh gateway with ${PROVINCES.length} provinces, then 20 operations it has never seen`);
  const token = tokenFor({ role: 'NATIONAL_ADMIN' }, 'bench-cold');
  const ops = coldOperations(Number(process.env.BENCH_W3_OPERATIONS ?? 20));
  const kinds = {
    xietong: () => startXietong('xietong', { supergraphFile: sharded, provinces: provinceUrls }),
    'apollo-gateway': () => PEERS['apollo-gateway'](combined),
  };
  const results: Record<string, { readyMs: Spread; firstRequestP50Ms: Spread; firstRequestP95Ms: Spread; errors: number }> = {};
  for (const [name, start] of Object.entries(kinds)) {
    // One pass records the subgraph answers, so the measured passes replay them.
    const recorder = await start();
    for (const query of ops) await post(recorder.url, { query }, token);
    await recorder.stop();
    const ready: number[] = [];
    const p50: number[] = [];
    const p95: number[] = [];
    let errors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const gateway = await start();
      ready.push(gateway.readyMs);
      const times: number[] = [];
      for (const query of ops) {
        const t = performance.now();
        const answer = await post(gateway.url, { query }, token);
        times.push(performance.now() - t);
        if (answer.errors) errors++;
      }
      process.stderr.write(`  ${name} round ${round + 1}: ready ${gateway.readyMs.toFixed(0)} ms, operations ${times.map((t) => t.toFixed(1)).join(' ')} ms\n`);
      p50.push(percentile(times, 50));
      p95.push(percentile(times, 95));
      await gateway.stop();
    }
    results[name] = { readyMs: spread(ready), firstRequestP50Ms: spread(p50), firstRequestP95Ms: spread(p95), errors };
  }
  console.table(
    Object.fromEntries(
      Object.entries(results).map(([k, v]) => [
        k,
        { 'ready ms': fmt(v.readyMs, 0), 'first request p50 ms': fmt(v.firstRequestP50Ms, 1), 'first request p95 ms': fmt(v.firstRequestP95Ms, 1), errors: v.errors },
      ]),
    ),
  );
  ratios["W3 first request of a new operation p95 ms, Xietong and stock (target: Xietong <= stock's)"] =
    `${results.xietong.firstRequestP95Ms.median.toFixed(1)}, ${results['apollo-gateway']?.firstRequestP95Ms.median.toFixed(1) ?? 'n/a'}`;
  ratios[`W3 Xietong ready ms with ${PROVINCES.length} provinces (target <= 3000)`] = results.xietong.readyMs.median.toFixed(0);
  report.w3 = results;
}

await backends.stop();
// The gateways' audit streams alone hold tens of megabytes a run: nothing stays in the shared server.
if (REDIS_URL !== 'none') {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const removed = await removeKeysUnder(client, BENCH_REDIS_PREFIX).catch(() => 0);
  client.disconnect();
  if (removed) console.log(`removed this run's ${removed} Redis keys (${BENCH_REDIS_PREFIX}*)`);
}
console.log('\nRatios and targets (medians)');
console.table(ratios);
report.ratios = ratios;
report.elapsedSeconds = Math.round((Date.now() - started) / 1000);
mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'bench-results', 'bench.json'), JSON.stringify(report, null, 2));
console.log(`\nwrote bench-results/bench.json (${report.elapsedSeconds} s)`);
process.exit(0);
