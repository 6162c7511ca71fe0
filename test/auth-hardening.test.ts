import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { signAssertion } from '../common/auth/assertion.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../scripts/demo-stack.js';
import { DEV_TOKEN } from '../scripts/dev-keys.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, gql, NATIONAL_ADMIN, post, startTestStack, TEST_KEYS, TEST_REDIS_URL, tokenFor } from './helpers.js';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['320000', '110000']);
});
afterAll(() => stack?.stop());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = { role: 'NATIONAL_ADMIN', sub: 'mallory' };
const now = () => Math.floor(Date.now() / 1000);

async function asBearer(token: string) {
  const res = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ assets { totalCount } }' }) });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown } };
}

describe('forged and broken tokens are refused with 401 and a clear message', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const sign = (payload: object, options: jwt.SignOptions, key = TEST_KEYS.tokenPrivateKey) =>
    jwt.sign(payload, key, { algorithm: 'ES256', keyid: DEV_TOKEN.kid, issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, ...options });
  const CASES: [string, () => string, RegExp][] = [
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT', kid: DEV_TOKEN.kid })}.${b64({ ...claims, iss: DEV_TOKEN.issuer, aud: DEV_TOKEN.audience, exp: now() + 600 })}.`, /algorithm|signature|invalid/],
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

describe('a province instance reached directly answers only the gateway', () => {
  const direct = (assertion: string | null) => post(stack.provinces.get('320000')!.url, { query: '{ assets { totalCount } }' }, { token: null, assertion });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it.each([
    ['no assertion', () => null],
    ['a tampered assertion (role raised)', () => {
      const [h, , s] = signAssertion({ sub: 'x', role: 'ANALYST' }, TEST_KEYS.assertionPrivateKey).split('.');
      return `${h}.${b64({ role: 'NATIONAL_ADMIN', sub: 'x', iss: 'xietong-gateway', aud: 'xietong-subgraph', exp: now() + 60 })}.${s}`;
    }],
    ['an expired assertion', () => signAssertion(NATIONAL_ADMIN, TEST_KEYS.assertionPrivateKey, -120)],
    ['an assertion signed by another key', () => signAssertion(NATIONAL_ADMIN, other)],
    ['a user token instead of an assertion', () => tokenFor(NATIONAL_ADMIN)],
  ])('%s: 401', async (_name, assertion) => {
    const res = await direct(assertion());
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[]; data?: unknown };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });

  it('the directory too; the gateway’s own assertion works', async () => {
    expect((await post(stack.directory.url, { query: '{ regions { code } }' }, { token: null, assertion: null })).status).toBe(401);
    expect((await direct(signAssertion(NATIONAL_ADMIN, TEST_KEYS.assertionPrivateKey))).status).toBe(200);
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
    ['circular fragments', () => ({ query: 'query { regions { ...A } } fragment A on Region { provinces { region { ...B } } } fragment B on Region { provinces { region { ...A } } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['first: 1000000', () => ({ query: '{ assets(first: 1000000) { edges { node { id name agency { name } } } } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
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

describe('caches never carry one caller’s answer to another', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway(await gatewayOptionsFor(stack, { redis: { url: TEST_REDIS_URL }, redisPrefix: `xietong:test:cache:${process.pid}:${Date.now()}:` }));
  });
  afterAll(() => gateway?.stop());

  it('the same persisted query by different roles, interleaved, returns each role its own data', async () => {
    const query = 'query Fleet { vehicles(filter: { province: "320000" }, first: 3) { totalCount edges { node { id plateNumber assignedDriver } } } }';
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(query).digest('hex');
    const run = async (token: string | null, withQuery: boolean) =>
      (await (await post(gateway.url, { ...(withQuery ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, { token, assertion: null })).json()) as {
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
    const asset = (await gql(gateway.url, '{ assets(filter: { province: "320000", status: IDLE, offeredToPool: false }, first: 1) { edges { node { id } } } }')).data!.assets.edges[0].node.id;
    await gql(gateway.url, `mutation Offer { offerAssetToPool(input: { assetId: "${asset}" }) { asset { id } } }`, undefined, { token: jsAdmin, assertion: null });
    await gateway.stop();

    gateway = await startGateway(options);
    try {
      const trail = await gql(gateway.url, '{ auditEvents(filter: { subject: "admin-js" }, first: 10) { nodes { subject role binding operationName mutation provinces outcome errorCodes operationHash time } hasNextPage } }', undefined, { assertion: null });
      expect(trail.errors).toBeUndefined();
      const events = trail.data!.auditEvents.nodes;
      expect(events.map((e: { operationName: string }) => e.operationName)).toEqual(['Offer', 'PoolBeijing']);
      expect(events[0]).toMatchObject({ subject: 'admin-js', role: 'PROVINCE_ADMIN', binding: '320000', mutation: true, provinces: ['320000'], outcome: 'ok', errorCodes: [] });
      expect(events[1]).toMatchObject({ mutation: false, provinces: ['110000'], outcome: 'ok' });
      expect(events[1].operationHash).toMatch(/^[0-9a-f]{64}$/);
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
          tokens: { issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, algorithms: ['ES256'], jwksUrl: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/.well-known/jwks.json` },
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

  it('an unreachable subgraph is named, with no URL or transport detail', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { subgraphUrls: { directory: 'http://127.0.0.1:9/graphql' } }));
    try {
      const r = await gql(gateway.url, '{ regions { code } }');
      expect(r.errors).toEqual([{ message: expect.stringContaining('directory service could not be reached'), extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'directory' } }]);
      expect(JSON.stringify(r)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:9\//);
    } finally {
      await gateway.stop();
    }
  });

  it('the audit trail in a Redis stream is shared by replicas and outlives them', async () => {
    const options = await gatewayOptionsFor(stack, { redis: { url: TEST_REDIS_URL }, redisPrefix: `xietong:test:audit:${process.pid}:${Date.now()}:` });
    const a = await startGateway(options);
    await gql(a.url, 'query ReadBeijing { assets(filter: { province: "110000" }) { totalCount } }', undefined, { token: tokenFor({ role: 'PROVINCE_ADMIN', province: '320000', sub: 'stream-js' }), assertion: null });
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
