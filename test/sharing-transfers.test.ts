import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { provinceAudience, signAssertion, subgraphAudience } from '../common/auth/assertion.js';
import { WORKFLOW, type Principal } from '../common/auth/principal.js';
import { REPO_ROOT } from '../common/subgraphs.js';
import { TEST_REGIONS } from './helpers.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { checkTransferInvariant } from '../scripts/transfer-invariant.js';
import { Repository } from '../subgraphs/province/repository.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { freePort, gql, startTestStack, TEST_KEYS, TEST_SAGA, tokenFor, type Result } from './helpers.js';

// 长三角 provinces of the demo: 上海 (source of the walk-through), 江苏 and 安徽 (receivers).
const PROVINCES = ['310000', '320000', '340000'];
let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, PROVINCES);
  // Each test takes its own pooled asset: 上海 offers ten more, as its administrator would.
  const more = (await rawAssets('310000')).filter((a) => a.status === 'IN_USE').slice(0, 10);
  for (const a of more) {
    const idle = await gql(stack.gateway.url, 'mutation($a: ID!) { setAssetStatus(input: { assetId: $a, status: IDLE }) { asset { id } } }', { a: a.id }, as(admin('310000')));
    const offered = await gql(stack.gateway.url, 'mutation($a: ID!) { offerAssetToPool(input: { assetId: $a }) { asset { offeredToPool } } }', { a: a.id }, as(admin('310000')));
    if (idle.errors || offered.errors) throw new Error(JSON.stringify([idle, offered]));
  }
});
afterAll(() => stack?.stop());

const repo = (code: string) => new Repository(stack.databases.get(code)!);
const as = (p: Principal) => ({ token: tokenFor(p) });
const admin = (province: string): Principal => ({ sub: `admin-${province}`, role: 'PROVINCE_ADMIN', province });
const officer = (agency: string): Principal => ({ sub: `officer-${agency}`, role: 'AGENCY_OFFICER', agency });
const NATIONAL: Principal = { sub: 'national', role: 'NATIONAL_ADMIN' };

const REQUEST = `mutation($a: ID!, $g: ID!, $k: String) { requestAssetTransfer(input: { assetId: $a, agencyId: $g, reason: "办公设备更新，调剂使用", idempotencyKey: $k }) { transfer { id status } } }`;
const APPROVE = `mutation($t: ID!) { approveAssetTransfer(input: { transferId: $t }) { transfer { id status stage } } }`;
const TRANSFER = `query($t: ID!) { assetTransfer(id: $t) { id status stage outcomeReason attempts targetAssetId originalValue } }`;

/** Raw asset rows of a province, read from its database. */
async function rawAssets(code: string) {
  const r = repo(code);
  return r.db.selectFrom(r.source('assets')).selectAll().execute();
}

/** Pooled idle assets of a province, straight from its database (lowest ids first), not yet taken by a test. */
const taken = new Set<string>();
async function pooledAsset(code: string): Promise<{ id: string; agency_id: string; original_value_fen: number }> {
  const row = (await rawAssets(code)).filter((a) => a.status === 'IDLE' && a.offered_to_pool === 1 && !taken.has(a.id)).sort((a, b) => (a.id < b.id ? -1 : 1))[0];
  if (!row) throw new Error(`no pooled asset left in ${code}`);
  taken.add(row.id);
  return row;
}

async function agencies(code: string): Promise<string[]> {
  const r = repo(code);
  return (await r.db.selectFrom(r.source('agencies')).select('t.id').orderBy('t.id').execute()).map((a) => a.id);
}

async function until(read: () => Promise<Result>, done: (t: Record<string, any>) => boolean, ms = 15_000): Promise<Record<string, any>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await read();
    const t = result.data?.assetTransfer;
    if (t && done(t)) return t;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(result)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const transferOf = (id: string) => () => gql(stack.gateway.url, TRANSFER, { t: id }, as(NATIONAL));

/** Original value (fen) of a region's active cards, from raw rows: every card but disposed and transferred-out ones. */
async function activeValueFen(codes: string[]): Promise<number> {
  let sum = 0;
  for (const code of codes) for (const a of await rawAssets(code)) if (a.status !== 'DISPOSED' && a.status !== 'TRANSFERRED_OUT') sum += a.original_value_fen;
  return sum;
}

