/**
 * `npm run bench:fanout`: the fan-out and cold-start part of the performance targets, printed as
 * a table and written to bench-results/fanout.json. A benchmark, not a test.
 *
 * For 1, 3, 9 and 31 provinces (small data each), it starts the provinces and the directory in
 * this process (CPU 0, with autocannon) and the gateway as its own production process pinned to
 * CPU 1 (`taskset -c 1`, NODE_ENV=production), then measures:
 * - ready: spawn to "gateway listening";
 * - W2 fan-out at one connection: an unscoped dashboard query over every province, p50/p95/p99
 *   and requests/s, and province requests per gateway request (counted at the provinces);
 * - W3 cold plans: the first request of each of 20 never-seen operations, p50/p95;
 * - the gateway's peak RSS (VmHWM).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { PROVINCES } from '../../common/standards.js';
import { REPO_ROOT, SUPERGRAPH_PATH } from '../../common/subgraphs.js';
import { startDirectory } from '../../subgraphs/directory/server.js';
import { openProvinceDatabase } from '../../subgraphs/province/db/database.js';
import { generateProvince } from '../../subgraphs/province/seed/generator.js';
import { seedProvince } from '../../subgraphs/province/seed/seed.js';
import { startProvince, type ProvinceService } from '../../subgraphs/province/server.js';
import { DEV_TOKEN, generateDevKeys } from '../dev-keys.js';

// The in-process subgraphs log only warnings; the gateway child keeps its own level.
process.env.LOG_LEVEL ??= 'warn';
const SCALE = { agencies: 8, buildingsPerAgency: 2, assetsPerAgency: 20, vehiclesPerAgency: 3, years: [2025] };
const COUNTS = [1, 3, 9, 31];
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const QUERY = 'query Fanout { assetSummary { assetCount idleShare } assets(orderBy: ORIGINAL_VALUE_DESC, first: 10) { edges { node { id originalValue } } } }';

const keys = generateDevKeys();
const token = jwt.sign({ role: 'NATIONAL_ADMIN' }, keys.tokenPrivateKey, { algorithm: 'ES256', keyid: DEV_TOKEN.kid, issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, subject: 'bench', expiresIn: '1h' });
const dir = mkdtempSync(join(tmpdir(), 'xietong-bench-'));
writeFileSync(join(dir, 'token-public.pem'), keys.tokenPublicKey);
writeFileSync(join(dir, 'assertion-private.pem'), keys.assertionPrivateKey);

const directory = await startDirectory({ port: 0, assertionPublicKey: keys.assertionPublicKey });
const provinces: ProvinceService[] = [];
let provinceRequests = 0;
for (const p of PROVINCES.slice(0, Math.max(...COUNTS))) {
  const pdb = await openProvinceDatabase('sqlite::memory:');
  await seedProvince(pdb, generateProvince(p.code, SCALE));
  const service = await startProvince({ provinces: [p.code], database: 'sqlite::memory:', assertionPublicKey: keys.assertionPublicKey }, pdb);
  service.httpServer.on('request', () => provinceRequests++);
  provinces.push(service);
}

async function startGateway(n: number) {
  const config = join(dir, `gateway-${n}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      subgraphUrls: { directory: directory.url },
      provinces: provinces.slice(0, n).map((s) => ({ code: s.config.provinces[0], url: s.url })),
      auth: { issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, algorithms: ['ES256'], publicKeyFiles: { [DEV_TOKEN.kid]: join(dir, 'token-public.pem') }, assertionPrivateKeyFile: join(dir, 'assertion-private.pem') },
    }),
  );
  const started = process.hrtime.bigint();
  const child = spawn('taskset', ['-c', '1', process.execPath, join(REPO_ROOT, 'dist/gateway/main.js'), '--supergraph', SUPERGRAPH_PATH, '--port', '0', '--host', '127.0.0.1', '--config', config], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"gateway listening"')) resolve(JSON.parse(line).url);
    });
  });
  child.stdout!.resume();
  return { url, child, readyMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function timed(url: string, query: string) {
  const started = process.hrtime.bigint();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const results = [];
for (const n of COUNTS) {
  const gw = await startGateway(n);
  // W3 first: cold plans of never-seen operations (each a new document).
  const cold: number[] = [];
  for (let i = 0; i < 20; i++) cold.push(await timed(gw.url, `query Cold${i} { c${i}: assetSummary { assetCount } v${i}: vehicleSummary { vehicleCount } }`));
  for (let i = 0; i < 20; i++) await timed(gw.url, QUERY);
  const before = provinceRequests;
  const run = await autocannon({
    url: gw.url,
    method: 'POST',
    connections: 1,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: QUERY }),
  });
  const perRequest = (provinceRequests - before) / run.requests.total;
  const rss = readFileSync(`/proc/${gw.child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  const peakRssMb = rss ? Number(rss[1]) / 1024 : NaN;
  gw.child.kill('SIGTERM');
  await new Promise((r) => gw.child.once('exit', r));
  results.push({
    provinces: n,
    readyMs: Math.round(gw.readyMs),
    p50Ms: run.latency.p50,
    p95Ms: run.latency.p97_5,
    p99Ms: run.latency.p99,
    requestsPerSecond: Math.round(run.requests.average),
    errors: run.errors + run.non2xx,
    provinceRequestsPerRequest: Number(perRequest.toFixed(2)),
    coldFirstRequestP50Ms: Number(pct(cold, 50).toFixed(1)),
    coldFirstRequestP95Ms: Number(pct(cold, 95).toFixed(1)),
    peakRssMb: Math.round(peakRssMb),
  });
}

console.log(`\nW2 fan-out (one connection, ${DURATION_S} s each, gateway on CPU 1) and W3 cold plans\n`);
console.table(results);
const base = results[0].p50Ms;
console.log(`p50 growth from 1 to ${COUNTS.at(-1)} provinces: ${(results.at(-1)!.p50Ms / base).toFixed(2)}x (target <= 1.5x)`);
mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'bench-results', 'fanout.json'), JSON.stringify({ date: new Date().toISOString(), durationSeconds: DURATION_S, results }, null, 2));
for (const p of provinces) await p.stop();
for (const p of provinces) await p.database.close();
await directory.stop();
