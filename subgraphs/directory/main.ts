/**
 * Entry point of the directory subgraph: `PORT=4001 node dist/subgraphs/directory/main.js`;
 * XIETONG_REGIONS_FILE names the regions file (default deploy/regions.json, re-read when it
 * changes); XIETONG_TLS_* (common/tls.ts) serve HTTPS.
 */
import { readFileSync } from 'node:fs';
import { serverTlsFromEnvironment, type ServerTls } from '../../common/tls.js';
import { startDirectory } from './server.js';
import { startTracing } from '../../common/tracing-setup.js';

const port = Number(process.env.PORT ?? 4001);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`xietong directory: PORT must be a TCP port number, got "${process.env.PORT}"`);
  process.exit(2);
}
const keyFile = process.env.XIETONG_ASSERTION_PUBLIC_KEY_FILE;
if (!keyFile) {
  console.error("xietong directory: set XIETONG_ASSERTION_PUBLIC_KEY_FILE to the gateway's public key (PEM)");
  process.exit(2);
}
let tls: ServerTls | undefined;
try {
  tls = serverTlsFromEnvironment();
} catch (error) {
  console.error(`xietong directory: ${(error as Error).message}`);
  process.exit(2);
}
const metricsPort = process.env.XIETONG_METRICS_PORT ? Number(process.env.XIETONG_METRICS_PORT) : undefined;
if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
  console.error(`xietong directory: XIETONG_METRICS_PORT must be a TCP port number, got "${process.env.XIETONG_METRICS_PORT}"`);
  process.exit(2);
}
const tracing = await startTracing('xietong-directory');
const service = await startDirectory({
  port,
  regionsFile: process.env.XIETONG_REGIONS_FILE || undefined,
  host: process.env.HOST ?? '0.0.0.0',
  assertionPublicKey: readFileSync(keyFile, 'utf8'),
  tls,
  metrics: { port: metricsPort, processMetrics: true },
}).catch((error: Error) => {
  // A regions file that does not parse names each problem; never a stack trace.
  console.error(`xietong directory: ${error.message}`);
  process.exit(2);
});
const shutdown = () =>
  void service
    .stop()
    .then(() => tracing?.stop())
    .then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
