import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { startGateway } from '../gateway/server.js';
import { gatewayOptionsFor, gql, startTestStack } from './helpers.js';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000', '320000', '330000', '340000'], 1500);
});
afterAll(() => stack?.stop());

const QUERY = `{
  region(code: "YRD") { energySummary(year: 2025) { provinceCount totalKgce } provinces { code energySummary(year: 2025) { provinceCount } } }
  assets(filter: { region: "YRD" }, first: 100) { totalCount edges { node { id } } }
}`;

it('a stopped province leaves a named error and the others still answer; it returns without a gateway restart', async () => {
  const full = await gql(stack.gateway.url, QUERY);
  expect(full.errors).toBeUndefined();
  expect(full.data!.region.energySummary.provinceCount).toBe(4);

  await stack.stopProvince('320000');
  const partial = await gql(stack.gateway.url, QUERY);
  expect(partial.data!.region.energySummary.provinceCount).toBe(3);
  // Only the stopped province's own figure is missing; the region and its other provinces remain.
  expect(partial.data!.region.provinces.map((p: { code: string; energySummary: unknown }) => [p.code, p.energySummary])).toEqual([
    ['310000', { provinceCount: 1 }],
    ['320000', null],
    ['330000', { provinceCount: 1 }],
    ['340000', { provinceCount: 1 }],
  ]);
  const ids: string[] = partial.data!.assets.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.some((id) => id.startsWith('320000'))).toBe(false);
  expect(partial.errors!.length).toBeGreaterThan(0);
  for (const e of partial.errors!) {
    expect(e.extensions).toMatchObject({ code: 'PROVINCE_UNAVAILABLE', province: '320000' });
    expect(e.message).toContain('江苏省');
    expect(JSON.stringify(e)).not.toMatch(/127\.0\.0\.1|http:|stack/);
  }

  await stack.restartProvince('320000');
  const again = await gql(stack.gateway.url, QUERY);
  expect(again.errors).toBeUndefined();
  expect(again).toEqual(full);
});

it('a province that hangs is cut off at the per-province timeout', async () => {
  const { createServer } = await import('node:http');
  const hung = createServer(() => {});
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  const port = (hung.address() as { port: number }).port;
  const real = stack.gateway.registry.get('340000')!;
  stack.gateway.registry.register({ code: '340000', url: `http://127.0.0.1:${port}/graphql` });
  try {
    const started = Date.now();
    const result = await gql(stack.gateway.url, '{ assetSummary(scope: { region: "YRD" }) { provinceCount } }');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.data!.assetSummary.provinceCount).toBe(3);
    expect(result.errors![0].extensions).toMatchObject({ code: 'PROVINCE_UNAVAILABLE', province: '340000' });
    expect(result.errors![0].message).toContain('1500 ms');
  } finally {
    stack.gateway.registry.register(real);
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  }
});

it('a plain subgraph that hangs is cut off at the same timeout and named, with no URL', async () => {
  const { createServer } = await import('node:http');
  const hung = createServer(() => {});
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  const port = (hung.address() as { port: number }).port;
  const gateway = await startGateway(await gatewayOptionsFor(stack, { subgraphUrls: { directory: `http://127.0.0.1:${port}/graphql` }, subgraphTimeoutMs: 800 }));
  try {
    const started = Date.now();
    const result = await gql(gateway.url, '{ regions { code } }');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.errors).toEqual([
      { message: expect.stringContaining('directory service could not be reached'), extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'directory' } },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/127\.0\.0\.1|800 ms|http:/);
  } finally {
    await gateway.stop();
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  }
});

it('a hanging province opens its circuit: later requests answer at once without it, and it is probed again after the pause', async () => {
  const { createServer } = await import('node:http');
  let hanging = 0;
  const hung = createServer(() => void (hanging += 1));
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  const port = (hung.address() as { port: number }).port;
  const options = await gatewayOptionsFor(stack, { subgraphTimeoutMs: 600, provinceGuard: { failuresToOpen: 2, halfOpenAfterMs: 4000 } });
  const gateway = await startGateway({ ...options, provinces: options.provinces!.map((p) => (p.code === '340000' ? { ...p, url: `http://127.0.0.1:${port}/graphql` } : p)) });
  const query = '{ assetSummary(scope: { region: "YRD" }) { provinceCount } }';
  try {
    for (let i = 0; i < 2; i++) expect((await gql(gateway.url, query)).errors![0].message).toContain('600 ms');
    expect(hanging).toBe(2);
    // The pause is long enough for the 20 requests below on a loaded machine (two Jest workers):
    // at 1.5 s, a slow run reached its end and the circuit probed the province mid-loop.
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const result = await gql(gateway.url, query);
      times.push(performance.now() - started);
      expect(result.data!.assetSummary.provinceCount).toBe(3);
      expect(result.errors![0].extensions).toMatchObject({ code: 'PROVINCE_UNAVAILABLE', province: '340000' });
      expect(result.errors![0].message).toContain('not asked again');
    }
    // None of them waited for the hanging province (its 600 ms timeout), nor reached it.
    expect(Math.max(...times)).toBeLessThan(600);
    expect(hanging).toBe(2);
    await new Promise((r) => setTimeout(r, 4100));
    await gql(gateway.url, query);
    expect(hanging).toBe(3);
  } finally {
    await gateway.stop();
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  }
});
