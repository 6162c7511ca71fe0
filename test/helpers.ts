import jwt from 'jsonwebtoken';
import { ASSERTION_HEADER, provinceAudience, signAssertion } from '../common/auth/assertion.js';
import type { Principal, UserRole } from '../common/auth/principal.js';
import { DEV_TOKEN, generateDevKeys } from '../demo/dev-keys.js';
import { startDemoStack, type DemoStack } from '../demo/demo-stack.js';
import { DEMO_PROVINCES, SERVER_TOPOLOGY } from '../demo/demo-topology.js';
import { openProvinceDatabase, type ProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, type DemoScale } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince, type ProvinceService } from '../subgraphs/province/server.js';
import { freePort } from '../demo/free-port.js';
import { RegionMembership } from '../common/regions/membership.js';
import { readRegions } from '../common/regions/region-file.js';

/** A GraphQL response as tests read it. */
export interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

/** Keys of this test run: user tokens and gateway assertions (never the development keys on disk). */
export const TEST_KEYS = generateDevKeys();

/** A user token for a role, signed like development tokens with this run's key. */
export function tokenFor(principal: Omit<Principal, 'sub'> & { sub?: string | null }, options: jwt.SignOptions = {}): string {
  // A region's members are the gateway's to resolve, never a claim of the token.
  const { sub, regionProvinces: _resolved, ...claims } = principal;
  return jwt.sign(claims, TEST_KEYS.tokenPrivateKey, {
    algorithm: 'ES256',
    keyid: DEV_TOKEN.kid,
    issuer: DEV_TOKEN.issuer,
    audience: DEV_TOKEN.audience,
    subject: sub ?? `test-${principal.role.toLowerCase()}`,
    expiresIn: '10m',
    ...options,
  });
}

/** The regions of deploy/regions.json, the directory's default, as assertions carry them. */
export const TEST_REGIONS = RegionMembership.of(readRegions());

/** The principal most integration tests act as: it may see everything. */
export const NATIONAL_ADMIN: Principal = { sub: 'test-national-admin', role: 'NATIONAL_ADMIN' };

/** One principal per user role (null: anonymous), bound to 长三角, 江苏 and the given 江苏 agency. */
export function principalsOfEveryRole(officerAgency: string): Record<UserRole, Principal | null> {
  return {
    NATIONAL_ADMIN,
    // As the gateway resolves it: the region's members from the directory's table.
    REGION_COORDINATOR: { sub: 'coordinator-yrd', role: 'REGION_COORDINATOR', region: 'YRD', regionProvinces: TEST_REGIONS.members('YRD') },
    PROVINCE_ADMIN: { sub: 'admin-js', role: 'PROVINCE_ADMIN', province: '320000' },
    AGENCY_OFFICER: { sub: `officer-${officerAgency}`, role: 'AGENCY_OFFICER', agency: officerAgency },
    ANALYST: { sub: 'analyst', role: 'ANALYST' },
    ANONYMOUS: null,
  };
}

/** How a test request authenticates: a user token for the gateway, an assertion for a subgraph reached directly. */
export interface Auth {
  token?: string | null;
  assertion?: string | null;
  /** Without an explicit assertion: sign a national administrator's for this audience (e.g. `province:320000`). */
  audience?: string;
}

/**
 * Posts a GraphQL operation to a URL, as a national administrator unless told otherwise
 * (`{ token: null }` is anonymous; an assertion is what a subgraph reached directly needs).
 */
export async function gql(url: string, query: string, variables?: Record<string, unknown>, auth: Auth = {}): Promise<Result> {
  const res = await post(url, { query, variables }, auth);
  return (await res.json()) as Result;
}

