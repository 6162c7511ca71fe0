import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../scripts/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, post, startTestStack, TEST_REDIS_URL, tokenFor } from './helpers.js';

// Two replicas share one Redis: a caller's budget is one budget, whichever replica it reaches.
let stack: DemoStack;
let replicas: RunningGateway[];
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['320000']);
  const redisPrefix = `xt-fair-${randomUUID()}:`;
  const options = await gatewayOptionsFor(stack, { redis: { url: TEST_REDIS_URL }, redisPrefix, rateLimit: { points: 4, anonymousPoints: 3, windowSeconds: 60 } });
  replicas = [await startGateway(options), await startGateway(options)];
});
afterAll(async () => {
  for (const r of replicas ?? []) await r.stop();
  await stack?.stop();
});

const ask = (i: number, token: string | null) => post(replicas[i % 2].url, { query: '{ assetSummary { assetCount } }' }, { token });

describe('per-subject rate limits shared by replicas', () => {
  it('a signed-in subject gets its budget across both replicas, then 429 with Retry-After; another subject is unaffected', async () => {
    const alice = tokenFor({ role: 'ANALYST', sub: 'alice' });
    for (let i = 0; i < 4; i++) expect((await ask(i, alice)).status).toBe(200);
    const refused = await ask(4, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await ask(5, alice)).status).toBe(429);
    // A fresh token for the same subject is the same subject.
    expect((await ask(6, tokenFor({ role: 'ANALYST', sub: 'alice' }))).status).toBe(429);
    expect((await ask(7, tokenFor({ role: 'ANALYST', sub: 'bob' }))).status).toBe(200);
  });

  it('anonymous callers are limited per client address, and a broken token counts as anonymous', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask(i, null)).status);
    statuses.push((await ask(3, 'not-a-token')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('a cost model that weighs what a field costs', () => {
  it('refuses, before any province is asked, a document over its budget of province aggregate scans', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { limits: { maxProvinceScans: 20 } }));
    const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${randomUUID().slice(0, 8)}${i}: assetSummary { assetCount }`).join(' ')} }`;
    try {
      const before = statements();
      const res = await post(gateway.url, { query: aliased(30) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string; provinceScans: number; maximum: number } }[] };
      expect(body.data ?? null).toBeNull();
      expect(body.errors[0].extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', provinceScans: 30, maximum: 20 });
      expect(statements()).toBe(before);
      // Within the budget it runs.
      const fine = await post(gateway.url, { query: aliased(20) });
      expect(fine.status).toBe(200);
      // A page of rows each asking for its province's figure counts each time it asks.
      const perRow = (await (await post(gateway.url, { query: '{ assets(first: 25) { edges { node { province { assetSummary { assetCount } } } } } }' })).json()) as { errors?: { extensions: { code: string } }[] };
      expect(perRow.errors?.[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
    } finally {
      await gateway.stop();
    }
  });
});
