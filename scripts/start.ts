/**
 * `npm start`: the whole demo in one command — the directory, the nine demo provinces (each
 * over its own SQLite file, seeded with deterministic demo data on first start) and the
 * gateway on http://localhost:4000/graphql. Ctrl-C stops everything.
 *
 * `npm run start:servers` (`--servers`): the same, with the provinces spread over the local
 * PostgreSQL, MariaDB and SQLite (databases xietong_<code>, created and seeded when missing),
 * the sharing service over PostgreSQL (xietong_demo4_sharing) and the gateway's shared state in Redis.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../common/subgraphs.js';
import { DEMO_DATA_VERSION, FULL_SCALE } from '../subgraphs/province/seed/generator.js';
import { redact } from '../common/db/dialects.js';
import { ensureDatabase } from '../demo/databases.js';
import { startDemoStack } from '../demo/demo-stack.js';
import { SERVER_TOPOLOGY } from '../demo/demo-topology.js';
import { DEV_KEYS_DIR, ensureDevKeys } from '../demo/dev-keys.js';
import { readManifest } from '../gateway/persisted/manifest.js';
import { logFormat } from '../common/logger.js';
import { startTracing } from '../common/tracing-setup.js';

const { values } = parseArgs({ options: { servers: { type: 'boolean', default: false } } });
// A person reads this demo's log: lines, not JSON (XIETONG_LOG_FORMAT=json restores JSON). Set
// before any service starts, so the province processes inherit it.
process.env.XIETONG_LOG_FORMAT ??= 'pretty';
try {
  logFormat();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const port = Number(process.env.PORT ?? 4000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${process.env.PORT}"`);
  process.exit(1);
}
// Demo data lives under its generator version: a newer generator seeds afresh instead of serving rows the old one made.
const dataDir = join(process.env.XIETONG_DATA_DIR ?? join(REPO_ROOT, 'data'), `demo-v${DEMO_DATA_VERSION}`);
const cacheSetting = process.env.XIETONG_RESPONSE_CACHE ?? 'on';
if (cacheSetting !== 'on' && cacheSetting !== 'off') {
  console.error(`XIETONG_RESPONSE_CACHE must be "on" or "off", got "${cacheSetting}"`);
  process.exit(1);
}
const adminToken = process.env.XIETONG_ADMIN_TOKEN || undefined;
if (adminToken !== undefined && adminToken.length < 24) {
  console.error('XIETONG_ADMIN_TOKEN must have at least 24 characters (it guards the admin API)');
  process.exit(1);
}
const databases: Record<string, string> = {};
let redis: { url: string } | undefined;
let sharingDatabase: string | undefined;
if (values.servers) {
  const servers = {
    postgres: process.env.XIETONG_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    mysql: process.env.XIETONG_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
  };
  redis = { url: process.env.XIETONG_REDIS_URL ?? 'redis://127.0.0.1:6379' };
  for (const [code, kind] of Object.entries(SERVER_TOPOLOGY)) {
    if (kind === 'sqlite') continue;
    try {
      databases[code] = await ensureDatabase(servers[kind], `xietong_demo${DEMO_DATA_VERSION}_${code}`);
    } catch (error) {
      console.error(`cannot create database xietong_demo${DEMO_DATA_VERSION}_${code} on ${redact(servers[kind])}: ${(error as Error).message}`);
      process.exit(1);
    }
  }
  try {
    sharingDatabase = await ensureDatabase(servers.postgres, `xietong_demo${DEMO_DATA_VERSION}_sharing`);
  } catch (error) {
    console.error(`cannot create database xietong_demo${DEMO_DATA_VERSION}_sharing on ${redact(servers.postgres)}: ${(error as Error).message}`);
    process.exit(1);
  }
}
const tracing = await startTracing('xietong-demo');
console.log(`Xietong demo: ${values.servers ? 'PostgreSQL, MariaDB and SQLite' : 'SQLite'} data (SQLite files in ${dataDir}); first start seeds 9 provinces`);
const started = Date.now();
const stack = await startDemoStack({
  scale: FULL_SCALE,
  dataDir,
  databases,
  sharingDatabase,
  redis,
  keys: ensureDevKeys(),
  basePort: port,
  adminToken,
  responseCache: cacheSetting === 'on' ? { ttlSeconds: 60, maxEntries: 5000 } : undefined,
  rateLimit: {},
  isolateProvinces: true,
  tripHistory: true,
  persistedOperations: { manifest: readManifest(join(REPO_ROOT, 'deploy', 'persisted-operations.json')), safelist: false },
  onProgress: (m) => console.log(`  ${m}`),
});
console.log(`\nready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`GraphQL + explorer: http://localhost:${stack.gateway.port}/graphql`);
console.log(`regional dashboard: http://localhost:${stack.gateway.port}/dashboard   metrics: http://localhost:${stack.gateway.port}/metrics`);
console.log(`development keys in ${DEV_KEYS_DIR}; a token: npm run token -- --role NATIONAL_ADMIN`);
console.log(`sharing: ${stack.sharing.url} (${stack.sharing.store.kind})`);
if (adminToken) console.log(`admin API: http://localhost:${stack.gateway.port}/admin/provinces (bearer XIETONG_ADMIN_TOKEN)`);
console.log(`provinces: ${[...stack.databases].map(([code, d]) => `${code} (${d.adapter.kind})`).join(', ')}\nCtrl-C to stop`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await stack.stop();
  await tracing?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
