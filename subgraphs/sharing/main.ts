/**
 * Entry point of the sharing service: `node dist/subgraphs/sharing/main.js CONFIG.json` (see
 * config.ts), or by the environment: XIETONG_SHARING_DATABASE_URL, XIETONG_PROVINCES
 * (`310000=http://…,320000=http://…`), XIETONG_ASSERTION_PUBLIC_KEY_FILE (the gateway's public
 * key), XIETONG_WORKFLOW_PRIVATE_KEY_FILE (this service's signing key), PORT, HOST,
 * XIETONG_METRICS_PORT (Prometheus metrics on a port of their own).
 * XIETONG_TLS_* serve HTTPS; XIETONG_SUBGRAPH_CA_FILE (and client cert) reach provinces over TLS.
 */
import { readFileSync } from 'node:fs';
import { readClientTls, serverTlsFromEnvironment, subgraphTlsFilesFromEnvironment } from '../../common/tls.js';
import { startSharing, type SharingService } from './server.js';
import { startTracing } from '../../common/tracing-setup.js';

function configFromEnvironment(): unknown {
  const env = process.env;
  const required = ['XIETONG_SHARING_DATABASE_URL', 'XIETONG_PROVINCES', 'XIETONG_ASSERTION_PUBLIC_KEY_FILE', 'XIETONG_WORKFLOW_PRIVATE_KEY_FILE'].filter((n) => !env[n]);
  if (required.length) throw new Error(`pass a CONFIG.json path, or set ${required.join(', ')}`);
  const provinces = Object.fromEntries(env.XIETONG_PROVINCES!.split(',').map((pair) => pair.trim().split('=') as [string, string]));
  return {
    database: env.XIETONG_SHARING_DATABASE_URL,
    provinces,
    assertionPublicKey: readFileSync(env.XIETONG_ASSERTION_PUBLIC_KEY_FILE!, 'utf8'),
    workflowPrivateKey: readFileSync(env.XIETONG_WORKFLOW_PRIVATE_KEY_FILE!, 'utf8'),
    port: env.PORT ? Number(env.PORT) : 4002,
    ...(env.XIETONG_METRICS_PORT ? { metricsPort: Number(env.XIETONG_METRICS_PORT) } : {}),
    host: env.HOST ?? '0.0.0.0',
  };
}

const tracing = await startTracing('xietong-sharing');
let service: SharingService;
try {
  const config = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : configFromEnvironment();
  service = await startSharing(config, { server: serverTlsFromEnvironment(), provinces: readClientTls(subgraphTlsFilesFromEnvironment()) }, { processMetrics: true });
} catch (error) {
  console.error(`xietong sharing: ${(error as Error).message}`);
  process.exit(2);
}
const shutdown = () =>
  void service
    .stop()
    .then(() => tracing?.stop())
    .then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