describe('a 公物仓 transfer from 上海 to 安徽', () => {
  it('is requested by the receiving officer, approved by 上海, and carried out by the saga', async () => {
    const asset = await pooledAsset('310000');
    const [receiver] = await agencies('340000');
    const before = await activeValueFen(PROVINCES);
    const summaryBefore = await gql(stack.gateway.url, '{ assetSummary(scope: { region: "YRD" }) { originalValue assetCount } }');

    const requested = await gql(stack.gateway.url, REQUEST, { a: asset.id, g: receiver, k: 'walk-1' }, as(officer(receiver)));
    expect(requested.errors).toBeUndefined();
    const id = requested.data!.requestAssetTransfer.transfer.id;
    expect(requested.data!.requestAssetTransfer.transfer.status).toBe('REQUESTED');
    // A retry with the same key is the same request.
    const again = await gql(stack.gateway.url, REQUEST, { a: asset.id, g: receiver, k: 'walk-1' }, as(officer(receiver)));
    expect(again.data!.requestAssetTransfer.transfer.id).toBe(id);

    const approved = await gql(stack.gateway.url, APPROVE, { t: id }, as(admin('310000')));
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveAssetTransfer.transfer).toMatchObject({ status: 'APPROVED', stage: 'RESERVING' });

    const done = await until(transferOf(id), (t) => t.status === 'COMPLETED');
    // The new card, read raw: same values, held by the receiver, with provenance.
    const source = (await rawAssets('310000')).find((a) => a.id === asset.id)!;
    const target = (await rawAssets('340000')).find((a) => a.id === done.targetAssetId)!;
    expect(source.status).toBe('TRANSFERRED_OUT');
    expect(target).toMatchObject({
      agency_id: receiver,
      status: 'IN_USE',
      original_value_fen: source.original_value_fen,
      net_value_fen: source.net_value_fen,
      acquired_on: source.acquired_on,
      category_code: source.category_code,
    });
    expect(done.originalValue).toBe(source.original_value_fen / 100);

    const seen = await gql(
      stack.gateway.url,
      `query($s: ID!, $t: ID!) { s: asset(id: $s) { status transferredToId transfers { id status } } t: asset(id: $t) { provenance { transferId sourceAssetId sourceProvince { code } originalValue netValue acquiredOn categoryCode } } }`,
      { s: asset.id, t: target.id },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.s).toEqual({ status: 'TRANSFERRED_OUT', transferredToId: target.id, transfers: [{ id, status: 'COMPLETED' }] });
    expect(seen.data!.t.provenance).toEqual({
      transferId: id,
      sourceAssetId: asset.id,
      sourceProvince: { code: '310000' },
      originalValue: source.original_value_fen / 100,
      netValue: source.net_value_fen / 100,
      acquiredOn: source.acquired_on,
      categoryCode: source.category_code,
    });

    // The region's original value is conserved, in the raw rows and in the published summary.
    expect(await activeValueFen(PROVINCES)).toBe(before);
    const summaryAfter = await gql(stack.gateway.url, '{ assetSummary(scope: { region: "YRD" }) { originalValue assetCount } }');
    expect(summaryAfter.data!.assetSummary).toEqual(summaryBefore.data!.assetSummary);
    expect(summaryAfter.data!.assetSummary.originalValue).toBeCloseTo(before / 100, 2);
  });

  it('shows in the statistics of the receiving region and year', async () => {
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    const stats = await gql(
      stack.gateway.url,
      'query($y: Int!) { transferStatistics(region: "YRD", year: $y) { inProvinceCount crossProvinceCount crossProvinceOriginalValue inProvinceOriginalValue } }',
      { y: year },
    );
    // Expected from the raw sharing rows: completed transfers to YRD agencies this year.
    const rows = await stack.sharing.store.db.selectFrom('transfers').selectAll().where('status', '=', 'COMPLETED').execute();
    const yrd = rows.filter((r) => TEST_REGIONS.members('YRD')!.includes(r.target_province));
    const cross = yrd.filter((r) => r.source_province !== r.target_province);
    expect(stats.data!.transferStatistics.crossProvinceCount).toBe(cross.length);
    expect(stats.data!.transferStatistics.crossProvinceOriginalValue).toBe(cross.reduce((s, r) => s + Number(r.original_value_fen), 0) / 100);
    expect(stats.data!.transferStatistics.inProvinceCount).toBe(yrd.length - cross.length);

    // An analyst: figures whose transfers between some pair of provinces were given or received
    // by fewer than 3 agencies (counted here from the raw rows) are null and listed; the rest as above.
    const analyst = await gql(
      stack.gateway.url,
      'query($y: Int!) { transferStatistics(region: "YRD", year: $y) { inProvinceCount crossProvinceCount crossProvinceOriginalValue withheld { field reason } } }',
      { y: year },
      { token: tokenFor({ sub: 'analyst', role: 'ANALYST' }) },
    );
    const small = (rs: typeof rows) => {
      const byPair = new Map<string, [Set<string>, Set<string>]>();
      for (const r of rs) {
        const pair = `${r.source_province}>${r.target_province}`;
        const [givers, receivers] = byPair.get(pair) ?? [new Set<string>(), new Set<string>()];
        byPair.set(pair, [givers.add(r.source_agency_id), receivers.add(r.target_agency_id)]);
      }
      return [...byPair.values()].some((sides) => sides.some((agencies) => agencies.size < 3));
    };
    const a = analyst.data!.transferStatistics;
    const withheld = new Set((a.withheld as { field: string }[]).map((w) => w.field));
    expect(cross.length).toBeGreaterThan(0);
    expect(withheld.has('crossProvinceCount')).toBe(small(cross));
    expect(a.crossProvinceOriginalValue).toBe(small(cross) ? null : stats.data!.transferStatistics.crossProvinceOriginalValue);
    expect(withheld.has('inProvinceCount')).toBe(small(yrd.filter((r) => r.source_province === r.target_province)));
  });
});

