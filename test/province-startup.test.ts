import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../common/subgraphs.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince } from '../subgraphs/province/server.js';
import { TEST_KEYS } from './helpers.js';

/** A province instance refuses wrong data at start-up, naming the cause, instead of creating or serving it. */
const dir = mkdtempSync(join(tmpdir(), 'xietong-startup-'));
const run = promisify(execFile);

/** A SQLite province database holding 江苏's demo data in the standard tables. */
async function seededFile(name: string): Promise<string> {
  const url = `sqlite:${join(dir, name)}`;
  const pdb = await openProvinceDatabase(url, undefined, { init: true });
  await seedProvince(pdb, generateProvince('320000', TEST_SCALE));
  await pdb.close();
  return url;
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'started',
    (error: Error) => error.message,
  );

describe('a province database', () => {
  let url: string;
  afterAll(() => undefined);

  it('that does not exist is not created without --init', async () => {
    const typo = join(dir, 'jaingsu.sqlite');
    expect(await refusal(openProvinceDatabase(`sqlite:${typo}`))).toMatch(/cannot open SQLite database .*jaingsu\.sqlite/);
    expect(existsSync(typo)).toBe(false);
  });

  it('that lacks a mapped table or column is refused, naming the mapping entry', async () => {
    url = await seededFile('js.sqlite');
    expect(await refusal(openProvinceDatabase(url, { energy_reports: { table: 'nengyuan' } }))).toMatch(
      /mapping\.energy_reports\.table: the local table "nengyuan" does not exist/,
    );
    expect(await refusal(openProvinceDatabase(url, { assets: { columns: { name: 'mingcheng' } } }))).toMatch(
      /mapping\.assets\.columns\.name: the local column "mingcheng" does not exist in table "assets"/,
    );
    expect(await refusal(openProvinceDatabase(url, { buildings: { split: { table: 'mianji', key: 'building_id', columns: ['construction_area'] } } }))).toMatch(
      /mapping\.buildings\.split\.table: the side table "mianji" does not exist/,
    );
    // And the tables it named were not created.
    const pdb = await openProvinceDatabase(url);
    const names = (await pdb.db.introspection.getTables()).map((t) => t.name);
    expect(names).not.toContain('nengyuan');
    await pdb.close();
  });

  it('without the standard tables names each missing one and how to fix it', async () => {
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    const message = await refusal(openProvinceDatabase(`sqlite:${empty}`));
    expect(message).toMatch(
      /- agencies: there is no table "agencies"; name your table in mapping\.agencies\.table \(--init would create an empty standard one, for a new province only\)/,
    );
    expect(message).toMatch(/- energy_reports: there is no table/);
  });

  it('of another province is refused: a wrong code never serves zeros', async () => {
    const base = { database: url, assertionPublicKey: TEST_KEYS.assertionPublicKey };
    expect(await refusal(startProvince({ ...base, provinces: ['310000'] }))).toMatch(/holds agencies of 320000, which this instance is not configured for \(provinces: 310000\)/);
    expect(await refusal(startProvince({ ...base, provinces: ['320000', '330000'] }))).toMatch(/holds no agency of 330000, which this instance is configured for/);
    const right = await startProvince({ ...base, provinces: ['320000'] });
    await right.stop();
  });
});

describe('values off by a unit', () => {
  it('stop the start-up, naming the column and the factor', async () => {
    const local = `sqlite:${join(dir, 'wan.sqlite')}`;
    const mapping = { energy_reports: { columns: { electricity_kwh: { column: 'dian_wan', scale: 10_000 } } } };
    const pdb = await openProvinceDatabase(local, mapping, { init: true });
    await seedProvince(pdb, generateProvince('320000', TEST_SCALE));
    await pdb.close();
    const forgotten = { energy_reports: { columns: { electricity_kwh: 'dian_wan' } } };
    expect(await refusal(startProvince({ provinces: ['320000'], database: local, mapping: forgotten, assertionPublicKey: TEST_KEYS.assertionPublicKey }))).toMatch(
      /mapping\.energy_reports\.columns\.electricity_kwh: the median is .* \(about 10,000 times too small\)/,
    );
  });
});

describe('the province command', () => {
  const province = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [join(REPO_ROOT, 'dist/subgraphs/province/main.js'), ...args], { env: { ...process.env, ...env }, timeout: 20_000 }).then(
      (r) => ({ code: 0, err: r.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, err: e.stderr }),
    );
  const keyFile = join(dir, 'gateway-public.pem');
  writeFileSync(keyFile, TEST_KEYS.assertionPublicKey);

  it.each([
    ['an unknown key', { provinces: ['320000'], database: 'sqlite::memory:', assertionPublicKeyFile: keyFile, init: true, hots: 'x' }, /Unrecognized key: "hots"/],
    ['a code that is no province', { provinces: ['329999'], database: 'sqlite::memory:', assertionPublicKeyFile: keyFile }, /provinces\.0: not a GB\/T 2260 provincial code/],
    [
      'a missing key file',
      { provinces: ['320000'], database: 'sqlite::memory:', assertionPublicKeyFile: join(dir, 'nope.pem') },
      /cannot read .*: the key file .*nope\.pem: ENOENT/,
    ],
    ['a mistyped database file', { provinces: ['320000'], database: `sqlite:${join(dir, 'typo.sqlite')}`, assertionPublicKeyFile: keyFile }, /cannot open SQLite database/],
  ])('exits 2 on %s, with a message and no stack trace', async (_, config, message) => {
    const file = join(dir, `province-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(config));
    const r = await province([file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
