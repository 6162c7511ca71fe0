import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { readSubgraphSdl, REPO_ROOT } from '../common/subgraphs.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import type { LocalSchemaMapping } from '../subgraphs/province/db/mapping.js';
import { generateProvince, TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince, type ProvinceService } from '../subgraphs/province/server.js';
import { freePort, TEST_KEYS } from './helpers.js';

/** `npm run check-province` as a provincial team runs it: on its config and database, and on a running instance. */
const dir = mkdtempSync(join(tmpdir(), 'xietong-check-'));
const run = promisify(execFile);
const keyFile = join(dir, 'gateway-public.pem');
writeFileSync(keyFile, TEST_KEYS.assertionPublicKey);
const checkProvince = (...args: string[]) =>
  run(process.execPath, [join(REPO_ROOT, 'dist/scripts/check-province.js'), ...args], { timeout: 60_000 }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

/** A province's database as its team keeps it (local names and units), seeded through the mapping. */
async function localDatabase(name: string, mapping?: LocalSchemaMapping): Promise<string> {
  const url = `sqlite:${join(dir, name)}`;
  const pdb = await openProvinceDatabase(url, mapping, { init: true });
  await seedProvince(pdb, generateProvince('510000', TEST_SCALE));
  await pdb.close();
  return url;
}
let serial = 0;
/** A config file naming the database, the mapping and the gateway's key file. */
const configFile = (database: string, mapping?: LocalSchemaMapping) => {
  const file = join(dir, `province-${serial++}.json`);
  writeFileSync(file, JSON.stringify({ provinces: ['510000'], database, assertionPublicKeyFile: keyFile, ...(mapping ? { mapping } : {}) }));
  return file;
};
const IN_WAN_KWH: LocalSchemaMapping = { energy_reports: { table: 'nengyuan', columns: { electricity_kwh: { column: 'dian_wan_kwh', scale: 10_000 } } } };

let standard: string;
let wan: string;
beforeAll(async () => {
  standard = await localDatabase('sichuan.sqlite');
  wan = await localDatabase('sichuan-wan.sqlite', IN_WAN_KWH);
});

describe('--config: a province checks its own configuration and database', () => {
  it('conforms: exit 0, every step reported', async () => {
    const r = await checkProvince('--config', configFile(standard));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('every mapped table and column is there');
    expect(r.out).toContain('values: in the standard units');
    expect(r.out).toContain('every rule within its threshold');
    // And with a mapping that says how its tables differ.
    expect((await checkProvince('--config', configFile(wan, IN_WAN_KWH))).code).toBe(0);
  });

  it('a missing column: exit 1, naming the mapping entry', async () => {
    const r = await checkProvince('--config', configFile(standard, { assets: { columns: { name: 'mingcheng' } } }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('- mapping.assets.columns.name: the local column "mingcheng" does not exist in table "assets"');
  });

  it('a unit without its scale: exit 1, naming the column and the factor', async () => {
    const r = await checkProvince('--config', configFile(wan, { energy_reports: { table: 'nengyuan', columns: { electricity_kwh: 'dian_wan_kwh' } } }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/- mapping\.energy_reports\.columns\.electricity_kwh: the median is .* kWh per m2 of building area, outside 3-1500 \(about 10,000 times too small\)/);
  });

  it('a stored total that disagrees with its quantities: exit 1, with the rule, the id and a hint', async () => {
    const url = await localDatabase('sichuan-total.sqlite');
    const pdb = await openProvinceDatabase(url);
    const db = pdb.db as unknown as Kysely<any>;
    const [report] = await db.selectFrom('energy_reports').select('id').orderBy('id').limit(1).execute();
    await db.updateTable('energy_reports').set({ total_kgce_milli: 1 }).where('id', '=', report.id).execute();
    await pdb.close();
    const r = await checkProvince('--config', configFile(url));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL energy\.total-matches-quantities\s+1 \//);
    expect(r.out).toContain(`e.g. ${report.id}`);
    expect(r.out).toContain('hint: stored totals that disagree');
  });

  it('creates nothing: a mistyped database stays missing (exit 2); an unreachable server exits 2', async () => {
    const typo = await checkProvince('--config', configFile(`sqlite:${join(dir, 'sichaun.sqlite')}`));
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('cannot open SQLite database');
    const closed = await freePort();
    const down = await checkProvince('--config', configFile(`postgres://xietong:xietong@127.0.0.1:${closed}/postgres`));
    expect(down.code).toBe(2);
    expect(down.err).toContain('cannot use province database');
    expect(down.err).not.toContain('xietong:xietong');
  });

  it('reads only: the SQLite file is byte for byte the same afterwards, and it may be read-only', async () => {
    const { createHash } = await import('node:crypto');
    const { chmodSync, readFileSync } = await import('node:fs');
    const file = standard.slice('sqlite:'.length);
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    chmodSync(file, 0o444);
    try {
      expect((await checkProvince('--config', configFile(standard))).code).toBe(0);
    } finally {
      chmodSync(file, 0o644);
    }
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
  });

  it('a table the mapping does not name yet (an empty standard one): exit 1', async () => {
    const url = await localDatabase('sichuan-noenergy.sqlite');
    const pdb = await openProvinceDatabase(url);
    await (pdb.db as unknown as Kysely<any>).deleteFrom('energy_reports').execute();
    await pdb.close();
    const r = await checkProvince('--config', configFile(url));
    expect(r.code).toBe(1);
    expect(r.out).toContain('- energy_reports: no rows, though the province has agencies');
  });

  it('a URL that is not http(s): exit 2', async () => {
    const r = await checkProvince('127.0.0.1:4144/graphql');
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not an http(s) URL');
  });

  it('a configuration it does not understand: exit 1, naming the key', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ provinces: ['510000'], database: standard, assertionPublicKeyFile: keyFile, maping: {} }));
    const r = await checkProvince('--config', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Unrecognized key: "maping"');
  });
});

describe('URL: a running instance against the contract', () => {
  let sichuan: ProvinceService;
  let impostor: Server;
  beforeAll(async () => {
    sichuan = await startProvince({ provinces: ['510000'], database: standard, assertionPublicKey: TEST_KEYS.assertionPublicKey });
    impostor = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(readSubgraphSdl('directory')));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await sichuan?.stop();
    await sichuan?.database.close();
    await new Promise((resolve) => impostor?.close(resolve));
  });

  it('reads the public /sdl without any key: exit 0 when it implements the contract', async () => {
    const r = await checkProvince(sichuan.url);
    expect(r.code).toBe(0);
    expect(r.out).toContain('implements the Xietong province contract');
  });

  it('exit 1 with each difference, exit 2 when unreachable', async () => {
    const wrong = await checkProvince(`http://127.0.0.1:${(impostor.address() as AddressInfo).port}/graphql`);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('type Agency is missing');
    const closed = await freePort();
    const down = await checkProvince(`http://127.0.0.1:${closed}/graphql`);
    expect(down.code).toBe(2);
    expect(down.err).toContain(`connection refused at 127.0.0.1:${closed}`);
  });
});
