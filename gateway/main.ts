/**
 * Production entry point: `node --max-semi-space-size=32 dist/gateway/main.js --supergraph FILE --port N [--config FILE]`
 * (the flag: node-flags.ts).
 * XIETONG_WORKERS=N (or `auto`, one per CPU) runs N gateway processes on the port through
 * node:cluster; they then share state through Redis, which is required for more than one.
 * XIETONG_METRICS_PORT serves Prometheus metrics on a port of their own (with workers: the
 * primary serves them all, summed); without it they are at /metrics of the gateway's port.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';
import { serveClusterMetrics } from '../common/metrics.js';
import { startTracing } from '../common/tracing-setup.js';

let config;
try {
  config = readGatewayConfig(process.argv.slice(2));
} catch (error) {
  console.error(`xietong gateway: ${(error as Error).message}`);
  process.exit(2);
}
const requested = process.env.XIETONG_WORKERS ?? '1';
const workers = requested === 'auto' ? availableParallelism() : Number(requested);
if (!Number.isInteger(workers) || workers < 1) {
  console.error(`xietong gateway: XIETONG_WORKERS must be a positive integer or "auto", got "${requested}"`);
  process.exit(2);
}
if (workers > 1 && !config.redis) {
  console.error('xietong gateway: more than one worker needs Redis (XIETONG_REDIS_URL) so the workers share registry, caches and invalidations');
  process.exit(2);
}

const { metricsPort, ...options } = config;
if (workers > 1 && cluster.isPrimary) {
  let stopping = false;
  // The primary answers scrapes with every worker's series summed; the workers expose none themselves.
  if (metricsPort !== undefined) await serveClusterMetrics(metricsPort);
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    console.error(`xietong gateway: worker ${worker.process.pid} exited (${code}); starting another`);
    cluster.fork();
  });
  const shutdown = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    let left = Object.keys(cluster.workers ?? {}).length;
    if (left === 0) process.exit(0);
    cluster.on('exit', () => --left === 0 && process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} else {
  const tracing = await startTracing('xietong-gateway');
  const gateway = await startGateway({ ...options, metrics: { port: metricsPort, processMetrics: true, clusterWorker: workers > 1 } });
  const shutdown = () =>
    void gateway
      .stop()
      .then(() => tracing?.stop())
      .then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