describe('competing requests', () => {
  it('the first approval wins; the other requests close with a reason', async () => {
    const asset = await pooledAsset('310000');
    const receivers = [...(await agencies('320000')).slice(0, 3), ...(await agencies('340000')).slice(0, 2)];
    const ids: string[] = [];
    for (const g of receivers) {
      const r = await gql(stack.gateway.url, REQUEST, { a: asset.id, g }, as(officer(g)));
      expect(r.errors).toBeUndefined();
      ids.push(r.data!.requestAssetTransfer.transfer.id);
    }
    const approvals = await Promise.all(ids.flatMap((t) => [1, 2].map(() => gql(stack.gateway.url, APPROVE, { t }, as(admin('310000'))))));
    expect(approvals.filter((a) => !a.errors)).toHaveLength(1);
    for (const a of approvals.filter((x) => x.errors)) expect(a.errors![0].extensions!.code).toBe('INVALID_STATE');
    const states = await Promise.all(ids.map((t) => gql(stack.gateway.url, TRANSFER, { t }).then((r) => r.data!.assetTransfer)));
    expect(states.filter((s) => s.status === 'APPROVED' || s.status === 'COMPLETED')).toHaveLength(1);
    for (const s of states.filter((x) => x.status === 'CLOSED')) expect(s.outcomeReason).toMatch(/approved first/);
    expect(states.filter((s) => s.status === 'CLOSED')).toHaveLength(ids.length - 1);
    const winner = states.find((s) => s.status !== 'CLOSED')!;
    await until(transferOf(winner.id), (t) => t.status === 'COMPLETED');
  });

  it('50 concurrent requests of one agency for one asset make one request', async () => {
    const asset = await pooledAsset('310000');
    const [g] = await agencies('320000');
    const results = await Promise.all(Array.from({ length: 50 }, () => gql(stack.gateway.url, REQUEST, { a: asset.id, g }, as(officer(g)))));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(r.errors![0].extensions!.code).toBe('INVALID_STATE');
    const rows = await stack.sharing.store.db.selectFrom('transfers').select('id').where('asset_id', '=', asset.id).execute();
    expect(rows).toHaveLength(1);
  });
});

