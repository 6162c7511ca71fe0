import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT, SUPERGRAPH_PATH, readSubgraphSdl } from '../common/subgraphs.js';
import { checkContract } from '../gateway/shard/contract.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { startProvince, type ProvinceService } from '../subgraphs/province/server.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { authConfigFiles, freePort, gatewayOptionsFor, gql, startTestStack, TEST_KEYS } from './helpers.js';

const TOKEN = 'test-admin-token-0123456789abcdef';
let stack: DemoStack;
let gateway: RunningGateway;
let sichuan: ProvinceService;

beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['500000']);
  gateway = await startGateway(await gatewayOptionsFor(stack, { adminToken: TOKEN }, ['500000']));
  const pdb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
  await seedProvince(pdb, generateProvince('510000', TEST_SCALE));
  sichuan = await startProvince({ provinces: ['510000'], database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.assertionPublicKey }, pdb);
});
afterAll(async () => {
  await gateway?.stop();
  await sichuan?.stop();
  await sichuan?.database.close();
  await stack?.stop();
});

const admin = (method: string, path: string, body?: unknown, token = TOKEN) =>
  fetch(new URL(path, gateway.url), { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

describe('a province joins without a gateway restart', () => {
  it('is checked against the contract, then routed to', async () => {
    const before = await gql(gateway.url, '{ assetSummary(scope: { region: "CY" }) { provinceCount } }');
    expect(before.data!.assetSummary.provinceCount).toBe(1);
    expect((await gql(gateway.url, '{ assets(filter: { province: "510000" }) { totalCount } }')).errors![0].extensions!.code).toBe('PROVINCE_NOT_REGISTERED');

    const res = await admin('POST', '/admin/provinces', { code: '510000', url: sichuan.url });
    expect(res.status).toBe(200);
    const after = await gql(gateway.url, '{ assetSummary(scope: { region: "CY" }) { provinceCount } assets(filter: { province: "510000" }) { totalCount } }');
    expect(after.errors).toBeUndefined();
    expect(after.data!.assetSummary.provinceCount).toBe(2);
    expect(after.data!.assets.totalCount).toBeGreaterThan(0);

    expect((await admin('DELETE', '/admin/provinces/510000')).status).toBe(200);
    const gone = await gql(gateway.url, '{ assetSummary(scope: { region: "CY" }) { provinceCount } }');
    expect(gone.data!.assetSummary.provinceCount).toBe(1);
  });

  it('refuses a service that does not implement the contract, an unknown code and a wrong token', async () => {
    // A service that answers its SDL (the directory's) but is not a province.
    const impostor = createServer((req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify(
            req.url === '/health' ? { status: 'ok', provinces: ['510000'], protocol: old ? undefined : 2 } : { data: { _service: { sdl: readSubgraphSdl('directory') } } },
          ),
        ),
    );
    let old = false;
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}/graphql`;
      const wrong = await admin('POST', '/admin/provinces', { code: '510000', url });
      expect(wrong.status).toBe(400);
      const body = (await wrong.json()) as { problems: string[] };
      expect(body.problems).toContain('type Agency is missing');
      // A release that decides regions from a table of its own would miss regions added at run time.
      old = true;
      const older = await admin('POST', '/admin/provinces', { code: '510000', url });
      expect(((await older.json()) as { error: string }).error).toBe(
        `the instance at ${url} runs a release that decides regions from a table of its own (assertion protocol 1, this gateway needs 2); upgrade it, or region figures would miss it`,
      );
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
    // The directory itself refuses the gateway's contract check: that assertion is addressed to province 510000, not to it.
    const misaddressed = await admin('POST', '/admin/provinces', { code: '510000', url: stack.directory.url });
    expect(misaddressed.status).toBe(400);
    const refused = (await misaddressed.json()) as { code: string; error: string };
    expect(refused.code).toBe('PROVINCE_UNAVAILABLE');
    expect(refused.error).not.toMatch(/answers the Xietong gateway|UNAUTHENTICATED/);
    // A redirect is not followed, not even to a real province: the gateway's assertion is for the URL it was given.
    let redirected = 0;
    const redirector = createServer((_req, res) => void (redirected++, res.writeHead(307, { location: sichuan.url }).end()));
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const moved = await admin('POST', '/admin/provinces', { code: '510000', url: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/graphql` });
      expect(moved.status).toBe(400);
      expect(((await moved.json()) as { error: string }).error).toContain('redirect');
      expect(redirected).toBe(1);
      expect(gateway.registry.get('510000')).toBeUndefined();
    } finally {
      await new Promise((resolve) => redirector.close(resolve));
    }
    expect((await admin('POST', '/admin/provinces', { code: '999999', url: sichuan.url })).status).toBe(400);
    expect((await admin('POST', '/admin/provinces', { code: '510000', url: 'http://127.0.0.1:1/graphql' })).status).toBe(400);
    expect((await admin('GET', '/admin/provinces', undefined, 'wrong-token')).status).toBe(401);
    expect(gateway.registry.get('510000')).toBeUndefined();
  });
});

