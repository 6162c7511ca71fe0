import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayOptions } from '../gateway/server.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { Repository } from '../subgraphs/province/repository.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, NATIONAL_ADMIN, post, startTestStack, TEST_REDIS_URL, testRedisPrefix, tokenFor } from './helpers.js';

// A read that starts after a write has answered must see it, even while an identical read sent
// before the write is still in flight (which a later one would otherwise join), with or without
// the caches and Redis.

const admin = tokenFor(NATIONAL_ADMIN);
const POOL = 'query Pool { assets(filter: { province: "310000", offeredToPool: true }) { totalCount } }';
const HOLD_MS = 600;
const PREFIX = testRedisPrefix('read-after-write');

let stack: DemoStack;
let idle: string[] = [];
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000', '320000']);
  const repo = new Repository(stack.databases.get('310000')!);
  const rows = await repo.db
    .selectFrom(repo.source('assets'))
    .select('t.id')
    .where('t.status', '=', 'IN_USE')
    .where('t.offered_to_pool', '=', 0)
    .orderBy('t.id')
    .limit(3)
    .execute();
  for (const { id } of rows) await repo.update('assets', id, { status: 'IDLE' });
  idle = rows.map((r) => r.id);
});
afterAll(() => stack?.stop());

/** Forwards to a province, holding the answers of pool reads (not of writes) for HOLD_MS: a read in flight when the write comes. */
async function slowPoolReads(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString();
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      const answer = await fetch(new URL(req.url!, target), { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
      const bytes = Buffer.from(await answer.arrayBuffer());
      if (text.includes('offeredToPool') && !text.includes('mutation')) await new Promise((r) => setTimeout(r, HOLD_MS));
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', ...pick(answer.headers, 'x-xietong-session') });
      res.end(bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(target).pathname}`, server };
}

const pick = (headers: Headers, name: string): Record<string, string> => (headers.get(name) ? { [name]: headers.get(name)! } : {});

async function pooled(url: string): Promise<number> {
  const answer = (await (await post(url, { query: POOL }, { token: admin, assertion: null })).json()) as { data: { assets: { totalCount: number } } };
  return answer.data.assets.totalCount;
}

describe('a read that starts after a write sees it, though an identical read from before is in flight', () => {
  it.each([
    ['without caches or Redis', 0, {}],
    ['without caches, with Redis', 1, { redis: { url: TEST_REDIS_URL }, redisPrefix: `${PREFIX}a:` }],
    ['with the caches in Redis', 2, { redis: { url: TEST_REDIS_URL }, redisPrefix: `${PREFIX}b:`, responseCache: { ttlSeconds: 60, maxEntries: 100, dataVersionPollMs: 60_000 } }],
  ] as [string, number, Partial<GatewayOptions>][])('%s', async (_, asset, extra) => {
    const proxy = await slowPoolReads(stack.provinces.get('310000')!.url);
    const options = await gatewayOptionsFor(stack, extra);
    const gateway = await startGateway({ ...options, provinces: options.provinces.map((p) => (p.code === '310000' ? { ...p, url: proxy.url } : p)) } as GatewayOptions);
    try {
      const before = await pooled(gateway.url);
      const inFlight = pooled(gateway.url);
      await new Promise((r) => setTimeout(r, HOLD_MS / 4));
      const write = (await (
        await post(gateway.url, { query: `mutation { offerAssetToPool(input: { assetId: "${idle[asset]}" }) { asset { id offeredToPool } } }` }, { token: admin, assertion: null })
      ).json()) as {
        data?: { offerAssetToPool: { asset: { offeredToPool: boolean } } };
      };
      expect(write.data?.offerAssetToPool.asset.offeredToPool).toBe(true);
      const after = await pooled(gateway.url);
      expect(await inFlight).toBe(before);
      expect(after).toBe(before + 1);
    } finally {
      await gateway.stop();
      proxy.server.closeAllConnections();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});
