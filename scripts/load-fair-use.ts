/**
 * `npm run load:fair-use [-- --clients N] [--seconds S] [--data DIR]`: a load test of fair use,
 * not a timed test: it prints figures and asserts nothing.
 * 1. The demo as `npm start` runs it (each province in its own process, response cache and rate
 *    limits on, full demo scale in DIR, seeded on first run); from a process of their own, N
 *    signed-in clients send the heaviest documents the limits allow (fresh aliases of national
 *    aggregates, just under the province-scan budget, so no cache helps), while one dashboard
 *    repeats a cheap cached query.
 *    Prints the cheap query's p50/p99 and what the heavy clients got (answers, 400s, 429s).
 * 2. One province hangs: after its circuit opens, a region dashboard query's p50/p99.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../common/subgraphs.js';
import { DEFAULT_LIMITS } from '../gateway/auth/limits.js';
import { FULL_SCALE } from '../subgraphs/province/seed/generator.js';
import { startDemoStack } from '../demo/demo-stack.js';
import { ensureDevKeys, devToken } from '../demo/dev-keys.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '15' },
    data: { type: 'string', default: join(REPO_ROOT, 'data') },
    // Internal: the load generator's own process (so its work never runs on the gateway's event loop).
    'load-against': { type: 'string' },
    provinces: { type: 'string' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const keys = ensureDevKeys();

async function ask(url: string, query: string, token?: string): Promise<{ status: number; ms: number; errors: unknown[] }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  return { status: res.status, ms: performance.now() - started, errors: body.errors ?? [] };
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} requests)`;
const cheap = '{ vehicleSummary(scope: { region: "YRD" }) { vehicleCount newEnergyShare } }';
const dashboard = devToken(keys, { role: 'REGION_COORDINATOR', region: 'YRD', sub: 'load-dashboard' });

if (values['load-against']) {
  // Heavy clients against a cheap cached query; prints one JSON line for the parent.
  const url = values['load-against'];
  const aliases = Math.floor(DEFAULT_LIMITS.maxProvinceScans / Number(values.provinces));
  let serial = 0;
  const heavyDocument = () => `{ ${Array.from({ length: aliases }, (_, i) => `h${serial++}_${i}: assetSummary { assetCount originalValue }`).join(' ')} }`;
  await ask(url, cheap, dashboard);
  const outcomes = { answered: 0, refused400: 0, limited429: 0 };
  const heavyTimes: number[] = [];
  const until = Date.now() + seconds * 1000;
  const heavy = Array.from({ length: clients }, async (_, c) => {
    const token = devToken(keys, { role: 'ANALYST', sub: `load-heavy-${c}` });
    while (Date.now() < until) {
      const r = await ask(url, heavyDocument(), token);
      if (r.status !== 429) heavyTimes.push(r.ms);
      if (r.status === 429) outcomes.limited429 += 1;
      else if (r.status === 400) outcomes.refused400 += 1;
      else outcomes.answered += 1;
    }
  });
  const cheapTimes: number[] = [];
  while (Date.now() < until) {
    cheapTimes.push((await ask(url, cheap, dashboard)).ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(heavy);
  console.log(JSON.stringify({ aliases, outcomes, cheapTimes, heavyTimes }));
  process.exit(0);
}

const stack = await startDemoStack({
  scale: FULL_SCALE,
  dataDir: values.data,
  keys,
  basePort: 0,
  isolateProvinces: true,
  responseCache: { ttlSeconds: 60, maxEntries: 5000 },
  rateLimit: {},
  onProgress: (m) => console.log(`  ${m}`),
});
const url = stack.gateway.url;
const provinces = stack.provinces.size;

// 1. The load generator runs in its own process: only the gateway's own work is on its event loop.
const generator = spawn(
  process.execPath,
  [fileURLToPath(import.meta.url), '--load-against', url, '--provinces', String(provinces), '--clients', String(clients), '--seconds', String(seconds)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let output = '';
generator.stdout.on('data', (d) => (output += d));
await new Promise((resolve) => generator.once('exit', resolve));
const { aliases, outcomes, cheapTimes, heavyTimes } = JSON.parse(output.trim().split('\n').at(-1)!) as {
  aliases: number;
  outcomes: Record<string, number>;
  cheapTimes: number[];
  heavyTimes: number[];
};
console.log(
  `\n${clients} clients sending ${aliases} aliased national aggregates each (${aliases * provinces} province scans per request, budget ${DEFAULT_LIMITS.maxProvinceScans}) for ${seconds} s:`,
);
console.log(
  `  heavy requests: ${outcomes.answered} answered (${heavyTimes.length ? fmt(heavyTimes) : 'none'}), ${outcomes.refused400} refused (400), ${outcomes.limited429} rate-limited (429)`,
);
console.log(`  cheap cached query meanwhile: ${fmt(cheapTimes)}  (target p99 < 50 ms)`);

// 2. One province hangs: the breaker opens, then the region dashboard answers without it.
const hung = createServer(() => {});
await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
const real = stack.gateway.registry.get('340000')!;
stack.gateway.registry.register({ code: '340000', url: `http://127.0.0.1:${(hung.address() as { port: number }).port}/graphql` });
const region = '{ region(code: "YRD") { provinces { code energySummary(year: 2025) { kgcePerCapita } } energySummary(year: 2025) { totalKgce kgcePerCapita } } }';
const opening: number[] = [];
for (let i = 0; i < 3; i++) opening.push((await ask(url, region, dashboard)).ms);
const afterOpen: number[] = [];
for (let i = 0; i < 300; i++) afterOpen.push((await ask(url, region, dashboard)).ms);
console.log(`\none province (340000) hanging, subgraph timeout ${5000} ms:`);
console.log(`  first requests while the circuit opens: ${opening.map((ms) => ms.toFixed(0)).join(', ')} ms`);
console.log(`  region dashboard after it opened: ${fmt(afterOpen)}  (target p99 < 100 ms)`);

stack.gateway.registry.register(real);
hung.closeAllConnections();
await new Promise((r) => hung.close(r));
await stack.stop();
process.exit(0);
