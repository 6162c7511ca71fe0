import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoStack } from '../demo/demo-stack.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { startDirectory } from '../subgraphs/directory/server.js';
import type { RunningService } from '../common/http.js';
import { DEFAULT_REGIONS_FILE } from '../common/regions/region-file.js';
import { freePort, gatewayOptionsFor, gql, NATIONAL_ADMIN, startTestStack, TEST_KEYS, tokenFor } from './helpers.js';
import { provinceAudience, signAssertion } from '../common/auth/assertion.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';

// Regions are the directory's data: a file it re-reads. These tests change the file while every
// service runs and check that the gateway, the provinces and the sharing service follow it.
const STACK = ['110000', '320000', '340000', '510000'];
const base = JSON.parse(readFileSync(DEFAULT_REGIONS_FILE, 'utf8')) as { regions: { code: string; name: string; description: string; provinceCodes: string[] }[] };
const GBA = { code: 'GBA', name: '粤港澳大湾区', description: '《粤港澳大湾区发展规划纲要》(2019-02-18)', provinceCodes: ['440000', '810000', '820000'] };
// 长江经济带: 11 members, three of them (江苏, 安徽, 四川) instances of this test.
const YREB = {
  code: 'YREB',
  name: '长江经济带',
  description: '《长江经济带发展规划纲要》(2016-09)',
  provinceCodes: ['310000', '320000', '330000', '340000', '360000', '420000', '430000', '500000', '510000', '520000', '530000'],
};
const JOINED = ['320000', '340000', '510000'];

let dir: string;
let file: string;
let stack: DemoStack;
let directory: RunningService;
let gateway: RunningGateway;

const writeRegions = (regions: unknown) => writeFileSync(file, JSON.stringify({ regions }, null, 2));
/** Asks until the answer satisfies `done` (the directory re-reads its file, then the gateway the directory). */
async function until<T>(ask: () => Promise<T>, done: (value: T) => boolean, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await ask();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await ask();
  }
  return value;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xietong-regions-'));
  file = join(dir, 'regions.json');
  writeRegions(base.regions);
  stack = await startTestStack({ ...TEST_SCALE, agencies: 6 }, STACK);
  directory = await startDirectory({ port: 0, assertionPublicKey: TEST_KEYS.assertionPublicKey, regionsFile: file, regionsPollMs: 100 });
  gateway = await startGateway(
    await gatewayOptionsFor(stack, {
      subgraphUrls: { directory: directory.url, sharing: stack.sharing.url },
      regionsPollMs: 150,
      responseCache: { ttlSeconds: 60, maxEntries: 100 },
    }),
  );
});

