import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ASSERTION_HEADER, provinceAudience, SESSION_HEADER, signAssertion, subgraphAudience } from '../common/auth/assertion.js';
import { SYSTEM } from '../common/auth/principal.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { DEV_TOKEN } from '../demo/dev-keys.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, gql, NATIONAL_ADMIN, post, startTestStack, TEST_KEYS, TEST_REDIS_URL, testRedisPrefix, tokenFor } from './helpers.js';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['320000', '110000']);
});
afterAll(() => stack?.stop());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = { role: 'NATIONAL_ADMIN', sub: 'mallory' };
const now = () => Math.floor(Date.now() / 1000);

async function asBearer(token: string) {
  const res = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ assets { totalCount } }' }),
  });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown } };
}

describe('forged and broken tokens are refused with 401 and a clear message', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const sign = (payload: object, options: jwt.SignOptions, key = TEST_KEYS.tokenPrivateKey) =>
    jwt.sign(payload, key, { algorithm: 'ES256', keyid: DEV_TOKEN.kid, issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, ...options });
  const CASES: [string, () => string, RegExp][] = [
    [
      'alg: none',
      () => `${b64({ alg: 'none', typ: 'JWT', kid: DEV_TOKEN.kid })}.${b64({ ...claims, iss: DEV_TOKEN.issuer, aud: DEV_TOKEN.audience, exp: now() + 600 })}.`,
      /algorithm|signature|invalid/,
    ],
    [
      'HS256 signed with the public key',
      () => {
        const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: DEV_TOKEN.kid })}.${b64({ ...claims, iss: DEV_TOKEN.issuer, aud: DEV_TOKEN.audience, exp: now() + 600 })}`;
        return `${head}.${createHmac('sha256', TEST_KEYS.tokenPublicKey).update(head).digest('base64url')}`;
      },
      /algorithm/,
    ],
    ['expired', () => sign({ ...claims, exp: now() - 3600 }, {}), /expired/],
    ['not yet valid', () => sign(claims, { expiresIn: '1h', notBefore: '30m' }), /not valid yet/],
    ['wrong issuer', () => sign(claims, { expiresIn: '1h', issuer: 'https://evil.example' }), /issuer/],
    ['wrong audience', () => sign(claims, { expiresIn: '1h', audience: 'someone-else' }), /audience/],
    ['missing exp', () => sign(claims, {}), /expiry/],
    ['unknown kid', () => sign(claims, { expiresIn: '1h', keyid: 'rotated-away' }), /unknown key id/],
    ['signed by another key', () => sign(claims, { expiresIn: '1h' }, other), /signature/],
    ['garbage', () => 'not.a.jwt', /malformed|invalid/],
    ['a role that does not exist', () => sign({ ...claims, role: 'SUPERUSER' }, { expiresIn: '1h' }), /role/],
    ['a province admin without a province', () => sign({ ...claims, role: 'PROVINCE_ADMIN' }, { expiresIn: '1h' }), /province/],
  ];
  for (const [name, token, reason] of CASES) {
    it(name, async () => {
      const { status, body } = await asBearer(token());
      expect(status).toBe(401);
      expect(body.data ?? null).toBeNull();
      expect(body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      expect(body.errors![0].message).toMatch(reason);
    });
  }

  it('a valid token is accepted, and no token is anonymous', async () => {
    expect((await asBearer(tokenFor(NATIONAL_ADMIN))).status).toBe(200);
    const anon = await gql(stack.gateway.url, '{ regions { code } }', undefined, { token: null, assertion: null });
    expect(anon.data!.regions).toHaveLength(3);
  });
});

/**
 * Puts a spy between the gateway and 320000's instance at `real`: it records each call's
 * assertion and passes the call and the answer on, with what the instance says of its session.
 */
async function spyOn(real: string) {
  const captured: string[] = [];
  const spy = createServer(async (req, res) => {
    captured.push(String(req.headers[ASSERTION_HEADER] ?? ''));
    const body = await new Promise<string>((resolve) => {
      let b = '';
      req.on('data', (c) => (b += c)).on('end', () => resolve(b));
    });
    const upstream = await fetch(real, { method: 'POST', headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: captured.at(-1)! }, body });
    const session = upstream.headers.get(SESSION_HEADER);
    res.writeHead(upstream.status, { 'content-type': 'application/json', ...(session ? { [SESSION_HEADER]: session } : {}) }).end(await upstream.text());
  });
  await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
  stack.gateway.registry.register({ code: '320000', url: `http://127.0.0.1:${(spy.address() as AddressInfo).port}/graphql` });
  return { captured, spy };
}

