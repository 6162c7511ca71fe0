/**
 * Entry point of one province instance, configured either by a JSON file
 * (`node dist/subgraphs/province/main.js CONFIG.json [--init]`) or by the environment:
 * XIETONG_PROVINCE, XIETONG_DATABASE_URL, PORT, HOST, XIETONG_MAPPING_FILE (a JSON mapping),
 * XIETONG_ASSERTION_PUBLIC_KEY_FILE (the gateway's public key), XIETONG_WORKFLOW_PUBLIC_KEY_FILE
 * (the sharing service's, for 公物仓 transfers), XIETONG_INIT=true (as --init: create the
 * database and standard tables when missing) and XIETONG_SEED_DEMO=true to fill an empty database
 * with demo data. Under a config file, the key files may be named in it (`assertionPublicKeyFile`,
 * `workflowPublicKeyFile`) or by the same variables, and PORT and HOST apply when it has no
 * port or host. XIETONG_TLS_* (common/tls.ts) serve HTTPS, also under a config file without its own `tls`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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
    host: env.HOST ?? '0.0.0.0',
    ...(env.XIETONG_MAPPING_FILE ? { mapping: JSON.parse(readFile(env.XIETONG_MAPPING_FILE, 'XIETONG_MAPPING_FILE')) } : {}),
  };
}

/** A file's text, or an error naming the setting that pointed to it. */
function readFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${setting} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The config file (or the environment's config) with key files read, PORT/HOST and --init applied. */
function resolveConfig(): Record<string, unknown> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { init: { type: 'boolean' } } });
  const env = process.env;
  const file = positionals[0];
  const raw = (file ? JSON.parse(readFile(file, 'config file')) : configFromEnvironment()) as Record<string, unknown>;
  const { assertionPublicKeyFile, workflowPublicKeyFile, ...config } = raw;
  const keyFile = (named: unknown, variable: string) => (typeof named === 'string' ? [named, `${file}: the key file`] : env[variable] ? [env[variable]!, variable] : undefined);
  const assertionKey = keyFile(assertionPublicKeyFile, 'XIETONG_ASSERTION_PUBLIC_KEY_FILE');
  const workflowKey = keyFile(workflowPublicKeyFile, 'XIETONG_WORKFLOW_PUBLIC_KEY_FILE');
  return {
    ...config,
    ...(config.assertionPublicKey === undefined ? { assertionPublicKey: assertionKey ? readFile(assertionKey[0], assertionKey[1]) : '' } : {}),
    ...(config.workflowPublicKey === undefined && workflowKey ? { workflowPublicKey: readFile(workflowKey[0], workflowKey[1]) } : {}),
    ...(config.port === undefined && env.PORT ? { port: Number(env.PORT) } : {}),
    ...(config.host === undefined && env.HOST ? { host: env.HOST } : {}),
    ...(values.init || env.XIETONG_INIT === 'true' ? { init: true } : {}),
    tls: config.tls ?? serverTlsFromEnvironment(),
    ...(config.metricsPort === undefined && env.XIETONG_METRICS_PORT ? { metricsPort: Number(env.XIETONG_METRICS_PORT) } : {}),
  };
}

const tracing = startTracing(`xietong-province-${process.env.XIETONG_PROVINCE ?? ''}`.replace(/-$/, ''));
let service;
try {
  // Key files are easier to protect than PEM pasted into JSON, so the variables serve a config file too.
  const config = parseProvinceConfig(resolveConfig());
  const database = await openProvinceDatabase(config.database, config.mapping, { init: config.init });
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
