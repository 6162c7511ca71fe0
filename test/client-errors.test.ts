import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, post, startTestStack, tokenFor, type Result } from './helpers.js';

// Client mistakes and probes: each answers a 4xx with a stable code, never a 500, a stack or the schema.
let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['320000']);
});
afterAll(() => stack?.stop());

const ROLES = {
  anonymous: null,
  officer: () => tokenFor({ role: 'AGENCY_OFFICER', agency: '320000:AG-0000002' }),
  analyst: () => tokenFor({ role: 'ANALYST' }),
  admin: () => tokenFor({ role: 'NATIONAL_ADMIN' }),
};
type Who = keyof typeof ROLES;
const tokenOf = (who: Who) => (ROLES[who] ? ROLES[who]!() : null);

async function ask(who: Who, body: unknown, url = stack.gateway.url): Promise<{ status: number; headers: Headers; text: string; body: Result }> {
  const res = await post(url, body, { token: tokenOf(who), assertion: null });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Result };
}
const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);

describe('introspection is for roles that may explore, however the document is written', () => {
  const DOCUMENTS: [string, string][] = [
    ['a fragment', '{ ...I } fragment I on Query { __schema { types { name } } }'],
    ['an inline fragment', '{ ... on Query { __schema { types { name } } } }'],
    ['nested fragments', '{ ...A } fragment A on Query { ...B } fragment B on Query { __schema { types { name } } }'],
    ['an alias', '{ s: __schema { types { name } } }'],
    ['__type in a fragment', '{ ...T } fragment T on Query { t: __type(name: "Asset") { fields { name } } }'],
  ];

  for (const who of ['anonymous', 'officer'] as const) {
    it.each(DOCUMENTS)(`${who}: refused through %s`, async (_name, query) => {
      const r = await ask(who, { query });
      expect(r.status).toBe(403);
      expect(r.body.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(r.body.data ?? null).toBeNull();
      expect(r.text).not.toMatch(/"AssetStatus"|"fields"|"types"/);
    });
  }

  it('an analyst may explore through fragments', async () => {
    const r = await ask('analyst', { query: DOCUMENTS[0][1] });
    expect(r.status).toBe(200);
    expect(r.body.data!.__schema.types.map((t: { name: string }) => t.name)).toContain('Asset');
  });

  it('__typename stays allowed for everyone', async () => {
    const r = await ask('anonymous', { query: '{ __typename ...F regions { __typename code } } fragment F on Query { t: __typename }' });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ __typename: 'Query', t: 'Query' });
  });

  describe('behind the response cache', () => {
    let gateway: RunningGateway;
    beforeAll(async () => {
      gateway = await startGateway(await gatewayOptionsFor(stack, { responseCache: { ttlSeconds: 60, maxEntries: 100, dataVersionPollMs: 600_000 } }));
    });
    afterAll(() => gateway?.stop());

    it('an answer cached for an exploring scope is never served to another scope', async () => {
      const query = DOCUMENTS[0][1];
      expect((await ask('admin', { query }, gateway.url)).status).toBe(200);
      const hit = await ask('admin', { query }, gateway.url);
      expect(hit.headers.get('x-xietong-cache')).toBe('hit');
      for (const who of ['anonymous', 'officer'] as const) {
        for (let i = 0; i < 2; i++) {
          const r = await ask(who, { query }, gateway.url);
          expect(r.status).toBe(403);
          expect(r.body.errors![0].extensions!.code).toBe('FORBIDDEN');
          expect(r.headers.get('x-xietong-cache')).not.toBe('hit');
        }
      }
    });
  });
});

describe('"Did you mean …?" only for roles that may explore', () => {
  const TYPOS: [string, unknown][] = [
    ['a field', { query: '{ regoins { code } }' }],
    ['an enum literal', { query: '{ assets(filter: { status: IDL }) { totalCount } }' }],
    ['an argument', { query: '{ assets(fitler: { status: IDLE }) { totalCount } }' }],
    ['a type', { query: 'query($s: AssetStatu) { assets(filter: { status: $s }) { totalCount } }' }],
    // Variables are coerced by the gateway's executor, after Apollo Server's validation.
    ['an input field in a variable', { query: 'query($s: ScopeInput) { assetSummary(scope: $s) { assetCount } }', variables: { s: { regoin: 'YRD' } } }],
  ];
  // Only roles that may read rows get as far as coercing a variable of a row field.
  const ENUM_VARIABLE = { query: 'query($s: AssetStatus) { assets(filter: { status: $s }) { totalCount } }', variables: { s: 'IDL' } };

  for (const who of ['anonymous', 'officer'] as const) {
    it.each(TYPOS)(`${who}: none for %s`, async (_name, body) => {
      const r = await ask(who, body);
      expect(r.status).toBe(400);
      expect(r.body.errors!.length).toBeGreaterThan(0);
      expect(r.text).not.toMatch(/Did you mean/);
    });
  }

  it('officer: none for an enum value in a variable', async () => {
    const r = await ask('officer', ENUM_VARIABLE);
    expect(r.status).toBe(400);
    expect(r.body.errors![0].message).toMatch(/"IDL" does not exist in "AssetStatus" enum\.$/);
  });

  it.each(TYPOS)('analyst: kept for %s', async (_name, body) => {
    expect((await ask('analyst', body)).text).toMatch(/Did you mean/);
  });

  it('an administrator keeps them for an enum value in a variable', async () => {
    expect((await ask('admin', ENUM_VARIABLE)).body.errors![0].message).toMatch(/Did you mean the enum value "IDLE"\?$/);
  });
});