describe('a province instance reached directly answers only the gateway', () => {
  const JS = provinceAudience('320000');
  const direct = (assertion: string | null, query = '{ assets { totalCount } }', code = '320000') => post(stack.provinces.get(code)!.url, { query }, { token: null, assertion });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = TEST_KEYS.assertionPrivateKey;

  it.each([
    ['no assertion', () => null],
    [
      'a tampered assertion (role raised)',
      () => {
        const [h, , s] = signAssertion({ sub: 'x', role: 'ANALYST' }, key, JS).split('.');
        return `${h}.${b64({ role: 'NATIONAL_ADMIN', sub: 'x', iss: 'xietong-gateway', aud: JS, jti: 'x', iat: now(), exp: now() + 10 })}.${s}`;
      },
    ],
    ['an expired assertion', () => signAssertion(NATIONAL_ADMIN, key, JS, { ttlSeconds: -120 })],
    ['an assertion signed by another key', () => signAssertion(NATIONAL_ADMIN, other, JS)],
    ['a user token instead of an assertion', () => tokenFor(NATIONAL_ADMIN)],
    ['an assertion addressed to another province', () => signAssertion(NATIONAL_ADMIN, key, provinceAudience('110000'))],
    ['an assertion addressed to the directory', () => signAssertion(NATIONAL_ADMIN, key, subgraphAudience('directory'))],
    [
      'an assertion addressed to several audiences',
      () => jwt.sign({ role: 'NATIONAL_ADMIN' }, key, { algorithm: 'ES256', issuer: 'xietong-gateway', audience: [JS, provinceAudience('110000')], expiresIn: 10, jwtid: 'multi' }),
    ],
    ['a ten-year assertion', () => signAssertion(NATIONAL_ADMIN, key, JS, { ttlSeconds: 10 * 365 * 86_400 })],
    ['an assertion without a unique id', () => jwt.sign({ role: 'NATIONAL_ADMIN' }, key, { algorithm: 'ES256', issuer: 'xietong-gateway', audience: JS, expiresIn: 10 })],
    ['an assertion with a small-cell threshold below 1', () => signAssertion(NATIONAL_ADMIN, key, JS, { minAgencies: 0 })],
    [
      'an assertion with a threshold that is not a number',
      () => jwt.sign({ role: 'NATIONAL_ADMIN', minAgencies: 'none' }, key, { algorithm: 'ES256', issuer: 'xietong-gateway', audience: JS, expiresIn: 10, jwtid: 'm' }),
    ],
  ])('%s: 401, naming no issuer, audience or key', async (_name, assertion) => {
    const res = await direct(assertion());
    expect(res.status).toBe(401);
    const text = await res.text();
    const body = JSON.parse(text) as { errors: { extensions: { code: string } }[]; data?: unknown };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
    expect(text).not.toMatch(/xietong-gateway|province:|subgraph:|audience|issuer|expected/i);
  });

  it('the directory too; an assertion addressed to it works once', async () => {
    expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: null })).status).toBe(401);
    expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: signAssertion(NATIONAL_ADMIN, key, JS) })).status).toBe(401);
    const once = signAssertion(NATIONAL_ADMIN, key, subgraphAudience('directory'));
    expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: once })).status).toBe(200);
    expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: once })).status).toBe(401);
  });

  it('an assertion the gateway sent to one province is refused by another, and by the same one again', async () => {
    const real = stack.provinces.get('320000')!.url;
    const { captured, spy } = await spyOn(real);
    try {
      const answer = await gql(stack.gateway.url, '{ a: assets(filter: { province: "320000" }) { totalCount } b: vehicles(filter: { province: "320000" }) { totalCount } }');
      expect(answer.errors).toBeUndefined();
      await gql(stack.gateway.url, '{ vehicleSummary(scope: { province: "320000" }) { vehicleCount } }');
      expect(captured.length).toBeGreaterThanOrEqual(2);
      // Every call carries its own assertion.
      expect(new Set(captured).size).toBe(captured.length);
      const stolen = captured[0];
      expect((await direct(stolen, '{ assets { totalCount } }', '110000')).status).toBe(401);
      expect((await direct(stolen)).status).toBe(401);
      expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: stolen })).status).toBe(401);
    } finally {
      stack.gateway.registry.register({ code: '320000', url: real });
      await new Promise((resolve) => spy.close(resolve));
    }
  });

  it('under a session the gateway agreed with one province, its HMAC assertions are refused by another, and by the same one again; a restarted province is signed for again', async () => {
    const real = stack.provinces.get('320000')!.url;
    const { captured, spy } = await spyOn(real);
    const alg = (token: string) => jwt.decode(token, { complete: true })?.header.alg;
    const ask = async () => {
      const answer = await gql(stack.gateway.url, '{ assets(filter: { province: "320000" }) { totalCount } }');
      expect(answer.errors).toBeUndefined();
      expect((answer.data as { assets: { totalCount: number } }).assets.totalCount).toBeGreaterThan(0);
    };
    try {
      for (let i = 0; i < 3; i++) await ask();
      expect(alg(captured[0])).toBe('ES256');
      const underSession = captured.filter((t) => alg(t) === 'HS256');
      expect(underSession.length).toBeGreaterThanOrEqual(2);
      const stolen = underSession[0];
      expect((await direct(stolen, '{ assets { totalCount } }', '110000')).status).toBe(401);
      expect((await direct(stolen)).status).toBe(401);
      expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: stolen })).status).toBe(401);
      // A restarted instance holds no session: the gateway's call under the old one is refused
      // before anything runs and sent again, signed, and the answer is whole.
      await stack.stopProvince('320000');
      await stack.restartProvince('320000');
      const before = captured.length;
      await ask();
      const after = captured.slice(before).map(alg);
      expect(after.slice(0, 2)).toEqual(['HS256', 'ES256']);
      await ask();
      expect(alg(captured.at(-1)!)).toBe('HS256');
    } finally {
      stack.gateway.registry.register({ code: '320000', url: real });
      await new Promise((resolve) => spy.close(resolve));
    }
  });

  it("the gateway's background principal (SYSTEM) reads the data version and the SDL, nothing else", async () => {
    const system = () => signAssertion(SYSTEM, key, JS);
    const version = (await (await direct(system(), '{ _dataVersion { marker } }')).json()) as { data?: { _dataVersion?: { marker: string } } };
    expect(typeof version.data?._dataVersion?.marker).toBe('string');
    const sdl = (await (await direct(system(), '{ _service { sdl } }')).json()) as { data?: { _service?: { sdl: string } } };
    expect(sdl.data?._service?.sdl).toContain('type Asset');
    for (const query of [
      '{ assets { totalCount } }',
      '{ energySummary(year: 2025) { totalKgce } }',
      '{ _dataVersion { marker } assets { totalCount } }',
      '{ ...F } fragment F on Query { assets { totalCount } }',
      '{ ... on Query { agency(id: "320000:AG-0000001") { contactPhone } } }',
      'mutation { offerAssetToPool(input: { assetId: "320000:AS-0000001" }) { asset { id } } }',
    ]) {
      const res = await direct(system(), query);
      const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      expect([query, body.data ?? null]).toEqual([query, null]);
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    // And a user role may not read the data version.
    const asAdmin = (await (await direct(signAssertion(NATIONAL_ADMIN, key, JS), '{ _dataVersion { marker } }')).json()) as {
      data?: unknown;
      errors?: { extensions?: { code?: string } }[];
    };
    expect(asAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('hostile documents are refused before any subgraph call', () => {
  const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);
  const aliases = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: regions { code }`).join(' ')} }`;
  const deep = `{ regions { ${'provinces { region { '.repeat(25)}code${' } }'.repeat(25)} } }`;
  const CASES: [string, () => unknown, number, string][] = [
    ['10,000 aliases', () => ({ query: aliases }), 400, 'GRAPHQL_PARSE_FAILED|GRAPHQL_VALIDATION_FAILED|PAYLOAD_TOO_LARGE'],
    ['depth 50', () => ({ query: deep }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['a 1 MB document', () => ({ query: `{ regions { code } } # ${'x'.repeat(1_000_000)}` }), 413, 'PAYLOAD_TOO_LARGE'],
    [
      'circular fragments',
      () => ({ query: 'query { regions { ...A } } fragment A on Region { provinces { region { ...B } } } fragment B on Region { provinces { region { ...A } } }' }),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['first: 1000000', () => ({ query: '{ assets(first: 1000000) { edges { node { id name agency { name } } } } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    // graphql-js compares every pair of same-named fields in a selection set; before 16.15 these took seconds.
    ['one field repeated 4,900 times', () => ({ query: `{ regions { ${'code '.repeat(4900)}} }` }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['one nested field repeated 1,200 times', () => ({ query: `{ regions { ${'provinces { code } '.repeat(1200)}} }` }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['100 batched operations', () => Array.from({ length: 100 }, () => ({ query: '{ assets { totalCount } }' })), 400, 'BAD_REQUEST|BATCH'],
  ];
  for (const [name, body, status, code] of CASES) {
    it(name, async () => {
      const before = statements();
      const res = await post(stack.gateway.url, body());
      expect(res.status).toBe(status);
      const text = await res.text();
      if (status !== 400 || !name.includes('batched')) expect(JSON.parse(text).errors[0].extensions.code).toMatch(new RegExp(`^(${code})$`));
      else expect(text).toMatch(/batch/i);
      expect(text).not.toMatch(/stacktrace|at .*\.js/);
      expect(statements()).toBe(before);
    });
  }
});

describe('documents that would expand exponentially through fragments are answered at once', () => {
  // Each fragment spreads the one below it several times: about 1 kB of text, millions of selections
  // if anything expanded it. Introspection is outside graphql-armor's cost and depth counts.
  const chain = (name: string, on: string, levels: number, level: (below: string) => string, leaf: string) =>
    Array.from({ length: levels }, (_, i) => `fragment ${name}${i} on ${on} { ${i === 0 ? leaf : level(`...${name}${i - 1}`)} }`).join(' ');
  const CASES: [string, string, number][] = [
    // graphql-js's introspection depth rule (fields, interfaces, possibleTypes).
    [
      'introspection, 4^11 selections',
      `{ __schema { types { ...T10 } } } ${chain('T', '__Type', 11, (b) => `ofType { ${b} } interfaces { ${b} } possibleTypes { ${b} } fields { type { ${b} } }`, 'name')}`,
      400,
    ],
    // ofType is outside that rule, but same-named fields merge into one: nothing multiplies.
    [
      'introspection through ofType twice, 2^22 selections',
      `{ __schema { types { ...O21 } } } ${chain('O', '__Type', 22, (b) => `ofType { ${b} } ofType { kind ${b} }`, 'name')}`,
      200,
    ],
    // Each __schema is the whole schema, and neither armor's cost nor its depth counts introspection.
    ['__schema under 30 aliases', `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: __schema { types { name fields { name args { name } } } }`).join(' ')} }`, 400],
    ['__schema in two fragments', '{ ...A ...B } fragment A on Query { a: __schema { queryType { name } } } fragment B on Query { b: __schema { queryType { name } } }', 400],
    // graphql-armor counts aliases, depth and cost with fragments expanded.
    [
      'aliased relations, 2^20 selections',
      `{ regions { ...R19 } } ${chain('R', 'Region', 20, (b) => `provinces { region { ${b} } } a: provinces { region { ${b} } }`, 'code')}`,
      400,
    ],
  ];
  for (const [name, query, status] of CASES) {
    it(name, async () => {
      const started = performance.now();
      const res = await post(stack.gateway.url, { query }, { token: tokenFor({ role: 'ANALYST' }) });
      const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      const elapsed = performance.now() - started;
      expect(res.status).toBe(status);
      if (status === 400) expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      else expect([body.errors, typeof body.data]).toEqual([undefined, 'object']);
      // Expanded, any of these takes seconds to minutes; answered, well under a second.
      expect(elapsed).toBeLessThan(1000);
    });
  }
});

describe('caches never carry one caller’s answer to another', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway(await gatewayOptionsFor(stack, { redis: { url: TEST_REDIS_URL }, redisPrefix: testRedisPrefix('cache') }));
  });
  afterAll(() => gateway?.stop());

  it('the same persisted query by different roles, interleaved, returns each role its own data', async () => {
    const query = 'query Fleet { vehicles(filter: { province: "320000" }, first: 3) { totalCount edges { node { id plateNumber assignedDriver } } } }';
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(query).digest('hex');
    const run = async (token: string | null, withQuery: boolean) =>
      (await (
        await post(gateway.url, { ...(withQuery ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, { token, assertion: null })
      ).json()) as {
        data: { vehicles: { totalCount: number; edges: { node: { plateNumber: string | null; assignedDriver: string | null } }[] } | null } | null;
        errors?: { extensions: { code: string; class?: string } }[];
      };
    const admin = tokenFor(NATIONAL_ADMIN);
    const coordinator = tokenFor({ role: 'REGION_COORDINATOR', region: 'YRD' });
    const beijing = tokenFor({ role: 'PROVINCE_ADMIN', province: '110000' });
    const first = await run(admin, true);
    for (let round = 0; round < 3; round++) {
      expect(await run(admin, false)).toEqual(first);
      expect(first.data!.vehicles!.edges.every((e) => e.node.plateNumber !== null)).toBe(true);
      const c = await run(coordinator, false);
      expect(c.data!.vehicles!.totalCount).toBe(first.data!.vehicles!.totalCount);
      expect(c.data!.vehicles!.edges.every((e) => e.node.assignedDriver === null)).toBe(true);
      const b = await run(beijing, false);
      expect(b.data!.vehicles).toEqual({ totalCount: 0, edges: [] });
      const anon = await run(null, false);
      expect(anon.data?.vehicles ?? null).toBeNull();
      expect(anon.errors![0].extensions.code).toBe('FORBIDDEN');
    }
  });
});

describe('audit trail', () => {
  it('records a cross-province read and a change, queryable by NATIONAL_ADMIN only, and survives a gateway restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xietong-audit-')), 'audit.sqlite');
    const options = await gatewayOptionsFor(stack, { auditFile: file });
    let gateway = await startGateway(options);
    const jsAdmin = tokenFor({ role: 'PROVINCE_ADMIN', province: '320000', sub: 'admin-js' });
    await gql(gateway.url, 'query OwnOnly { assets(filter: { province: "320000" }) { totalCount } }', undefined, { token: jsAdmin, assertion: null });
    await gql(gateway.url, 'query PoolBeijing { assets(filter: { province: "110000", offeredToPool: true }) { totalCount } }', undefined, { token: jsAdmin, assertion: null });
    const asset = (await gql(gateway.url, '{ assets(filter: { province: "320000", status: IDLE, offeredToPool: false }, first: 1) { edges { node { id } } } }')).data!.assets
      .edges[0].node.id;
    await gql(gateway.url, `mutation Offer { offerAssetToPool(input: { assetId: "${asset}" }) { asset { id } } }`, undefined, { token: jsAdmin, assertion: null });
    // A coordinator's token that also carries a province claim is still a coordinator's: its reads are recorded.
    const coordinator = tokenFor({ role: 'REGION_COORDINATOR', region: 'YRD', province: '320000', sub: 'coordinator-with-claim' });
    const plates = await gql(gateway.url, 'query Plates { vehicles(filter: { province: "320000" }, first: 2) { edges { node { plateNumber } } } }', undefined, {
      token: coordinator,
      assertion: null,
    });
    expect(plates.data!.vehicles.edges[0].node.plateNumber).toEqual(expect.any(String));
    // Anonymous reads of published aggregates are counted, not recorded one by one (cache or not).
    for (let i = 0; i < 3; i++) {
      const published = await gql(gateway.url, `query Published { energySummary(year: 2025) { totalKgce } }`, undefined, { token: null });
      expect(published.data!.energySummary.totalKgce).toEqual(expect.any(Number));
    }
    // Nor does an anonymous mutation (refused before it runs), whatever its name.
    const refusedWrite = await gql(gateway.url, `mutation ${'X'.repeat(5000)} { setAssetStatus(input: { assetId: "${asset}", status: IDLE }) { asset { id } } }`, undefined, {
      token: null,
    });
    expect(refusedWrite.errors![0].extensions!.code).toBe('FORBIDDEN');
    const health = (await (await fetch(gateway.url.replace('/graphql', '/health'))).json()) as { anonymousReads: number };
    expect(health.anonymousReads).toBe(4);
    await gateway.stop();

    gateway = await startGateway(options);
    try {
      const trail = await gql(
        gateway.url,
        '{ auditEvents(filter: { subject: "admin-js" }, first: 10) { nodes { subject role binding operationName mutation provinces outcome errorCodes operationHash time } hasNextPage } }',
        undefined,
        { assertion: null },
      );
      expect(trail.errors).toBeUndefined();
      const events = trail.data!.auditEvents.nodes;
      expect(events.map((e: { operationName: string }) => e.operationName)).toEqual(['Offer', 'PoolBeijing']);
      expect(events[0]).toMatchObject({ subject: 'admin-js', role: 'PROVINCE_ADMIN', binding: '320000', mutation: true, provinces: ['320000'], outcome: 'ok', errorCodes: [] });
      expect(events[1]).toMatchObject({ mutation: false, provinces: ['110000'], outcome: 'ok' });
      expect(events[1].operationHash).toMatch(/^[0-9a-f]{64}$/);
      const coordinatorTrail = await gql(
        gateway.url,
        '{ auditEvents(filter: { subject: "coordinator-with-claim" }) { nodes { operationName role binding provinces } } }',
        undefined,
        { assertion: null },
      );
      expect(coordinatorTrail.data!.auditEvents.nodes).toEqual([{ operationName: 'Plates', role: 'REGION_COORDINATOR', binding: 'YRD', provinces: ['320000'] }]);
      const all = await gql(gateway.url, '{ auditEvents(first: 100) { nodes { role operationName } } }', undefined, { assertion: null });
      expect(all.data!.auditEvents.nodes.filter((e: { role: string }) => e.role === 'ANONYMOUS')).toEqual([]);
      const denied = await gql(gateway.url, '{ auditEvents { nodes { id } } }', undefined, { token: jsAdmin, assertion: null });
      expect(denied.data!.auditEvents).toBeNull();
      expect(denied.errors![0].extensions!.code).toBe('FORBIDDEN');
    } finally {
      await gateway.stop();
    }
  });
});

describe('keys from a JWKS endpoint', () => {
  it('accepts a token whose kid is in the JWKS (fetched and cached), refuses an unknown kid', async () => {
    const { createServer } = await import('node:http');
    const { createPublicKey } = await import('node:crypto');
    const jwk = { ...createPublicKey(TEST_KEYS.tokenPublicKey).export({ format: 'jwk' }), kid: 'jwks-1', use: 'sig', alg: 'ES256' };
    let fetches = 0;
    const jwks = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
    const gateway = await startGateway(
      await gatewayOptionsFor(stack, {
        auth: {
          tokens: {
            issuer: DEV_TOKEN.issuer,
            audience: DEV_TOKEN.audience,
            algorithms: ['ES256'],
            jwksUrl: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/.well-known/jwks.json`,
          },
          assertionPrivateKey: TEST_KEYS.assertionPrivateKey,
        },
      }),
    );
    try {
      const token = tokenFor(NATIONAL_ADMIN, { keyid: 'jwks-1' });
      for (let i = 0; i < 3; i++) expect((await gql(gateway.url, '{ assets { totalCount } }', undefined, { token, assertion: null })).errors).toBeUndefined();
      expect(fetches).toBe(1);
      const unknown = await post(gateway.url, { query: '{ regions { code } }' }, { token: tokenFor(NATIONAL_ADMIN, { keyid: 'other' }), assertion: null });
      expect(unknown.status).toBe(401);
    } finally {
      await gateway.stop();
      await new Promise((r) => jwks.close(r));
    }
  });
});

describe('the rest of the surface', () => {
  it('CSRF prevention: a simple GET without a preflight-forcing header is blocked', async () => {
    const res = await fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ regions { code } }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('the query plan is never shown to a client, whatever headers it sends (outside production, stock @apollo/gateway shows it)', async () => {
    const res = await post(
      stack.gateway.url,
      { query: '{ assets(first: 1) { totalCount edges { node { id agency { name } } } } }' },
      {},
      { 'apollo-query-plan-experimental': '1', 'apollo-query-plan-experimental-format': 'internal' },
    );
    const body = (await res.json()) as { data?: { assets: { totalCount: number } }; extensions?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.assets.totalCount).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/queryPlan|Fetch|serviceName|_entities/i);
  });

  it('an unreachable subgraph is named, with no URL or transport detail', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { subgraphUrls: { directory: 'http://127.0.0.1:9/graphql' } }));
    try {
      const r = await gql(gateway.url, '{ regions { code } }');
      expect(r.errors).toEqual([
        { message: expect.stringContaining('directory service could not be reached'), extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'directory' } },
      ]);
      expect(JSON.stringify(r)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:9\//);
    } finally {
      await gateway.stop();
    }
  });

  it('the audit trail in a Redis stream is shared by replicas and outlives them', async () => {
    const options = await gatewayOptionsFor(stack, { redis: { url: TEST_REDIS_URL }, redisPrefix: testRedisPrefix('audit') });
    const a = await startGateway(options);
    await gql(a.url, 'query ReadBeijing { assets(filter: { province: "110000" }) { totalCount } }', undefined, {
      token: tokenFor({ role: 'PROVINCE_ADMIN', province: '320000', sub: 'stream-js' }),
      assertion: null,
    });
    await a.stop();
    const b = await startGateway(options);
    try {
      const trail = await gql(b.url, '{ auditEvents(filter: { subject: "stream-js" }) { nodes { operationName provinces role } } }');
      expect(trail.data!.auditEvents.nodes).toEqual([{ operationName: 'ReadBeijing', provinces: ['110000'], role: 'PROVINCE_ADMIN' }]);
    } finally {
      await b.stop();
    }
  });
});