afterAll(async () => {
  await gateway?.stop();
  await directory?.stop();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const YREB_QUERY = '{ assetSummary(scope: { region: "YREB" }) { provinceCount assetCount } }';

describe('regions are data the directory owns', () => {
  it('a region added to the file at run time is routed without a restart, and says which members have not joined', async () => {
    const before = await gql(gateway.url, YREB_QUERY);
    expect(before.errors?.[0]?.extensions?.code).toBe('UNKNOWN_REGION');

    writeRegions([...base.regions, YREB, GBA]);
    const after = await until(
      () => gql(gateway.url, YREB_QUERY),
      (r) => !r.errors,
    );
    expect(after.errors).toBeUndefined();
    const joined = await gql(gateway.url, `{ assetSummary(scope: { provinces: ${JSON.stringify(JOINED)} }) { provinceCount assetCount } }`);
    expect(after.data).toEqual(joined.data);
    expect((after.data!.assetSummary as { provinceCount: number }).provinceCount).toBe(3);
    // The members that are not instances here are named, so the figure is never taken for the whole region.
    const missing = YREB.provinceCodes.filter((c) => !JOINED.includes(c)).map((code) => ({ code, region: 'YREB', reason: 'NOT_REGISTERED' }));
    expect(after.extensions?.missingProvinces).toEqual(missing);
    // So does the summary itself.
    const flagged = await gql(gateway.url, '{ assetSummary(scope: { region: "YREB" }) { coverage { complete missingProvinces { code reason region } } } }');
    expect(flagged.data!.assetSummary.coverage).toEqual({ complete: false, missingProvinces: missing });
    // A cached answer says the same.
    const again = await gql(gateway.url, YREB_QUERY);
    expect(again.extensions?.missingProvinces).toEqual(missing);
    // So does a region's figure reached through the directory's Region entity.
    const entity = await gql(gateway.url, '{ region(code: "YREB") { assetSummary { provinceCount } } }');
    expect(entity.data).toEqual({ region: { assetSummary: { provinceCount: 3 } } });
    expect(entity.extensions?.missingProvinces).toEqual(missing);

    // A region none of whose members has joined still answers: zeros, and every member named.
    const none = await gql(gateway.url, '{ assetSummary(scope: { region: "GBA" }) { provinceCount assetCount coverage { complete missingProvinces { code reason } } } }');
    expect(none.errors).toBeUndefined();
    expect(none.data!.assetSummary).toEqual({
      provinceCount: 0,
      assetCount: 0,
      coverage: { complete: false, missingProvinces: ['440000', '810000', '820000'].map((code) => ({ code, reason: 'NOT_REGISTERED' })) },
    });

    // 香港 and 澳门 are valid members; a province may belong to several regions.
    const directoryView = await gql(gateway.url, '{ region(code: "GBA") { name provinces { code name } } province(code: "510000") { regions { code } } }');
    expect(directoryView.data).toEqual({
      region: {
        name: '粤港澳大湾区',
        provinces: [
          { code: '440000', name: '广东省' },
          { code: '810000', name: '香港特别行政区' },
          { code: '820000', name: '澳门特别行政区' },
        ],
      },
      province: { regions: [{ code: 'CY' }, { code: 'YREB' }] },
    });
  });

  it("a coordinator of a new region reads rows of its members only, and a member's removal takes its rows away", async () => {
    writeRegions([...base.regions, YREB, GBA]);
    const coordinator = tokenFor({ role: 'REGION_COORDINATOR', region: 'YREB', sub: 'coordinator-yreb' });
    const rows = '{ agencies(first: 100) { totalCount edges { node { id province { code } } } } }';
    const provincesOf = (r: Awaited<ReturnType<typeof gql>>) =>
      [...new Set((r.data!.agencies as { edges: { node: { province: { code: string } } }[] }).edges.map((e) => e.node.province.code))].sort();
    const visible = await until(
      () => gql(gateway.url, rows, undefined, { token: coordinator }),
      (r) => !r.errors,
    );
    expect(provincesOf(visible)).toEqual(JOINED);

    // 四川 and 安徽 leave the region: its coordinator reads only 江苏 from the next poll on.
    writeRegions([...base.regions, { ...YREB, provinceCodes: ['310000', '320000'] }, GBA]);
    const fewer = await until(
      () => gql(gateway.url, rows, undefined, { token: coordinator }),
      (r) => !r.errors && provincesOf(r).length === 1,
    );
    expect(provincesOf(fewer)).toEqual(['320000']);
  });

  it('a region removed from the file is unknown everywhere, and its coordinator tokens are refused', async () => {
    writeRegions(base.regions);
    const gone = await until(
      () => gql(gateway.url, YREB_QUERY),
      (r) => r.errors?.[0]?.extensions?.code === 'UNKNOWN_REGION',
    );
    expect(gone.errors![0].message).toContain('known regions are CY, JJJ, YRD');
    const refused = await gql(gateway.url, '{ regions { code } }', undefined, { token: tokenFor({ role: 'REGION_COORDINATOR', region: 'YREB', sub: 'coordinator-yreb' }) });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0]?.message).toContain('YREB is not a region of the directory');
    // The sharing service decides by the same table.
    const transfers = await gql(gateway.url, '{ assetTransfers(filter: { region: "YREB" }) { totalCount } }');
    expect(transfers.errors?.[0]?.extensions?.code).toBe('UNKNOWN_REGION');
    // An empty code names nothing there either: never an unfiltered list.
    const empty = await gql(gateway.url, '{ t: assetTransfers(filter: { region: "" }) { totalCount } b: vehicleBookings(filter: { province: "" }) { totalCount } }');
    expect(empty.errors?.map((e) => e.extensions?.code).sort()).toEqual(['UNKNOWN_PROVINCE', 'UNKNOWN_REGION']);
  });

  it('a province asked about a region its call does not carry answers UNKNOWN_REGION, never a zero', async () => {
    const bare = signAssertion(NATIONAL_ADMIN, TEST_KEYS.assertionPrivateKey, provinceAudience('320000'));
    const r = await gql(stack.provinces.get('320000')!.url, '{ assetSummary(scope: { region: "YRD" }) { provinceCount assetCount } }', undefined, { token: null, assertion: bare });
    expect(r.errors?.[0]?.extensions?.code).toBe('UNKNOWN_REGION');
    expect(r.data).toBeNull();
  });

  it('before the gateway has read any regions, a coordinator gets a retryable 503, not a 401', async () => {
    const closed = await freePort();
    const blind = await startGateway(
      await gatewayOptionsFor(stack, { subgraphUrls: { directory: `http://127.0.0.1:${closed}/graphql`, sharing: stack.sharing.url }, subgraphTimeoutMs: 500 }),
    );
    try {
      const res = await fetch(blind.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor({ role: 'REGION_COORDINATOR', region: 'YRD', sub: 'early' })}` },
        body: JSON.stringify({ query: '{ regions { code } }' }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
      const health = (await (await fetch(new URL('/health', blind.url))).json()) as { regions: { read: boolean } };
      expect(health.regions.read).toBe(false);
    } finally {
      await blind.stop();
    }
  });

  it('a file that does not parse is refused: at start-up with each problem named, later with the regions read before kept', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ regions: [{ code: 'gba', name: 'x', provinceCodes: ['440000', '990000'] }], extra: 1 }));
    await expect(startDirectory({ port: 0, assertionPublicKey: TEST_KEYS.assertionPublicKey, regionsFile: bad })).rejects.toThrow(
      /regions\.0\.code \(gba\): a region code is 2-16 capital letters.*regions\.0\.provinceCodes\.1 \(gba\): 990000 is not a provincial-level code Xietong serves.*Unrecognized key: "extra"/,
    );
    writeRegions([...base.regions, YREB]);
    await until(
      () => gql(gateway.url, YREB_QUERY),
      (r) => !r.errors,
    );
    writeFileSync(file, '{ "regions": [ { "code": "YRD", ');
    await new Promise((r) => setTimeout(r, 600));
    expect((await gql(gateway.url, YREB_QUERY)).errors).toBeUndefined();
  });
});
