import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, gql, startTestStack } from './helpers.js';

let stack: DemoStack;
let gateway: RunningGateway;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000', '320000']);
  gateway = await startGateway(await gatewayOptionsFor(stack, { responseCache: { ttlSeconds: 60, maxEntries: 100 } }));
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

/** The samples of a Prometheus text exposition: `name{labels}` -> value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url.replace('/graphql', '/metrics'));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

/** The value of the sample whose name is `name` and whose labels include every given one. */
function value(samples: Map<string, number>, name: string, labels: Record<string, string>): number | undefined {
  for (const [key, v] of samples) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (Object.entries(labels).every(([k, l]) => key.includes(`${k}="${l}"`))) return v;
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  it('the gateway counts operations by name and outcome, cache hits and misses, province and subgraph fetches and their failures', async () => {
    const POOL = 'query MetricsPool { assets(filter: { offeredToPool: true }) { totalCount } }';
    expect((await gql(gateway.url, POOL)).errors).toBeUndefined();
    expect((await gql(gateway.url, POOL)).errors).toBeUndefined();
    expect((await gql(gateway.url, 'query MetricsRegions { regions { code } }')).errors).toBeUndefined();
    await stack.stopProvince('320000');
    try {
      const partial = await gql(gateway.url, 'query MetricsVehicles { vehicles(first: 5) { totalCount } }');
      expect(partial.errors?.map((e) => e.extensions?.code)).toEqual(['PROVINCE_UNAVAILABLE']);
    } finally {
      await stack.restartProvince('320000');
    }
    const s = await scrape(gateway.url);
    expect(value(s, 'xietong_gateway_request_duration_seconds_count', { operation: 'MetricsPool', outcome: 'ok', service: 'gateway' })).toBe(2);
    expect(value(s, 'xietong_gateway_request_duration_seconds_count', { operation: 'MetricsVehicles', outcome: 'partial' })).toBe(1);
    expect(value(s, 'xietong_response_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(value(s, 'xietong_response_cache_requests_total', { result: 'miss' })).toBeGreaterThanOrEqual(3);
    expect(value(s, 'xietong_province_fetch_duration_seconds_count', { province: '320000', outcome: 'unavailable' })).toBeGreaterThanOrEqual(1);
    expect(value(s, 'xietong_province_fetch_duration_seconds_count', { province: '310000', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(value(s, 'xietong_subgraph_fetch_duration_seconds_count', { subgraph: 'directory', outcome: 'ok' })).toBe(1);
    expect(value(s, 'xietong_province_circuit_open', { province: '320000' }) ?? 0).toBe(0);
    // Histogram buckets are cumulative and end at +Inf with the count.
    expect(value(s, 'xietong_gateway_request_duration_seconds_bucket', { operation: 'MetricsPool', le: '+Inf' })).toBe(2);
  });

  it('operation names a client chooses cannot grow the series without bound', async () => {
    for (let i = 0; i < 120; i++) await gql(gateway.url, `query Burst${i} { regions { code } }`);
    const s = await scrape(gateway.url);
    const names = new Set([...s.keys()].filter((k) => k.startsWith('xietong_gateway_request_duration_seconds_count')).map((k) => /operation="([^"]*)"/.exec(k)?.[1]));
    expect(names.size).toBeLessThanOrEqual(101);
    expect(names.has('other')).toBe(true);
  });

  it('each subgraph measures its operations and, with a database, its statements and pool', async () => {
    const province = await scrape(stack.provinces.get('310000')!.url);
    expect(value(province, 'xietong_subgraph_request_duration_seconds_count', { service: 'province', province: '310000', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value(province, 'xietong_db_statement_duration_seconds_count', { database: '310000', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    const directory = await scrape(stack.directory.url);
    expect(value(directory, 'xietong_subgraph_request_duration_seconds_count', { service: 'directory' })).toBeGreaterThanOrEqual(1);
    const sharing = await scrape(stack.sharing.url);
    expect([...sharing.keys()].some((k) => k.startsWith('xietong_db_statement_duration_seconds_count{') && k.includes('database="sharing"'))).toBe(true);
  });
});
