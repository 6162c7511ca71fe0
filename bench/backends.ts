/**
 * The benchmark's subgraph side, run as its own process on the load generator's CPU: the real
 * services (directory; 31 provinces on small in-memory SQLite data; one "combined" province
 * instance over all of them, which is what a gateway without sharding queries; the four W1
 * subgraphs) behind one replay server. Prints one JSON line with the replay URL and targets.
 *
 * Usage: node dist/bench/backends.js KEYS_DIR
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSERTION_HEADER, assertionMaker, provinceAudience, subgraphAudience } from '../common/auth/assertion.js';
import { PROVINCES } from '../common/standards.js';
import { startDirectory } from '../subgraphs/directory/server.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, type DemoScale } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince } from '../subgraphs/province/server.js';
import { startReplayServer } from './replay.js';
import { RegionMembership } from '../common/regions/membership.js';
import { readRegions } from '../common/regions/region-file.js';
import { startW1Subgraphs } from './w1/subgraphs.js';

process.env.LOG_LEVEL ??= 'warn';

/** Small data per province: enough for every dashboard figure, small enough to seed 31 in seconds. */
export const BENCH_SCALE: DemoScale = { agencies: 8, buildingsPerAgency: 2, assetsPerAgency: 20, years: [2024, 2025] };

const keysDir = process.argv[2];
if (!keysDir) throw new Error('usage: backends.js KEYS_DIR');
const assertionPublicKey = readFileSync(join(keysDir, 'assertion-public.pem'), 'utf8');
const assertionPrivateKey = readFileSync(join(keysDir, 'assertion-private.pem'), 'utf8');

const targets: Record<string, string> = {};
const stops: Array<() => Promise<void>> = [];

const directory = await startDirectory({ port: 0, host: '127.0.0.1', assertionPublicKey });
targets['/directory'] = directory.url;
stops.push(directory.stop);

const combinedDb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
for (const p of PROVINCES) {
  const data = generateProvince(p.code, BENCH_SCALE);
  const pdb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
  await seedProvince(pdb, data);
  await seedProvince(combinedDb, data);
  const service = await startProvince({ provinces: [p.code], database: 'sqlite::memory:', assertionPublicKey }, pdb);
  targets[`/province/${p.code}`] = service.url;
  stops.push(async () => {
    await service.stop();
    await pdb.close();
  });
}
const combined = await startProvince({ provinces: PROVINCES.map((p) => p.code), database: 'sqlite::memory:', assertionPublicKey }, combinedDb);
targets['/combined'] = combined.url;
stops.push(combined.stop);

const w1 = await startW1Subgraphs();
for (const [name, url] of Object.entries(w1.urls)) targets[`/w1/${name}`] = url;
stops.push(w1.stop);

// Peer gateways send no assertion; the replay server adds a national one, addressed to the target
// and carrying the default regions (a province decides region scopes by them), when it records.
const regions = RegionMembership.of(readRegions());
const audienceOf = (target: string) =>
  target === '/directory' ? subgraphAudience('directory') : provinceAudience(target.startsWith('/province/') ? target.slice('/province/'.length) : PROVINCES[0].code);
// One maker: the PEM key is parsed and the shared claims encoded once, not on every forwarded call.
const peerAssertion = assertionMaker({ role: 'NATIONAL_ADMIN', sub: 'bench-peer' }, assertionPrivateKey, { regions });
const replay = await startReplayServer({
  targets,
  defaultHeaders: (target) => ({ [ASSERTION_HEADER]: peerAssertion(audienceOf(target)) }),
});
console.log(JSON.stringify({ replayUrl: replay.url, targets: Object.keys(targets) }));

const shutdown = async () => {
  await replay.close();
  for (const stop of stops) await stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
