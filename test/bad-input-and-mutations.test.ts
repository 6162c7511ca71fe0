import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { Repository } from '../subgraphs/province/repository.js';
import { gql, startTestStack, tokenFor, type Result } from './helpers.js';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['320000', '330000', '340000']);
});
afterAll(() => stack?.stop());

function expectCleanError(result: Result, code: string) {
  expect(result.errors?.map((e) => e.extensions?.code)).toContain(code);
  const text = JSON.stringify(result);
  expect(text).not.toMatch(/stacktrace|at .*\.js:\d+|select |insert |update |127\.0\.0\.1/i);
}

describe('bad input gets a clear error with a stable code', () => {
  it.each([
    ['unknown province', '{ assets(filter: { province: "990000" }) { totalCount } }', 'UNKNOWN_PROVINCE'],
    ['province that has not joined', '{ assets(filter: { province: "440000" }) { totalCount } }', 'PROVINCE_NOT_REGISTERED'],
    ['unknown region', '{ energySummary(year: 2025, scope: { region: "ZZ" }) { totalKgce } }', 'UNKNOWN_REGION'],
    ['malformed cursor', '{ assets(after: "not-a-cursor") { totalCount } }', 'BAD_CURSOR'],
    [
      'cursor of another order',
      '{ assets(orderBy: NET_VALUE_DESC, after: "WyJJRF9BU0MiLCJBU0MiLCIzMjAwMDA6QVMtMDAwMDAwMSIsIjMyMDAwMDpBUy0wMDAwMDAxIl0") { totalCount } }',
      'BAD_CURSOR',
    ],
    ['first beyond the maximum', '{ assets(first: 101) { totalCount } }', 'PAGE_SIZE_EXCEEDED'],
    ['negative first', '{ vehicles(first: -1) { totalCount } }', 'BAD_USER_INPUT'],
    ['invalid document', '{ assets(first: "x") { totalCount } }', 'GRAPHQL_VALIDATION_FAILED'],
  ])('%s', async (_name, query, code) => {
    const result = await gql(stack.gateway.url, query);
    expectCleanError(result, code);
  });

  it('a negative or infinite value bound', async () => {
    expectCleanError(await gql(stack.gateway.url, '{ assets(filter: { minOriginalValue: -1 }) { totalCount } }'), 'BAD_USER_INPUT');
    expectCleanError(await gql(stack.gateway.url, '{ assets(filter: { maxOriginalValue: 1e300 }) { totalCount } }'), 'BAD_USER_INPUT');
  });

  it('value bounds filter by original value, as the raw rows say', async () => {
    const result = await gql(stack.gateway.url, '{ assets(filter: { minOriginalValue: 5000, maxOriginalValue: 20000.5 }) { totalCount } }');
    let expected = 0;
    for (const pdb of stack.databases.values()) {
      const r = new Repository(pdb);
      const rows = await r.db.selectFrom(r.source('assets')).select('t.original_value_fen').execute();
      expected += rows.filter((a) => a.original_value_fen >= 500_000 && a.original_value_fen <= 2_000_050).length;
    }
    expect(expected).toBeGreaterThan(0);
    expect(result.data!.assets.totalCount).toBe(expected);
  });

  it('first beyond the maximum in a variable', async () => {
    expectCleanError(await gql(stack.gateway.url, 'query($n: Int) { assets(first: $n) { totalCount } }', { n: 1_000_000 }), 'PAGE_SIZE_EXCEEDED');
  });

  it('a cursor-order mismatch reaches the province as one error, not one per province', async () => {
    const result = await gql(
      stack.gateway.url,
      '{ assets(orderBy: NET_VALUE_DESC, after: "WyJJRF9BU0MiLCJBU0MiLCIzMjAwMDA6QVMtMDAwMDAwMSIsIjMyMDAwMDpBUy0wMDAwMDAxIl0") { totalCount } }',
    );
    expect(result.errors).toHaveLength(1);
  });

  it('malformed JSON gets 400, not a crash', async () => {
    const res = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    const health = await fetch(stack.gateway.url.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
  });
});

const OFFER = `mutation($id: ID!, $key: String) { offerAssetToPool(input: { assetId: $id, idempotencyKey: $key }) { asset { id status offeredToPool } } }`;
const SUBMIT = `mutation($input: EnergyReportInput!) { submitEnergyReport(input: $input) { corrected report { id year electricityKwh heatMj totalKgce revision } } }`;

describe('mutations', () => {
  it('go to the one owning province only', async () => {
    const inUse = await gql(stack.gateway.url, '{ assets(filter: { province: "330000", status: IN_USE }, first: 1) { edges { node { id } } } }');
    const id = inUse.data!.assets.edges[0].node.id;
    const idle = await gql(stack.gateway.url, 'mutation($a: ID!) { setAssetStatus(input: { assetId: $a, status: IDLE }) { asset { status } } }', { a: id });
    expect(idle.data).toEqual({ setAssetStatus: { asset: { status: 'IDLE' } } });
    const before = [...stack.databases.entries()].map(([code, d]) => [code, d.statements()] as const);
    const result = await gql(stack.gateway.url, OFFER, { id, key: 'offer-1' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.offerAssetToPool.asset).toEqual({ id, status: 'IDLE', offeredToPool: true });
    const touched = before.filter(([code, n]) => stack.databases.get(code)!.statements() !== n).map(([code]) => code);
    expect(touched).toEqual(['330000']);

    const pool = await gql(stack.gateway.url, `{ asset(id: "${id}") { offeredToPool } }`);
    expect(pool.data!.asset.offeredToPool).toBe(true);
    const retry = await gql(stack.gateway.url, OFFER, { id, key: 'offer-1' });
    expect(retry.data).toEqual(result.data);
  });

  it('refuse unknown ids, wrong states and reused keys', async () => {
    expectCleanError(await gql(stack.gateway.url, OFFER, { id: '330000:AS-9999999' }), 'NOT_FOUND');
    expectCleanError(await gql(stack.gateway.url, OFFER, { id: 'nonsense' }), 'NOT_FOUND');
    const inUse = await gql(stack.gateway.url, '{ assets(filter: { province: "330000", status: IN_USE }, first: 1) { edges { node { id } } } }');
    const busy = inUse.data!.assets.edges[0].node.id;
    expectCleanError(await gql(stack.gateway.url, OFFER, { id: busy }), 'INVALID_STATE');
    // Keys live in the owning province's database: 'offer-1' was used there for another asset.
    expectCleanError(await gql(stack.gateway.url, OFFER, { id: busy, key: 'offer-1' }), 'IDEMPOTENCY_CONFLICT');
  });

  it('submit, correct and retry an energy report in any accepted unit, stored in the province local units', async () => {
    const input = {
      agencyId: '320000:AG-0000002',
      year: 2026,
      buildingArea: 5000,
      energyUsingPeople: 200,
      costYuan: 123456.78,
      quantities: [
        { energyType: 'ELECTRICITY', quantity: 40, unit: '万kWh' },
        { energyType: 'HEAT', quantity: 12.5, unit: 'GJ' },
        { energyType: 'WATER', quantity: 4000 },
      ],
      idempotencyKey: 'report-2026-a',
    };
    const first = await gql(stack.gateway.url, SUBMIT, { input });
    expect(first.errors).toBeUndefined();
    // 400 000 kWh x 0.1229 + 12 500 MJ x 0.03412 = 49 160 + 426.5
    expect(first.data!.submitEnergyReport).toMatchObject({ corrected: false, report: { year: 2026, electricityKwh: 400_000, heatMj: 12_500, totalKgce: 49_586.5, revision: 0 } });
    const retry = await gql(stack.gateway.url, SUBMIT, { input });
    expect(retry.data).toEqual(first.data);

    const corrected = await gql(stack.gateway.url, SUBMIT, { input: { ...input, idempotencyKey: 'report-2026-b', quantities: [{ energyType: 'ELECTRICITY', quantity: 410000 }] } });
    expect(corrected.data!.submitEnergyReport).toMatchObject({ corrected: true, report: { id: first.data!.submitEnergyReport.report.id, electricityKwh: 410_000, revision: 1 } });

    // 江苏 keeps electricity in 万kWh in its own table.
    const raw = stack.databases.get('320000')!.db as unknown as import('kysely').Kysely<any>;
    const row = await raw.selectFrom('js_energy_annual').select(['electricity_wan_kwh']).where('id', '=', first.data!.submitEnergyReport.report.id).executeTakeFirstOrThrow();
    expect(row.electricity_wan_kwh).toBe(41);
  });

  it("a replay with someone else's idempotency key is not their stored result", async () => {
    const SET = `mutation($id: ID!, $key: String) { setAssetStatus(input: { assetId: $id, status: IN_USE, idempotencyKey: $key }) { asset { id name originalValue agency { id } } } }`;
    const owner = '330000:AG-0000003';
    const owned = await gql(stack.gateway.url, `{ assets(filter: { agencyId: "${owner}", offeredToPool: false }, first: 1) { edges { node { id } } } }`);
    const id = owned.data!.assets.edges[0].node.id;
    const officer = (agency: string) => ({ token: tokenFor({ role: 'AGENCY_OFFICER', agency, sub: `officer-${agency}` }), assertion: null });
    const first = await gql(stack.gateway.url, SET, { id, key: 'shared-key' }, officer(owner));
    expect(first.errors).toBeUndefined();
    expect(first.data!.setAssetStatus.asset.agency.id).toBe(owner);
    // Another agency's officer sends the very same request: it must not get the owner's asset back.
    const replay = await gql(stack.gateway.url, SET, { id, key: 'shared-key' }, officer('330000:AG-0000004'));
    expect(replay.data?.setAssetStatus ?? null).toBeNull();
    expectCleanError(replay, 'NOT_FOUND');
    expect(JSON.stringify(replay)).not.toContain('originalValue');
    // The owner's own retry still returns the first result.
    expect((await gql(stack.gateway.url, SET, { id, key: 'shared-key' }, officer(owner))).data).toEqual(first.data);
  });

  it('reject wrong units and negative quantities', async () => {
    const base = { agencyId: '340000:AG-0000001', year: 2025, buildingArea: 100, energyUsingPeople: 10, costYuan: 1 };
    expectCleanError(await gql(stack.gateway.url, SUBMIT, { input: { ...base, quantities: [{ energyType: 'ELECTRICITY', quantity: 5, unit: 'kcal' }] } }), 'INVALID_UNIT');
    expectCleanError(await gql(stack.gateway.url, SUBMIT, { input: { ...base, quantities: [{ energyType: 'WATER', quantity: -5 }] } }), 'INVALID_QUANTITY');
    expectCleanError(await gql(stack.gateway.url, SUBMIT, { input: { ...base, buildingArea: 0, quantities: [] } }), 'INVALID_QUANTITY');
    expectCleanError(await gql(stack.gateway.url, SUBMIT, { input: { ...base, agencyId: '340000:AG-0099999', quantities: [] } }), 'NOT_FOUND');
  });
});

describe('explorer', () => {
  it('serves a self-hosted GraphiQL with its assets from the gateway itself', async () => {
    const page = await fetch(stack.gateway.url, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('/explorer/graphiql.js');
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/);
    for (const asset of ['/explorer/graphiql.js', '/explorer/react.js', '/explorer/react-dom.js', '/explorer/graphiql.css']) {
      const res = await fetch(new URL(asset, stack.gateway.url));
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });
});
