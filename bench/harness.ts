/**
 * What every workload of `npm run bench` shares: the keys and tokens, the backends process with
 * its replay server, the gateways under test (ours and the peers) and one measured run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killOnExit } from './children.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import jwt from 'jsonwebtoken';
import type { Principal } from '../common/auth/principal.js';
import { REPO_ROOT } from '../common/subgraphs.js';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.js';
import { DEV_TOKEN, generateDevKeys } from '../demo/dev-keys.js';
import { freePort } from '../demo/free-port.js';
import { spawnGateway, type GatewayProcess, type ProcessWindow } from './gateway-process.js';
import { runLoad, type LoadResult, type Variant } from './load.js';
import type { ReplayStats } from './replay.js';

/** Scratch space for one bench run: keys, configs, supergraphs and probe files. */
export const WORK_DIR = mkdtempSync(join(tmpdir(), 'xietong-bench-'));
const keys = generateDevKeys();
writeFileSync(join(WORK_DIR, 'token-public.pem'), keys.tokenPublicKey);
writeFileSync(join(WORK_DIR, 'assertion-private.pem'), keys.assertionPrivateKey);
writeFileSync(join(WORK_DIR, 'assertion-public.pem'), keys.assertionPublicKey);

/** A user token for a principal, valid for the length of the bench. */
export function tokenFor(principal: Partial<Principal> & Pick<Principal, 'role'>, subject: string): string {
  const { sub: _ignored, ...claims } = principal;
  return jwt.sign(claims, keys.tokenPrivateKey, { algorithm: 'ES256', keyid: DEV_TOKEN.kid, issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, subject, expiresIn: '2h' });
}

/** The backends process (CPU 0) and its replay server's control routes. */
export interface Backends {
  replayUrl: string;
  stats(): Promise<ReplayStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the subgraphs and the replay server in their own process on CPU 0. */
export async function startBackends(): Promise<Backends> {
  const child: ChildProcess = killOnExit(
    spawn('taskset', ['-c', '0', process.execPath, join(REPO_ROOT, 'dist/bench/backends.js'), WORK_DIR], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  // The subgraphs share CPU 0 with the load generator; ahead of it in the scheduler they answer
  // as promptly as subgraphs on machines of their own would (this needs root; otherwise a note).
  try {
    setPriority(child.pid!, -10);
  } catch {
    console.warn("could not raise the subgraphs' scheduling priority (not root): answers recorded after a write wait behind the load generator");
  }
  const replayUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`backends exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"replayUrl"')) resolve((JSON.parse(line) as { replayUrl: string }).replayUrl);
    });
  });
  return {
    replayUrl,
    stats: async () => (await (await fetch(`${replayUrl}/__stats`)).json()) as ReplayStats,
    reset: async () => void (await fetch(`${replayUrl}/__reset`, { method: 'POST' })),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Options of a Xietong gateway under test (the production entry point, gateway/main.ts). */
export interface XietongOptions {
  supergraphFile: string;
  provinces?: Array<{ code: string; url: string }>;
  responseCache?: boolean;
  redisUrl?: string;
  /** A built checkout of Xietong to run instead of this one (BENCH_BASELINE). */
  root?: string;
}

let configs = 0;

/** Where this bench run's gateways keep their shared state in Redis (removed when it ends). */
export const BENCH_REDIS_PREFIX = `xietong-bench:${process.pid}:`;

/** A rate budget no bench subject reaches: checked on every request (the cost measured), never refusing. */
const BENCH_BUDGET = { points: 10_000_000, anonymousPoints: 10_000_000, windowSeconds: 10 };

/** Starts Xietong's production gateway on the gateway CPU. */
export async function startXietong(name: string, options: XietongOptions): Promise<GatewayProcess> {
  const config = join(WORK_DIR, `gateway-${++configs}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      provinces: options.provinces ?? [],
      auth: {
        issuer: DEV_TOKEN.issuer,
        audience: DEV_TOKEN.audience,
        algorithms: ['ES256'],
        publicKeyFiles: { [DEV_TOKEN.kid]: join(WORK_DIR, 'token-public.pem') },
        assertionPrivateKeyFile: join(WORK_DIR, 'assertion-private.pem'),
      },
      // Rate limits on, as users run the gateway (issue 15), with budgets above what one bench
      // subject sends in a window: a refused request would not compare with the peers' answers.
      rateLimit: { requests: BENCH_BUDGET, provinceScans: BENCH_BUDGET },
      ...(options.responseCache ? { responseCache: { ttlSeconds: 60, maxEntries: 5000 } } : {}),
      ...(options.redisUrl ? { redis: { url: options.redisUrl }, redisPrefix: `${BENCH_REDIS_PREFIX}${configs}:` } : {}),
    }),
  );
  // Logging at warn, like the peers, so it prints no URL: it gets a free port and is polled.
  const port = await freePort();
  return spawnGateway(
    name,
    join(options.root ?? REPO_ROOT, 'dist/gateway/main.js'),
    ['--supergraph', options.supergraphFile, '--port', String(port), '--host', '127.0.0.1', '--config', config],
    WORK_DIR,
    {
      env: { XIETONG_WORKERS: '1' },
      readiness: { kind: 'health', url: `http://127.0.0.1:${port}/`, healthUrl: `http://127.0.0.1:${port}/health` },
      // As users run it (the Dockerfile's command); the peers run with Node's defaults, as theirs do.
      nodeFlags: options.root ? await nodeFlagsOf(options.root) : GATEWAY_NODE_FLAGS,
    },
  );
}

