import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { dropDatabase, ensureDatabase } from '../demo/databases.js';
import { startDemoStack, type DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, startTcpProxy, TEST_KEYS, TEST_MYSQL_URL, TEST_POSTGRES_URL } from './helpers.js';

// 上海 reaches PostgreSQL through a proxy the test can cut; 浙江 is on MariaDB, 安徽 on SQLite.
const run = `xt_fault_${process.pid}_${Date.now().toString(36)}`;
let stack: DemoStack;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let shanghaiUrl: string;
let zhejiangUrl: string;

beforeAll(async () => {
  const pg = new URL(TEST_POSTGRES_URL);
  proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
  const direct = new URL(await ensureDatabase(TEST_POSTGRES_URL, `${run}_310000`));
  direct.port = String(proxy.port);
  shanghaiUrl = direct.toString();
  zhejiangUrl = await ensureDatabase(TEST_MYSQL_URL, `${run}_330000`);
  stack = await startDemoStack({
    scale: TEST_SCALE,
    basePort: 0,
    provinces: ['310000', '330000', '340000'],
    databases: { '310000': shanghaiUrl, '330000': zhejiangUrl },
    subgraphTimeoutMs: 2000,
    keys: TEST_KEYS,
  });
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
  await dropDatabase(TEST_POSTGRES_URL, `${run}_310000`);
  await dropDatabase(TEST_MYSQL_URL, `${run}_330000`);
});

const QUERY = `{ assetSummary(scope: { region: "YRD" }) { provinceCount assetCount }
  assets(filter: { region: "YRD" }, orderBy: ORIGINAL_VALUE_DESC, first: 50) { edges { node { id } } } }`;

it('a province whose database is cut off fails with an error naming it; the others answer; it recovers by itself', async () => {
  const full = await gql(stack.gateway.url, QUERY);
  expect(full.errors).toBeUndefined();
  expect(full.data!.assetSummary.provinceCount).toBe(3);

  proxy.block();
  const started = Date.now();
  const partial = await gql(stack.gateway.url, QUERY);
  expect(Date.now() - started).toBeLessThan(2500);
  expect(partial.data!.assetSummary.provinceCount).toBe(2);
  const ids: string[] = partial.data!.assets.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(ids.length).toBe(50);
  expect(ids.some((id) => id.startsWith('310000'))).toBe(false);
  expect(partial.errors!.length).toBeGreaterThan(0);
  for (const e of partial.errors!) {
    expect(e.extensions).toMatchObject({ code: 'PROVINCE_UNAVAILABLE', province: '310000' });
    expect(JSON.stringify(e)).not.toMatch(/postgres|xietong:|5432|select/i);
  }
  // The province instance itself is still up and answers quickly for the others' sake.
  expect((await fetch(stack.provinces.get('310000')!.url.replace('/graphql', '/health'))).status).toBe(200);

  proxy.unblock();
  const deadline = Date.now() + 10_000;
  let again = await gql(stack.gateway.url, QUERY);
  while (again.errors && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    again = await gql(stack.gateway.url, QUERY);
  }
  expect(again).toEqual(full);
});