/** Posts a JSON body with the test's authentication headers (and any others given). */
export function post(url: string, body: unknown, auth: Auth = {}, headers: Record<string, string> = {}): Promise<Response> {
  const token = auth.token === undefined ? tokenFor(NATIONAL_ADMIN) : auth.token;
  const assertion =
    auth.assertion !== undefined ? auth.assertion : auth.audience ? signAssertion(NATIONAL_ADMIN, TEST_KEYS.assertionPrivateKey, auth.audience, { regions: TEST_REGIONS }) : null;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(assertion ? { [ASSERTION_HEADER]: assertion } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Starts the demo stack on ephemeral ports with in-memory databases. */
export function startTestStack(scale: DemoScale, provinces?: string[], subgraphTimeoutMs = 3000): Promise<DemoStack> {
  return startDemoStack({ scale, basePort: 0, provinces, subgraphTimeoutMs, keys: TEST_KEYS, saga: TEST_SAGA });
}

/** Saga timing for tests: quick polls and retries, a short lease so a restarted service resumes soon. */
export const TEST_SAGA = { pollMs: 100, leaseMs: 1500, backoffMs: 100, maxBackoffMs: 800 };

/**
 * One province instance over ONE database holding every listed province's data in the
 * standard layout: the reference a sharded answer must equal.
 */
export async function startCombinedReference(scale: DemoScale, provinces = DEMO_PROVINCES.map((p) => p.code)): Promise<ProvinceService & { pdb: ProvinceDatabase; auth: Auth }> {
  const pdb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
  for (const code of provinces) await seedProvince(pdb, generateProvince(code, scale));
  const service = await startProvince({ provinces, database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.assertionPublicKey }, pdb);
  const stopService = service.stop;
  return Object.assign(service, {
    pdb,
    /** It answers an assertion addressed to any province it serves. */
    auth: { audience: provinceAudience(provinces[0]) },
    async stop() {
      await stopService();
      await pdb.close();
    },
  });
}

/** The PostgreSQL server the tests use (a role that may create databases). */
export const TEST_POSTGRES_URL = process.env.XIETONG_TEST_POSTGRES_URL ?? 'postgres://xietong:xietong@127.0.0.1:5432/postgres';
/** The MariaDB/MySQL server the tests use (a user that may create `xt_%` databases). */
export const TEST_MYSQL_URL = process.env.XIETONG_TEST_MYSQL_URL ?? 'mysql://xietong:xietong@127.0.0.1:3306/';

/** Which server each demo province uses in the mixed topology: the same as `npm run start:servers`. */
export const MIXED_TOPOLOGY = SERVER_TOPOLOGY;

/**
 * Starts the demo stack with provinces spread over PostgreSQL, MariaDB and SQLite, each in a
 * fresh database of its own (dropped again by `stop`).
 */
export async function startMixedStack(scale: DemoScale, provinces = Object.keys(MIXED_TOPOLOGY), subgraphTimeoutMs = 3000): Promise<DemoStack> {
  const { ensureDatabase, dropDatabase } = await import('../demo/databases.js');
  const run = `xt_${process.pid}_${Date.now().toString(36)}`;
  const databases: Record<string, string> = {};
  const created: [string, string][] = [];
  for (const code of provinces) {
    const kind = MIXED_TOPOLOGY[code];
    if (kind === 'sqlite') continue;
    const server = kind === 'postgres' ? TEST_POSTGRES_URL : TEST_MYSQL_URL;
    databases[code] = await ensureDatabase(server, `${run}_${code}`);
    created.push([server, `${run}_${code}`]);
  }
  // The sharing service runs over PostgreSQL here: its no-double-booking rule is then the exclusion constraint.
  const sharingDatabase = await ensureDatabase(TEST_POSTGRES_URL, `${run}_sharing`);
  created.push([TEST_POSTGRES_URL, `${run}_sharing`]);
  const dropAll = async () => {
    for (const [server, name] of created) await dropDatabase(server, name);
  };
  const stack = await startDemoStack({ scale, basePort: 0, provinces, subgraphTimeoutMs, databases, sharingDatabase, keys: TEST_KEYS, saga: TEST_SAGA }).catch(
    async (error: unknown) => {
      await dropAll().catch(() => undefined);
      throw error;
    },
  );
  const stop = stack.stop;
  stack.stop = async () => {
    await stop();
    await dropAll();
  };
  return stack;
}

// In a module of their own: the cleanup run after every test file imports them, not this one.
export { TEST_REDIS_ROOT, TEST_REDIS_URL } from './redis-root.js';
import { TEST_REDIS_ROOT } from './redis-root.js';

/** A fresh key prefix under TEST_REDIS_ROOT, named for what uses it. */
export function testRedisPrefix(name: string): string {
  return `${TEST_REDIS_ROOT}${name}:${Math.random().toString(36).slice(2)}:`;
}

export { freePort };

/** A redis-server of the test's own on a spare port, which the test may stop and start. */
export async function startRedisServer(port?: number): Promise<{ url: string; port: number; stop(): Promise<void>; pause(): void; resume(): void }> {
  const { spawn } = await import('node:child_process');
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    /** Stops the server answering while its connections stay open (SIGSTOP): a hung Redis. */
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }),
  };
}

