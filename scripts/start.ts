/**
 * `npm start`: the whole demo in one command — the directory, the nine demo provinces (each
 * over its own SQLite file, seeded with deterministic demo data on first start) and the
 * gateway on http://localhost:4000/graphql. Ctrl-C stops everything.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../common/subgraphs.js';
import { FULL_SCALE } from '../subgraphs/province/seed/generator.js';
import { startDemoStack } from './demo-stack.js';

const port = Number(process.env.PORT ?? 4000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${process.env.PORT}"`);
  process.exit(1);
}
const dataDir = process.env.XIETONG_DATA_DIR ?? join(REPO_ROOT, 'data');
console.log(`Xietong demo: data in ${dataDir} (first start seeds 9 provinces; this takes a minute)`);
const started = Date.now();
const stack = await startDemoStack({ scale: FULL_SCALE, dataDir, basePort: port, onProgress: (m) => console.log(`  ${m}`) });
console.log(`\nready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`GraphQL + explorer: http://localhost:${stack.gateway.port}/graphql`);
console.log(`provinces: ${[...stack.provinces.keys()].join(', ')}\nCtrl-C to stop`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