/** The node flags another built checkout runs its gateway with: its own, none before it had any (a baseline is measured as it shipped). */
async function nodeFlagsOf(root: string): Promise<readonly string[]> {
  const file = join(root, 'dist/gateway/node-flags.js');
  if (!existsSync(file)) return [];
  return ((await import(pathToFileURL(file).href)) as { GATEWAY_NODE_FLAGS: readonly string[] }).GATEWAY_NODE_FLAGS;
}

/** The peer gateways, each as its own process on the gateway CPU. */
export const PEERS = {
  'apollo-gateway': (supergraphFile: string) => spawnGateway('apollo-gateway', 'dist/bench/peers/apollo.js', [supergraphFile], WORK_DIR),
  'hive-gateway': (supergraphFile: string) => spawnGateway('hive-gateway', 'dist/bench/peers/hive.js', [supergraphFile], WORK_DIR),
  'hive-gateway+dedupe': (supergraphFile: string) => spawnGateway('hive-gateway+dedupe', 'dist/bench/peers/hive.js', [supergraphFile, '--dedupe'], WORK_DIR),
  'hive-gateway+router-runtime': (supergraphFile: string) =>
    spawnGateway('hive-gateway+router-runtime', 'dist/bench/peers/hive.js', [supergraphFile, '--router-runtime'], WORK_DIR),
} as const;

/** Writes a supergraph to the work dir and returns its path. */
export function writeSupergraph(name: string, sdl: string): string {
  const file = join(WORK_DIR, `${name}.graphql`);
  writeFileSync(file, sdl);
  return file;
}

/**
 * The CPU time the Redis server has used (INFO cpu, user + system, seconds). Redis shares this
 * machine's two CPUs with the gateway and the load generator, so what a request costs Redis
 * is part of what it costs: the bench reports it beside the gateway's own.
 */
export interface RedisCpu {
  seconds(): Promise<number>;
  close(): void;
}

/** Reads the CPU time of the Redis server at `url`. */
export async function redisCpu(url: string): Promise<RedisCpu> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  return {
    async seconds() {
      const info = await client.info('cpu');
      const field = (name: string) => Number(new RegExp(`^used_cpu_${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
      return field('user') + field('sys');
    },
    close: () => client.disconnect(),
  };
}

/** The figures of one measured run of one gateway. */
export interface RunFigures extends LoadResult, ProcessWindow {
  gateway: string;
  cpuSecondsPer1k: number;
  /** CPU-seconds the Redis server used per 1,000 requests (NaN for a gateway measured without one). */
  redisCpuSecondsPer1k: number;
  subgraphRequestsPerRequest: number;
  /** False when the load generator used 80% of its CPU or more: the run does not count. */
  valid: boolean;
}

/** One measured run: the gateway's window and the replay counts around one load run. */
export async function measure(
  backends: Backends,
  gateway: GatewayProcess,
  variants: Variant[],
  connections: number,
  seconds: number,
  during?: () => Promise<void>,
  redis?: RedisCpu,
): Promise<RunFigures> {
  await backends.reset();
  await gateway.beginWindow();
  const redisBefore = await redis?.seconds();
  const [load] = await Promise.all([runLoad(gateway.url, variants, connections, seconds), during?.()]);
  const redisSeconds = redis ? (await redis.seconds()) - redisBefore! : NaN;
  const window = await gateway.endWindow();
  const stats = await backends.stats();
  return {
    gateway: gateway.name,
    ...load,
    ...window,
    cpuSecondsPer1k: (window.cpuSeconds / load.requests) * 1000,
    redisCpuSecondsPer1k: (redisSeconds / load.requests) * 1000,
    subgraphRequestsPerRequest: stats.requests / load.requests,
    valid: load.loadGenCpu < 0.8,
  };
}

/** POSTs one GraphQL request and returns its parsed body. */
export async function post(url: string, body: unknown, token?: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}
