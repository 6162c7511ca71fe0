import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { mayAccess, rowScope } from '../common/auth/policy.js';
import type { UserRole } from '../common/auth/principal.js';
import { REPO_ROOT } from '../common/subgraphs.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { QUALITY_RULES } from '../subgraphs/province/data-quality/rules.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, NATIONAL_ADMIN, principalsOfEveryRole, startTestStack, tokenFor } from './helpers.js';

const run = promisify(execFile);
const PROVINCES = ['320000', '310000'];
const PRINCIPALS = principalsOfEveryRole('320000:AG-0000002');
const QUERY = `query($p: ID!) { dataQuality(province: $p) { province { code } rowsChecked violations score rules { id category checked violations sampleIds } } }`;

let stack: DemoStack;
const national = { token: tokenFor(NATIONAL_ADMIN), assertion: null };
const report = async (province: string) => {
  const r = await gql(stack.gateway.url, QUERY, { p: province }, national);
  expect(r.errors).toBeUndefined();
  return (r.data as any).dataQuality;
};
/** The check-province command as a provincial IT team runs it. */
const checkProvince = (...args: string[]) =>
  run(process.execPath, [join(REPO_ROOT, 'dist/scripts/check-province.js'), ...args], { env: { ...process.env, XIETONG_TOKEN: national.token! } }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

beforeAll(async () => {
  stack = await startTestStack({ ...TEST_SCALE, agencies: 8 }, PROVINCES);
}, 60_000);
afterAll(() => stack?.stop());

describe('dataQuality over GraphQL', () => {
  it('finds nothing in the seeded demo data, with every rule and every row counted', async () => {
    for (const code of PROVINCES) {
      const r = await report(code);
      expect(r.province.code).toBe(code);
      expect(r.violations).toBe(0);
      expect(r.score).toBe(1);
      expect(r.rules.map((x: any) => x.id)).toEqual(QUALITY_RULES.map((x) => x.id));
      const rows = await (stack.databases.get(code)!.db as unknown as Kysely<any>)
        .selectFrom('assets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(r.rules.find((x: any) => x.id === 'asset.complete').checked).toBe(Number(rows.n));
    }
  });

  it('every role x every province: a report only for national administrators and the province administrator', async () => {
    for (const [role, principal] of Object.entries(PRINCIPALS) as [UserRole, (typeof PRINCIPALS)[UserRole]][]) {
      for (const code of PROVINCES) {
        const r = await gql(stack.gateway.url, QUERY, { p: code }, { token: principal ? tokenFor(principal) : null, assertion: null });
        const allowed = principal !== null && mayAccess(principal, 'data-quality') && rowScope(principal, code).kind === 'all';
        if (allowed) {
          expect([role, code, r.errors]).toEqual([role, code, undefined]);
          expect((r.data as any).dataQuality.province.code).toBe(code);
        } else {
          expect([role, code, (r.data as any)?.dataQuality ?? null]).toEqual([role, code, null]);
          expect([role, code, r.errors?.map((e) => e.extensions?.code)]).toEqual([role, code, ['FORBIDDEN']]);
          expect(JSON.stringify(r)).not.toMatch(/AS-|BD-|VH-/);
        }
      }
    }
  });

  it('is computed once per data version however often one request asks (30 aliases)', async () => {
    const pdb = stack.databases.get('320000')!;
    await report('320000');
    const before = pdb.statements();
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: dataQuality(province: "320000") { violations score rowsChecked }`).join(' ');
    const r = await gql(stack.gateway.url, `{ ${aliases} }`, undefined, national);
    expect(r.errors).toBeUndefined();
    expect(new Set(Object.values(r.data as object).map((x) => JSON.stringify(x))).size).toBe(1);
    // One data-version read per alias, and no table read again (a report reads 7 tables).
    expect(pdb.statements() - before).toBeLessThanOrEqual(30);
  });

  it('reports seeded defects with their ids, and the command fails on them', async () => {
    const db = stack.databases.get('320000')!.db as unknown as Kysely<any>;
    const clean = await checkProvince('--data', stack.gateway.url, '--province', '320000');
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('every rule within its threshold');

    const [asset] = await db.selectFrom('assets').select(['id', 'acquired_on']).where('status', '=', 'IN_USE').orderBy('id').limit(1).execute();
    await db.updateTable('assets').set({ offered_to_pool: 1, offered_at: '2009-01-01' }).where('id', '=', asset.id).execute();
    const [building] = await db.selectFrom('buildings').select(['id', 'construction_area']).orderBy('id').limit(1).execute();
    await db
      .updateTable('buildings')
      .set({ office_room_usable_area: building.construction_area + 1 })
      .where('id', '=', building.id)
      .execute();
    try {
      const r = await report('320000');
      const found = Object.fromEntries(r.rules.filter((x: any) => x.violations > 0).map((x: any) => [x.id, x.sampleIds]));
      expect(found).toEqual({
        'asset.pooled-is-idle': [asset.id],
        'asset.dates-in-order': [asset.id],
        'building.usable-within-construction': [building.id],
      });
      expect(r.violations).toBe(3);
      expect(r.score).toBeLessThan(1);

      const failing = await checkProvince('--data', stack.gateway.url, '--province', '320000');
      expect(failing.code).toBe(1);
      expect(failing.out).toMatch(new RegExp(`FAIL asset.pooled-is-idle\\s+1 /`));
      expect(failing.out).toContain(`e.g. ${asset.id}`);
      expect(failing.out).toContain(`e.g. ${building.id}`);

      const allowed = await checkProvince('--data', stack.gateway.url, '--province', '320000', '--allow', 'asset.pooled-is-idle=1', '--allow', '*=1');
      expect(allowed.code).toBe(0);
      expect(allowed.out).toContain('warn asset.pooled-is-idle');
    } finally {
      await db.updateTable('assets').set({ offered_to_pool: 0, offered_at: null }).where('id', '=', asset.id).execute();
      await db.updateTable('buildings').set({ office_room_usable_area: 1 }).where('id', '=', building.id).execute();
    }
  });

  it('the command says why it cannot run, with exit code 2', async () => {
    const denied = await run(process.execPath, [join(REPO_ROOT, 'dist/scripts/check-province.js'), '--data', stack.gateway.url, '--province', '320000'], {
      env: { ...process.env, XIETONG_TOKEN: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((denied as { code: number }).code).toBe(2);
    expect((denied as { stderr: string }).stderr).toContain('FORBIDDEN');
    expect((denied as { stderr: string }).stderr).toContain('no token was given');
    const bad = await checkProvince('--data', stack.gateway.url, '--province', '32');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('6-digit');
    const allowance = await checkProvince('--data', stack.gateway.url, '--province', '320000', '--allow', 'nonsense');
    expect(allowance.code).toBe(2);
    expect(allowance.err).toContain('RULE=COUNT');
    const typo = await checkProvince('--data', stack.gateway.url, '--province', '320000', '--allow', 'asset.pooled-is-idl=5');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--allow names rules that do not exist: asset.pooled-is-idl');
    const stray = await checkProvince(stack.gateway.url, '--province', '320000');
    expect(stray.code).toBe(2);
    expect(stray.err).toContain('belong to the data check');
  });
});

describe('dataQuality routing', () => {
  it.each([
    ['32000O', 'UNKNOWN_PROVINCE'],
    ['999999', 'UNKNOWN_PROVINCE'],
    ['', 'UNKNOWN_PROVINCE'],
    ['440000', 'PROVINCE_NOT_REGISTERED'],
  ])('a code that reaches no province (%s) is an error, not a silent null', async (code, expected) => {
    const r = await gql(stack.gateway.url, QUERY, { p: code }, national);
    expect((r.data as any)?.dataQuality ?? null).toBeNull();
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual([expected]);
  });
});

describe('dataQuality for a role without the class', () => {
  it('is FORBIDDEN whatever the code, so codes tell a refused caller nothing', async () => {
    const analyst = { token: tokenFor(PRINCIPALS.ANALYST!), assertion: null };
    for (const code of ['32000O', '999999', '440000', '320000']) {
      const r = await gql(stack.gateway.url, QUERY, { p: code }, analyst);
      expect([code, r.errors?.map((e) => e.extensions?.code)]).toEqual([code, ['FORBIDDEN']]);
    }
  });
});