describe('registration checks what it registers, and lasts', () => {
  it('refuses an instance under a code it does not serve, and one instance under two codes', async () => {
    const wrongCode = await admin('POST', '/admin/provinces', { code: '500000', url: sichuan.url });
    expect(wrongCode.status).toBe(400);
    expect(((await wrongCode.json()) as { error: string }).error).toContain(`the instance at ${sichuan.url} serves 510000, not 500000`);
    expect(gateway.registry.get('500000')!.url).toBe(stack.provinces.get('500000')!.url);

    expect((await admin('POST', '/admin/provinces', { code: '510000', url: sichuan.url })).status).toBe(200);
    try {
      // 重庆's instance is registered; a second code for it would count its data twice.
      const twice = await admin('POST', '/admin/provinces', { code: '510000', url: stack.provinces.get('500000')!.url.replace('/graphql', '/graphql/') });
      expect(twice.status).toBe(400);
      expect(((await twice.json()) as { error: string }).error).toContain('is already registered as province 500000');
    } finally {
      await admin('DELETE', '/admin/provinces/510000');
    }
  });

  it('knows an instance by its id, whatever URL reaches it, and refuses one serving two provinces', async () => {
    expect((await admin('POST', '/admin/provinces', { code: '510000', url: sichuan.url })).status).toBe(200);
    try {
      // 四川 once more, as localhost and at /: the same instance (its /health id), so not 重庆's twin either way.
      const spelled = sichuan.url.replace('127.0.0.1', 'localhost').replace('/graphql', '/');
      // Another URL for a registered code is a move: refused unless asked for, never a silent re-point.
      const silent = await admin('POST', '/admin/provinces', { code: '510000', url: spelled });
      expect(silent.status).toBe(409);
      expect(await silent.json()).toMatchObject({
        code: 'ALREADY_REGISTERED',
        error: `province 510000 is already registered at ${sichuan.url}; to move it to ${spelled}, send "replace": true`,
      });
      expect(gateway.registry.get('510000')!.url).toBe(sichuan.url);
      expect((await admin('POST', '/admin/provinces', { code: '510000', url: spelled, replace: true })).status).toBe(200);
      expect(gateway.registry.get('510000')!.url).toBe(spelled);
      // The same URL again is no change, and needs nothing.
      expect((await admin('POST', '/admin/provinces', { code: '510000', url: spelled })).status).toBe(200);
    } finally {
      await admin('DELETE', '/admin/provinces/510000');
    }
    const chongqing = stack.provinces.get('500000')!.url.replace('127.0.0.1', 'localhost');
    const pdb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
    const both = await startProvince({ provinces: ['510000', '500000'], database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.assertionPublicKey }, pdb);
    try {
      const twin = await admin('POST', '/admin/provinces', { code: '510000', url: chongqing.replace(/:\d+/, `:${new URL(stack.provinces.get('500000')!.url).port}`) });
      expect(((await twin.json()) as { error: string }).error).toContain('serves 500000, not 510000');
      const two = await admin('POST', '/admin/provinces', { code: '510000', url: both.url });
      expect(two.status).toBe(400);
      expect(((await two.json()) as { error: string }).error).toContain('serves 510000, 500000; a registered instance serves exactly one province');
    } finally {
      await both.stop();
      await pdb.close();
    }
  });

  it('reads at most a bounded answer from a joining service', async () => {
    const huge = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"provinces":["510000"],"pad":"');
      const chunk = 'A'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', more);
        else res.end('"}');
      };
      more();
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    try {
      const r = await admin('POST', '/admin/provinces', { code: '510000', url: `http://127.0.0.1:${(huge.address() as AddressInfo).port}/graphql` });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toContain('the answer is larger than 65536 bytes');
    } finally {
      huge.closeAllConnections();
      await new Promise((resolve) => huge.close(resolve));
    }
    expect((await admin('POST', '/admin/provinces', null)).status).toBe(400);
  });

  it('names the cause of a failed join', async () => {
    const cause = async (url: string) => ((await (await admin('POST', '/admin/provinces', { code: '510000', url })).json()) as { error: string }).error;
    const closed = await freePort();
    expect(await cause(`http://127.0.0.1:${closed}/graphql`)).toContain(`connection refused at 127.0.0.1:${closed}`);
    expect(await cause('http://127.0.0.1:6000/graphql')).toContain('port 6000 is one that HTTP clients refuse');
    // An instance configured with another gateway's key refuses this gateway's assertion.
    const pdb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
    const stranger = await startProvince({ provinces: ['510000'], database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.workflowPublicKey }, pdb);
    try {
      expect(await cause(stranger.url)).toContain("refused the gateway's assertion (HTTP 401): configure it with this gateway's assertion public key");
    } finally {
      await stranger.stop();
      await pdb.close();
    }
  });

  it('keeps registrations in a file across a restart without Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-registry-'));
    const options = await gatewayOptionsFor(stack, { adminToken: TOKEN, registryFile: join(dir, 'registry.json') }, ['500000']);
    let first: RunningGateway | undefined = await startGateway(options);
    const call = (g: RunningGateway, method: string, path: string, body?: unknown) =>
      fetch(new URL(path, g.url), { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    try {
      expect((await call(first, 'POST', '/admin/provinces', { code: '510000', url: sichuan.url })).status).toBe(200);
      expect((await call(first, 'DELETE', '/admin/provinces/500000')).status).toBe(200);
      await first.stop();
      first = undefined;
      const second = await startGateway(options);
      try {
        expect(second.registry.list().map((e) => e.code)).toEqual(['510000']);
        const r = await gql(second.url, '{ assetSummary(scope: { region: "CY" }) { provinceCount } }');
        expect(r.data!.assetSummary.provinceCount).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      await first?.stop();
    }
  });
});

