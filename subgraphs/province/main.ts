/**
 * Entry point of one province instance, configured either by a JSON file
 * (`node dist/subgraphs/province/main.js CONFIG.json`) or by the environment:
 * XIETONG_PROVINCE, XIETONG_DATABASE_URL, PORT, HOST, XIETONG_MAPPING_FILE (a JSON mapping),
 * XIETONG_ASSERTION_PUBLIC_KEY_FILE (the gateway's public key), XIETONG_WORKFLOW_PUBLIC_KEY_FILE
 * (the sharing service's, for 公物仓 transfers), and XIETONG_SEED_DEMO=true to
 * fill an empty database with demo data. XIETONG_TLS_* (common/tls.ts) serve HTTPS, also under a
 * config file without its own `tls`.
 */
import { readFileSync } from 'node:fs';
import { FULL_SCALE, generateProvince } from './seed/generator.js';
import { isSeeded, seedProvince } from './seed/seed.js';
import { startProvince } from './server.js';
import { openProvinceDatabase } from './db/database.js';
import { parseProvinceConfig } from './config.js';
import { serverTlsFromEnvironment } from '../../common/tls.js';
import { startTracing } from '../../common/tracing-setup.js';

function configFromEnvironment(): unknown {
  const env = process.env;
  if (!env.XIETONG_PROVINCE || !env.XIETONG_DATABASE_URL) {
    throw new Error('pass a CONFIG.json path, or set XIETONG_PROVINCE and XIETONG_DATABASE_URL (see README: How a province joins)');
  }
  return {
    provinces: [env.XIETONG_PROVINCE],
    database: env.XIETONG_DATABASE_URL,
    port: env.PORT ? Number(env.PORT) : 4100,
    ...(env.XIETONG_METRICS_PORT ? { metricsPort: Number(env.XIETONG_METRICS_PORT) } : {}),
    host: env.HOST ?? '0.0.0.0',
    assertionPublicKey: env.XIETONG_ASSERTION_PUBLIC_KEY_FILE ? readFileSync(env.XIETONG_ASSERTION_PUBLIC_KEY_FILE, 'utf8') : '',
    ...(env.XIETONG_WORKFLOW_PUBLIC_KEY_FILE ? { workflowPublicKey: readFileSync(env.XIETONG_WORKFLOW_PUBLIC_KEY_FILE, 'utf8') } : {}),
    ...(env.XIETONG_MAPPING_FILE ? { mapping: JSON.parse(readFileSync(env.XIETONG_MAPPING_FILE, 'utf8')) } : {}),
  };
}

const tracing = startTracing(`xietong-province-${process.env.XIETONG_PROVINCE ?? ''}`.replace(/-$/, ''));
let service;
try {
  const raw = (process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : configFromEnvironment()) as Record<string, unknown>;
  // Key files are easier to protect than PEM pasted into JSON, so the variables serve a config file too.
  const config = parseProvinceConfig({
    ...raw,
    tls: raw.tls ?? serverTlsFromEnvironment(),
    ...(raw.metricsPort === undefined && process.env.XIETONG_METRICS_PORT ? { metricsPort: Number(process.env.XIETONG_METRICS_PORT) } : {}),
  });
  const database = await openProvinceDatabase(config.database, config.mapping);
  if (process.env.XIETONG_SEED_DEMO === 'true' && !(await isSeeded(database))) {
    for (const code of config.provinces) await seedProvince(database, generateProvince(code, FULL_SCALE));
  }
  service = await startProvince(config, database, { processMetrics: true });
  const stop = service.stop;
  service.stop = async () => {
    await stop();
    await database.close();
  };
} catch (error) {
  console.error(`xietong province: ${(error as Error).message}`);
  process.exit(2);
}
const shutdown = () =>
  void service
    .stop()
    .then(() => tracing?.stop())
    .then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
