import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { authConfigFiles, gatewayOptionsFor, gql, post, spawnGateway, startRedisServer, startTestStack, TEST_REDIS_URL, testRedisPrefix } from './helpers.js';

const TOKEN = 'test-admin-token-0123456789abcdef';
let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['500000', '510000']);
});
afterAll(() => stack?.stop());

let auth: Record<string, unknown>;
beforeAll(async () => {
  auth = await authConfigFiles();
});

function configFile(redisUrl: string, prefix: string, provinces: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'xietong-')), 'gateway.json');
  writeFileSync(
    file,
    JSON.stringify({
      subgraphUrls: { directory: stack.directory.url },
      provinces: provinces.map((code) => ({ code, url: stack.provinces.get(code)!.url })),
      redis: { url: redisUrl },
      redisPrefix: prefix,
      adminToken: TOKEN,
      auth,
    }),
  );
  return file;
}

const register = (gatewayUrl: string, code: string) =>
  fetch(new URL('/admin/provinces', gatewayUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code, url: stack.provinces.get(code)!.url }),
  });

async function provinceCount(url: string): Promise<number> {
  const r = await gql(url, '{ assetSummary(scope: { region: "CY" }) { provinceCount } }');
  expect(r.errors).toBeUndefined();
  return r.data!.assetSummary.provinceCount;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not within ${ms} ms`);
}

const QUERY = '{ region(code: "CY") { name } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const apq = (url: string, withQuery: boolean) =>
  post(url, { ...(withQuery ? { query: QUERY } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }).then(
    (r) => r.json() as Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>,
  );

describe('two gateway processes share one Redis', () => {
  it('a province registered through one is routed by the other within a second; an APQ registered through one is served by the other', async () => {
    const prefix = testRedisPrefix('shared');
    const [a, b] = await Promise.all([spawnGateway(configFile(TEST_REDIS_URL, prefix, ['500000'])), spawnGateway(configFile(TEST_REDIS_URL, prefix, ['500000']))]);
    try {
      expect(await provinceCount(b.url)).toBe(1);
      expect((await register(a.url, '510000')).status).toBe(200);
      const ms = await within(1000, async () => (await provinceCount(b.url)) === 2);
      expect(ms).toBeLessThan(1000);

      expect((await apq(b.url, false)).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect((await apq(a.url, true)).data).toEqual({ region: { name: '川渝' } });
      expect((await apq(b.url, false)).data).toEqual({ region: { name: '川渝' } });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('cluster workers', () => {
  it('XIETONG_WORKERS=2 serves from two processes on one port, sharing state through Redis', async () => {
    const prefix = testRedisPrefix('workers');
    const gw = await spawnGateway(configFile(TEST_REDIS_URL, prefix, ['500000']), { XIETONG_WORKERS: '2' });
    try {
      expect((await register(gw.url, '510000')).status).toBe(200);
      // Whichever worker answers, the registration reached it.
      for (let i = 0; i < 10; i++) await within(1000, async () => (await provinceCount(gw.url)) === 2);
      // The port answers once the first worker listens; the second may still be starting on a busy machine.
      const pids = new Set<number>();
      const deadline = Date.now() + 15_000;
      while (pids.size < 2 && Date.now() < deadline) {
        pids.add(((await (await fetch(gw.url.replace('/graphql', '/health'), { headers: { connection: 'close' } })).json()) as { pid: number }).pid);
      }
      expect(pids.size).toBe(2);
    } finally {
      await gw.stop();
    }
  });
});

describe('Redis going away', () => {
  it('queries still succeed while Redis is down; shared state works again when it returns', async () => {
    let redis = await startRedisServer();
    const prefix = 'xietong:fault:';
    const [a, b] = await Promise.all([spawnGateway(configFile(redis.url, prefix, ['500000'])), spawnGateway(configFile(redis.url, prefix, ['500000']))]);
    try {
      expect(await provinceCount(a.url)).toBe(1);
      await redis.stop();
      // Served from each replica's own routing table; APQ misses fall back to the full query.
      expect(await provinceCount(a.url)).toBe(1);
      expect(await provinceCount(b.url)).toBe(1);
      expect((await apq(a.url, true)).data).toEqual({ region: { name: '川渝' } });
      expect((await register(a.url, '510000')).status).toBe(503);

      redis = await startRedisServer(redis.port);
      // Both replicas reconnect and republish their routing table to the empty Redis.
      await within(5000, async () => (await register(a.url, '510000')).status === 200);
      await within(1000, async () => (await provinceCount(b.url)) === 2);
      expect((await apq(a.url, true)).data).toEqual({ region: { name: '川渝' } });
      expect((await apq(b.url, false)).data).toEqual({ region: { name: '川渝' } });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await redis.stop();
    }
  });
});

describe('Redis that stops answering', () => {
  it('holds no request for long: commands time out, and the gateway answers without its shared state', async () => {
    const redis = await startRedisServer();
    const { startGateway } = await import('../gateway/server.js');
    const { REDIS_COMMAND_TIMEOUT_MS } = await import('../gateway/shared-state/redis.js');
    const gateway = await startGateway({
      ...(await gatewayOptionsFor(stack, { redis: { url: redis.url }, redisPrefix: 'xietong:hung:', rateLimit: {}, responseCache: { ttlSeconds: 60, maxEntries: 100 } })),
    } as import('../gateway/server.js').GatewayOptions);
    const { tokenFor, NATIONAL_ADMIN } = await import('./helpers.js');
    const token = tokenFor(NATIONAL_ADMIN);
    const ask = async () => {
      const started = performance.now();
      const res = await post(gateway.url, { query: '{ assetSummary { assetCount } }' }, { token, assertion: null });
      return { ms: performance.now() - started, cache: res.headers.get('x-xietong-cache'), body: (await res.json()) as { data?: { assetSummary: { assetCount: number } } } };
    };
    try {
      const warm = await ask();
      const count = warm.body.data!.assetSummary.assetCount;
      expect(count).toBeGreaterThan(0);
      expect((await ask()).cache).toBe('hit');
      redis.pause();
      // The first command to time out drops the connection: that request waits about one
      // timeout, the next ones none, all answered (executed, without the cache).
      const first = await ask();
      expect(first.body.data?.assetSummary.assetCount).toBe(count);
      expect(first.ms).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS * 2.5);
      for (let i = 0; i < 3; i++) {
        const next = await ask();
        expect(next.body.data?.assetSummary.assetCount).toBe(count);
        // Waiting for a command would take the whole timeout; a loaded run took 532 ms without waiting.
        expect(next.ms).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS * 0.9);
      }
      redis.resume();
      // Once Redis answers again, the gateway reconnects and serves from the cache again.
      let again: Awaited<ReturnType<typeof ask>> | undefined;
      for (let waited = 0; waited < 10_000 && again?.cache !== 'hit'; waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
        again = await ask();
      }
      expect(again?.cache).toBe('hit');
      expect(again?.body.data?.assetSummary.assetCount).toBe(count);
    } finally {
      redis.resume();
      await gateway.stop();
      await redis.stop();
    }
  });
});

describe('Redis Cluster', () => {
  it('two gateways share the registry and APQ through a three-node cluster', async () => {
    const { startRedisCluster } = await import('./helpers.js');
    const { startGateway } = await import('../gateway/server.js');
    const cluster = await startRedisCluster();
    const options = await gatewayOptionsFor(stack, { redis: { cluster: cluster.nodes }, adminToken: TOKEN }, ['500000']);
    const a = await startGateway(options);
    const b = await startGateway(options);
    try {
      expect((await register(a.url, '510000')).status).toBe(200);
      await within(1000, async () => (await provinceCount(b.url)) === 2);
      expect((await apq(a.url, true)).data).toEqual({ region: { name: '川渝' } });
      expect((await apq(b.url, false)).data).toEqual({ region: { name: '川渝' } });
    } finally {
      await a.stop();
      await b.stop();
      await cluster.stop();
    }
  });
});