describe('contract check', () => {
  const contract = readSubgraphSdl('province');
  it('accepts the reference implementation and lists each difference of another', () => {
    expect(checkContract(contract, contract)).toEqual([]);
    const changed = contract.replace('totalKgce: Float!\n  "kgce per energy-using person', 'totalKgce: Int!\n  "kgce per energy-using person').replace('  "闲置"\n  IDLE\n', '');
    expect(checkContract(contract, changed)).toEqual(['enum AssetStatus lacks value IDLE', 'EnergyReport.totalKgce has type Int!, the contract says Float!']);
  });
});

describe('gateway command line', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('runs as a plain federation gateway on a supergraph file, sharding only the configured subgraph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({ subgraphUrls: { directory: stack.directory.url }, provinces: [{ code: '500000', url: stack.provinces.get('500000')!.url }], auth: await authConfigFiles() }),
    );
    child = spawn(process.execPath, [join(REPO_ROOT, 'dist/gateway/main.js'), '--supergraph', SUPERGRAPH_PATH, '--port', '0', '--host', '127.0.0.1', '--config', config], {
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gateway did not start')), 20_000);
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'gateway listening') {
          clearTimeout(timer);
          resolve(entry.url!);
        }
      });
    });
    const result = await gql(url, '{ region(code: "CY") { name provinces { name } energySummary(year: 2025) { provinceCount reportCount } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data!.region).toMatchObject({ name: '川渝', provinces: [{ name: '重庆市' }, { name: '四川省' }], energySummary: { provinceCount: 1 } });
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    child = undefined;
  });

  it('refuses a bad configuration with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(config, JSON.stringify({ provinces: [{ code: 'x', url: 'not a url' }], auth: await authConfigFiles() }));
    const bad = spawn(process.execPath, [join(REPO_ROOT, 'dist/gateway/main.js'), '--supergraph', SUPERGRAPH_PATH, '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bad.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => bad.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('provinces.0.code');
    expect(stderr).toContain('provinces.0.url');
  });
});