describe('client mistakes answer 400 with a stable code, not 500', () => {
  const query = 'query A { regions { code } } query B { provinces { code } }';
  const CASES: [string, unknown, string, RegExp][] = [
    ['an unknown operationName', { query, operationName: 'C' }, 'OPERATION_RESOLUTION_FAILURE', /Unknown operation named "C"/],
    ['an operationName for an anonymous operation', { query: '{ regions { code } }', operationName: 'A' }, 'OPERATION_RESOLUTION_FAILURE', /Unknown operation named "A"/],
    ['several operations without operationName', { query }, 'OPERATION_RESOLUTION_FAILURE', /several operations.*operationName/],
    ['a subscription', { query: 'subscription S { regions { code } }' }, 'BAD_REQUEST', /Subscriptions are not supported/],
    [
      'an APQ hash that does not match its query',
      { query: '{ regions { code } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
      'PERSISTED_QUERY_HASH_MISMATCH',
      /sha256Hash.*SHA-256/,
    ],
    ['an APQ version other than 1', { query: '{ regions { code } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } }, 'BAD_REQUEST', /version/],
  ];

  for (const who of ['anonymous', 'admin'] as const) {
    it.each(CASES)(`${who}: %s`, async (_name, body, code, message) => {
      const before = statements();
      const r = await ask(who, body);
      expect(r.status).toBe(400);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors![0].extensions!.code).toBe(code);
      expect(r.body.errors![0].message).toMatch(message);
      expect(r.body.data ?? null).toBeNull();
      expect(r.text).not.toMatch(/stacktrace|at .*\.js|Internal server error/);
      expect(statements()).toBe(before);
    });
  }

  it('the operation a name picks still runs, and a well-formed APQ registers', async () => {
    expect((await ask('anonymous', { query, operationName: 'B' })).body.data!.provinces.length).toBeGreaterThan(0);
    const apq = '{ regions { name } }';
    const sha256Hash = createHash('sha256').update(apq).digest('hex');
    expect((await ask('anonymous', { query: apq, extensions: { persistedQuery: { version: 1, sha256Hash } } })).status).toBe(200);
    expect((await ask('anonymous', { extensions: { persistedQuery: { version: 1, sha256Hash } } })).body.data!.regions).toHaveLength(3);
  });
});

describe('aliases with the router’s internal prefix are refused', () => {
  it.each([
    ['on a directory field', '{ regions { __xt_code: code name } }'],
    ['on a merged connection', '{ assets(first: 2) { __xt_edges: edges { cursor } totalCount } }'],
    ['in a fragment', '{ assets(first: 2) { ...P } } fragment P on AssetConnection { __xt_pageInfo: pageInfo { hasNextPage } }'],
  ])('%s', async (_name, query) => {
    const before = statements();
    const r = await ask('admin', { query });
    expect(r.status).toBe(400);
    expect(r.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors![0].message).toMatch(/alias "__xt_\w+" is reserved/);
    expect(r.body.data ?? null).toBeNull();
    expect(statements()).toBe(before);
  });

  it('other aliases keep their fields', async () => {
    const r = await ask('admin', { query: '{ assets(first: 2) { xt_edges: edges { cursor } n: totalCount } }' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.assets.xt_edges).toHaveLength(2);
  });
});

describe('the explorer page', () => {
  const get = (path: string, accept = 'text/html') => fetch(new URL(path, stack.gateway.url), { headers: { accept } });

  it('is served with a script policy of its own origin only, no framing, no sniffing, no referrer', async () => {
    const res = await get('/graphql');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // Nothing inline for the policy to have to allow.
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\son\w+=/);
  });

  it('serves its own script and the bundles as files, unsniffable', async () => {
    for (const [path, type] of [
      ['/explorer/app.js', 'text/javascript'],
      ['/explorer/graphiql.js', 'text/javascript'],
      ['/explorer/app.css', 'text/css'],
    ]) {
      const res = await get(path, '*/*');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(await (await get('/explorer/app.js', '*/*')).text()).toMatch(/createFetcher[\s\S]*IdleAssetPool/);
  });
});