/** Writes this run's keys to files and returns the gateway `auth` config section naming them. */
export async function authConfigFiles(): Promise<Record<string, unknown>> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'xietong-keys-'));
  writeFileSync(join(dir, 'token-public.pem'), TEST_KEYS.tokenPublicKey);
  writeFileSync(join(dir, 'assertion-private.pem'), TEST_KEYS.assertionPrivateKey, { mode: 0o600 });
  return {
    issuer: DEV_TOKEN.issuer,
    audience: DEV_TOKEN.audience,
    algorithms: ['ES256'],
    publicKeyFiles: { [DEV_TOKEN.kid]: join(dir, 'token-public.pem') },
    assertionPrivateKeyFile: join(dir, 'assertion-private.pem'),
  };
}

/** A gateway process started from dist/gateway/main.js; resolves once it listens. */
export async function spawnGateway(configFile: string, env: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const { join } = await import('node:path');
  const { REPO_ROOT, SUPERGRAPH_PATH } = await import('../common/subgraphs.js');
  const { GATEWAY_NODE_FLAGS } = await import('../gateway/node-flags.js');
  const child = spawn(
    process.execPath,
    [...GATEWAY_NODE_FLAGS, join(REPO_ROOT, 'dist/gateway/main.js'), '--supergraph', SUPERGRAPH_PATH, '--port', '0', '--host', '127.0.0.1', '--config', configFile],
    {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway did not start')), 20_000);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'gateway listening') {
          clearTimeout(timer);
          resolve(entry.url!);
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A TCP proxy in front of a server, whose traffic a test can cut and restore. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<{ port: number; block(): void; unblock(): void; stop(): Promise<void> }> {
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let blocked = false;
  const server = net.createServer((client) => {
    if (blocked) return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    block() {
      blocked = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    unblock() {
      blocked = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A three-node Redis Cluster of the test's own (no replicas), on spare ports. */
export async function startRedisCluster(): Promise<{ nodes: { host: string; port: number }[]; stop(): Promise<void> }> {
  const { spawn, execFile } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'xietong-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once('exit', () => r()), c.kill('SIGKILL'))))));
  };
  try {
    for (const port of ports) {
      for (let i = 0; i < 50; i++) {
        try {
          await run('redis-cli', ['-p', String(port), 'ping']);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (let i = 0; i < 100; i++) {
      const { stdout } = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
      if (stdout.includes('cluster_state:ok')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
}

/**
 * Options of a gateway in front of a test stack: its directory, the named provinces (all by
 * default), this run's keys; `extra` adds or overrides anything (Redis, caches, audit file…).
 */
export async function gatewayOptionsFor(stack: DemoStack, extra: Partial<import('../gateway/server.js').GatewayOptions> = {}, provinces = [...stack.provinces.keys()]) {
  const { readFileSync } = await import('node:fs');
  const { SUPERGRAPH_PATH } = await import('../common/subgraphs.js');
  const { devAuth } = await import('../demo/demo-stack.js');
  return {
    supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    port: 0,
    subgraphUrls: { directory: stack.directory.url, sharing: stack.sharing.url },
    provinces: provinces.map((code) => ({ code, url: stack.provinces.get(code)!.url })),
    auth: devAuth(TEST_KEYS),
    ...extra,
  };
}

/** Debian's Chromium, headless, with no background network (never a downloaded browser build). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