describe('faults', () => {
  it('a target province down between steps: the transfer waits in progress and completes when it returns', async () => {
    const asset = await pooledAsset('310000');
    const [receiver] = await agencies('340000');
    const r = await gql(stack.gateway.url, REQUEST, { a: asset.id, g: receiver }, as(admin('340000')));
    const id = r.data!.requestAssetTransfer.transfer.id;
    await stack.stopProvince('340000');
    try {
      await gql(stack.gateway.url, APPROVE, { t: id }, as(admin('310000')));
      const waiting = await until(transferOf(id), (t) => t.stage === 'RECEIVING' && t.attempts >= 2);
      expect(waiting.status).toBe('APPROVED');
      expect((await rawAssets('310000')).find((a) => a.id === asset.id)!.status).toBe('TRANSFER_PENDING');
    } finally {
      await stack.restartProvince('340000');
    }
    const done = await until(transferOf(id), (t) => t.status === 'COMPLETED');
    expect((await rawAssets('340000')).filter((a) => a.id === done.targetAssetId)).toHaveLength(1);
  });

  it('a request for an agency that does not exist is refused before anything is recorded', async () => {
    const asset = await pooledAsset('310000');
    const r = await gql(stack.gateway.url, REQUEST, { a: asset.id, g: '340000:AG-0999999' }, as(NATIONAL));
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const other = await gql(stack.gateway.url, REQUEST, { a: asset.id, g: '440000:AG-0000001' }, as(NATIONAL));
    expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['PROVINCE_NOT_REGISTERED']);
    expect(await stack.sharing.store.db.selectFrom('transfers').select('id').where('asset_id', '=', asset.id).execute()).toEqual([]);
    taken.delete(asset.id);
  });

  it('a target that refuses: the reservation is released and the asset is offered again', async () => {
    const asset = await pooledAsset('310000');
    // The receiving agency is dissolved between the request and the approval.
    const ah = repo('340000');
    const [receiver] = await ah.db.selectFrom(ah.source('agencies')).selectAll().orderBy('t.id', 'desc').limit(1).execute();
    const r = await gql(stack.gateway.url, REQUEST, { a: asset.id, g: receiver.id }, as(NATIONAL));
    expect(r.errors).toBeUndefined();
    const id = r.data!.requestAssetTransfer.transfer.id;
    const local = ah.db as unknown as Kysely<Record<string, { id: string }>>;
    await local.deleteFrom('agencies').where('id', '=', receiver.id).execute();
    try {
      await gql(stack.gateway.url, APPROVE, { t: id }, as(admin('310000')));
      const failed = await until(transferOf(id), (t) => t.status === 'FAILED');
      expect(failed.outcomeReason).toMatch(/receiving province refused/);
    } finally {
      await ah.insert('agencies', receiver);
    }
    const row = (await rawAssets('310000')).find((a) => a.id === asset.id)!;
    expect(row).toMatchObject({ status: 'IDLE', offered_to_pool: 1 });
  });

  it('each province step delivered twice has no second effect', async () => {
    const asset = await pooledAsset('310000');
    const [receiver] = await agencies('320000');
    const call = (code: string, query: string, variables: Record<string, unknown>) =>
      gql(stack.provinces.get(code)!.url, query, variables, { token: null, assertion: signAssertion(WORKFLOW, TEST_KEYS.workflowPrivateKey, provinceAudience(code)) });
    const transferId = 'TR-test-twice';
    const reserve = `mutation { _reserveAssetForTransfer(transferId: "${transferId}", assetId: "${asset.id}") { assetId originalValueFen } }`;
    const [r1, r2] = [await call('310000', reserve, {}), await call('310000', reserve, {})];
    expect(r2).toEqual(r1);
    const countBefore = (await rawAssets('320000')).length;
    const input = {
      transferId,
      agencyId: receiver,
      sourceAssetId: asset.id,
      name: '调剂资产',
      categoryCode: 'A02010105',
      originalValueFen: asset.original_value_fen,
      netValueFen: 0,
      acquiredOn: '2020-01-01',
    };
    const receive = 'mutation($i: ReceiveAssetInput!) { _receiveTransferredAsset(input: $i) { assetId } }';
    const [c1, c2] = await Promise.all([call('320000', receive, { i: input }), call('320000', receive, { i: input })]);
    expect(c1.errors).toBeUndefined();
    expect(c2.data).toEqual(c1.data);
    expect((await rawAssets('320000')).length).toBe(countBefore + 1);
    const complete = `mutation { _completeTransferOut(transferId: "${transferId}", assetId: "${asset.id}", targetAssetId: "${c1.data!._receiveTransferredAsset.assetId}") { assetId } }`;
    expect((await call('310000', complete, {})).errors).toBeUndefined();
    expect((await call('310000', complete, {})).errors).toBeUndefined();
    // Released after completion: refused, nothing changes.
    const release = await call('310000', `mutation { _releaseAssetReservation(transferId: "${transferId}", assetId: "${asset.id}") { assetId } }`, {});
    expect(release.errors![0].extensions!.code).toBe('INVALID_STATE');
    expect((await rawAssets('310000')).find((a) => a.id === asset.id)!.status).toBe('TRANSFERRED_OUT');
  });

  it('the steps answer the sharing service only: a gateway assertion, or WORKFLOW signed by the gateway key, gets nothing', async () => {
    const url = stack.provinces.get('310000')!.url;
    const step = '{ _transferCandidate(assetId: "310000:AS-0000001") { status } }';
    const asAdmin = await gql(url, step, {}, { token: null, assertion: signAssertion(NATIONAL, TEST_KEYS.assertionPrivateKey, provinceAudience('310000')) });
    expect(asAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xietong-assertion': signAssertion(WORKFLOW, TEST_KEYS.assertionPrivateKey, provinceAudience('310000')) },
      body: JSON.stringify({ query: step }),
    });
    expect(forged.status).toBe(401);
    const workflowElsewhere = await gql(
      url,
      '{ assets { totalCount } }',
      {},
      { token: null, assertion: signAssertion(WORKFLOW, TEST_KEYS.workflowPrivateKey, provinceAudience('310000')) },
    );
    expect(workflowElsewhere.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // Through the gateway the steps do not exist.
    const viaGateway = await gql(stack.gateway.url, step);
    expect(viaGateway.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('the sharing service killed mid-saga resumes from its outbox after a restart: no duplicate card, no lost asset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-sharing-'));
    const port = await freePort();
    const config = join(dir, 'sharing.json');
    writeFileSync(
      config,
      JSON.stringify({
        database: `sqlite:${join(dir, 'sharing.sqlite')}`,
        provinces: Object.fromEntries([...stack.provinces].map(([code, p]) => [code, p.url])),
        assertionPublicKey: TEST_KEYS.assertionPublicKey,
        workflowPrivateKey: TEST_KEYS.workflowPrivateKey,
        port,
        saga: TEST_SAGA,
      }),
    );
    const url = `http://127.0.0.1:${port}/graphql`;
    let child: ChildProcess | undefined;
    const launch = async () => {
      child = spawn(process.execPath, [join(REPO_ROOT, 'dist/subgraphs/sharing/main.js'), config], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'silent' } });
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(url.replace('/graphql', '/health')).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('sharing service did not start');
    };
    const direct = (p: Principal, query: string, variables: Record<string, unknown>) =>
      gql(url, query, variables, { token: null, assertion: signAssertion(p, TEST_KEYS.assertionPrivateKey, subgraphAudience('sharing')) });
    try {
      await launch();
      const asset = await pooledAsset('310000');
      const [receiver] = await agencies('340000');
      const targetBefore = (await rawAssets('340000')).length;
      const r = await direct(admin('340000'), REQUEST, { a: asset.id, g: receiver });
      expect(r.errors).toBeUndefined();
      const id = r.data!.requestAssetTransfer.transfer.id;
      await stack.stopProvince('340000');
      try {
        await direct(admin('310000'), APPROVE, { t: id });
        await until(
          () => direct(NATIONAL, TRANSFER, { t: id }),
          (t) => t.stage === 'RECEIVING' && t.attempts >= 1,
        );
        child!.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
      } finally {
        await stack.restartProvince('340000');
      }
      await launch();
      const done = await until(
        () => direct(NATIONAL, TRANSFER, { t: id }),
        (t) => t.status === 'COMPLETED',
        20_000,
      );
      const target = await rawAssets('340000');
      expect(target.length).toBe(targetBefore + 1);
      expect(target.filter((a) => a.id === done.targetAssetId)).toHaveLength(1);
      expect((await rawAssets('310000')).find((a) => a.id === asset.id)!.status).toBe('TRANSFERRED_OUT');
    } finally {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the invariant', () => {
  it('holds once no transfer is in flight: one card per completed transfer, values conserved, nothing left reserved', async () => {
    await stack.sharing.saga.drain();
    const report = await checkTransferInvariant(stack.sharing.store.db, new Map(PROVINCES.map((c) => [c, repo(c)])));
    expect(report.problems).toEqual([]);
    expect(report.inFlight).toBe(0);
    expect(report.checked).toBeGreaterThanOrEqual(4);
  });

  it('finds a broken transfer (a second card for one transfer)', async () => {
    const [completed] = await stack.sharing.store.db.selectFrom('transfers').selectAll().where('status', '=', 'COMPLETED').limit(1).execute();
    const target = repo(completed.target_province);
    const [row] = await target.db.selectFrom(target.source('asset_transfers')).selectAll().where('t.transfer_id', '=', completed.id).execute();
    await target.insert('asset_transfers', { ...row, id: `${row.id}-copy` });
    try {
      const report = await checkTransferInvariant(stack.sharing.store.db, new Map(PROVINCES.map((c) => [c, repo(c)])));
      expect(report.problems.join('\n')).toMatch(new RegExp(`${completed.id}: 2 cards created`));
    } finally {
      // No demo province maps asset_transfers, so its local table has the standard name.
      await (target.db as unknown as Kysely<Record<string, { id: string }>>).deleteFrom('asset_transfers').where('id', '=', `${row.id}-copy`).execute();
    }
  });
});
