import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, post, startTestStack, TEST_REDIS_URL, testRedisPrefix, tokenFor } from './helpers.js';

// Two replicas share one Redis: a caller's budget is one budget, whichever replica it reaches.
let stack: DemoStack;
let replicas: RunningGateway[];
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['320000']);
  const redisPrefix = testRedisPrefix('fair');
  const options = await gatewayOptionsFor(stack, { redis: { url: TEST_REDIS_URL }, redisPrefix, rateLimit: { requests: { points: 4, anonymousPoints: 3, windowSeconds: 60 } } });
  replicas = [await startGateway(options), await startGateway(options)];
});
afterAll(async () => {
  for (const r of replicas ?? []) await r.stop();
  await stack?.stop();
});

const ask = (i: number, token: string | null) => post(replicas[i % 2].url, { query: '{ assetSummary { assetCount } }' }, { token });

describe('per-subject rate limits shared by replicas', () => {
  it('a signed-in subject gets its budget across both replicas, then 429 with Retry-After; another subject is unaffected', async () => {
    const alice = tokenFor({ role: 'ANALYST', sub: 'alice' });
    for (let i = 0; i < 4; i++) expect((await ask(i, alice)).status).toBe(200);
    const refused = await ask(4, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await ask(5, alice)).status).toBe(429);
    // A fresh token for the same subject is the same subject.
    expect((await ask(6, tokenFor({ role: 'ANALYST', sub: 'alice' }))).status).toBe(429);
    expect((await ask(7, tokenFor({ role: 'ANALYST', sub: 'bob' }))).status).toBe(200);
  });

  it('anonymous callers are limited per client address, and a broken token counts as anonymous', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask(i, null)).status);
    statuses.push((await ask(3, 'not-a-token')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('rate limits before the response cache', () => {
  it('a cached answer counts against the budget; once it is spent the caller gets 429, and only answered requests are audited', async () => {
    const options = await gatewayOptionsFor(stack, {
      redis: { url: TEST_REDIS_URL },
      redisPrefix: testRedisPrefix('fair-cache'),
      rateLimit: { requests: { points: 3, windowSeconds: 60 } },
      responseCache: { ttlSeconds: 60, maxEntries: 100 },
    });
    const gateway = await startGateway(options);
    try {
      const subject = `carol-${randomUUID()}`;
      const carol = tokenFor({ role: 'NATIONAL_ADMIN', sub: subject });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await post(gateway.url, { query: 'query CachedSummary { assetSummary { assetCount } }' }, { token: carol }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      expect(answers.map((a) => a.headers.get('x-xietong-cache'))).toEqual(['miss', 'hit', 'hit', null, null]);
      const trail = (await (
        await post(
          gateway.url,
          { query: `{ auditEvents(filter: { subject: "${subject}" }, first: 10) { nodes { operationName } } }` },
          { token: tokenFor({ role: 'NATIONAL_ADMIN', sub: 'auditor' }) },
        )
      ).json()) as { data: { auditEvents: { nodes: { operationName: string }[] } } };
      expect(trail.data.auditEvents.nodes.map((n) => n.operationName)).toEqual(['CachedSummary', 'CachedSummary', 'CachedSummary']);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a refused request reads no cached answer', () => {
  it('another replica refuses an over-budget caller without fetching the shared entry, and fetches it for an admitted one', async () => {
    const { Redis } = await import('ioredis');
    const redisPrefix = testRedisPrefix('fair-refused');
    const options = await gatewayOptionsFor(stack, {
      redis: { url: TEST_REDIS_URL },
      redisPrefix,
      rateLimit: { requests: { points: 2, windowSeconds: 60 } },
      responseCache: { ttlSeconds: 60, maxEntries: 100 },
    });
    const [a, b] = [await startGateway(options), await startGateway(options)];
    const client = new Redis(TEST_REDIS_URL);
    // ioredis fails entering MONITOR when its OK and the first streamed command arrive in one chunk
    // ("Command queue state error"), as they can while other test workers use this Redis: try again.
    const startMonitor = async () => {
      for (let attempt = 1; ; attempt++) {
        const candidate = client.duplicate({ monitor: true, lazyConnect: false });
        const entered = await new Promise<boolean>((resolve) => {
          candidate.once('monitoring', () => resolve(true));
          candidate.once('error', () => resolve(false));
        });
        if (entered) return candidate;
        candidate.disconnect();
        if (attempt === 5) throw new Error('Redis MONITOR could not be entered');
      }
    };
    const monitor = await startMonitor();
    try {
      const query = { query: 'query SharedSummary { assetSummary { assetCount } }' };
      const dave = tokenFor({ role: 'NATIONAL_ADMIN', sub: `dave-${randomUUID()}` });
      const first = [await post(a.url, query, { token: dave }), await post(a.url, query, { token: dave })];
      expect(first.map((r) => r.headers.get('x-xietong-cache'))).toEqual(['miss', 'hit']);
      const reads: string[] = [];
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args.some((arg) => arg.startsWith(`${redisPrefix}response:`))) reads.push(args.join(' '));
      });
      const refused = [await post(b.url, query, { token: dave }), await post(b.url, query, { token: dave })];
      expect(refused.map((r) => r.status)).toEqual([429, 429]);
      // Another caller of the same scope, within its budget: B answers from the shared entry.
      const erin = await post(b.url, query, { token: tokenFor({ role: 'NATIONAL_ADMIN', sub: `erin-${randomUUID()}` }) });
      expect(erin.headers.get('x-xietong-cache')).toBe('hit');
      expect(await erin.text()).toBe(await first[1].text());
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reads.filter((r) => r.startsWith('get '))).toHaveLength(1);
    } finally {
      monitor.disconnect();
      client.disconnect();
      await a.stop();
      await b.stop();
    }
  });
});

describe('a cost model that weighs what a field costs', () => {
  it('refuses, before any province is asked, a document over its budget of province aggregate scans', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { limits: { maxProvinceScans: 20 } }));
    const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${randomUUID().slice(0, 8)}${i}: assetSummary { assetCount }`).join(' ')} }`;
    try {
      const before = statements();
      const res = await post(gateway.url, { query: aliased(30) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string; provinceScans: number; maximum: number } }[] };
      expect(body.data ?? null).toBeNull();
      expect(body.errors[0].extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', provinceScans: 30, maximum: 20 });
      expect(statements()).toBe(before);
      // `first` in a variable counts like a literal: pages through relations are rows fetched.
      const rows = await post(gateway.url, {
        query: `query($n: Int) { ${Array.from({ length: 30 }, (_, i) => `p${i}: assets(first: $n) { edges { node { agency { buildings { agency { name } } } } } }`).join(' ')} }`,
        variables: { n: 100 },
      });
      expect(rows.status).toBe(400);
      expect(((await rows.json()) as { errors: { extensions: { code: string; rows: number } }[] }).errors[0].extensions).toMatchObject({
        code: 'COST_LIMIT_EXCEEDED',
        rows: expect.any(Number),
      });
      expect(statements()).toBe(before);
      // Within the budget it runs.
      const fine = await post(gateway.url, { query: aliased(20) });
      expect(fine.status).toBe(200);
      // A page of rows each asking for its province's figure counts each time it asks.
      const perRow = (await (await post(gateway.url, { query: '{ assets(first: 25) { edges { node { province { assetSummary { assetCount } } } } } }' })).json()) as {
        errors?: { extensions: { code: string } }[];
      };
      expect(perRow.errors?.[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
    } finally {
      await gateway.stop();
    }
  });
});

describe('npm start runs each province in a process of its own', () => {
  it('provinces answer through the gateway from their own processes, and stop with the stack', async () => {
    const { startDemoStack } = await import('../demo/demo-stack.js');
    const { TEST_KEYS } = await import('./helpers.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'xietong-isolated-'));
    const isolated = await startDemoStack({ scale: TEST_SCALE, basePort: 0, provinces: ['310000', '320000'], keys: TEST_KEYS, isolateProvinces: true, dataDir });
    const healthOf = (url: string) => fetch(url.replace('/graphql', '/health')).then((r) => r.json() as Promise<{ pid: number }>);
    let pids: number[] = [];
    try {
      pids = await Promise.all([...isolated.provinces.values()].map((p) => healthOf(p.url).then((h) => h.pid)));
      expect(new Set([process.pid, ...pids]).size).toBe(3);
      const answer = (await (await post(isolated.gateway.url, { query: '{ assetSummary(scope: { region: "YRD" }) { provinceCount assetCount } }' })).json()) as {
        data: { assetSummary: { provinceCount: number; assetCount: number } };
      };
      expect(answer.data.assetSummary.provinceCount).toBe(2);
      expect(answer.data.assetSummary.assetCount).toBeGreaterThan(0);
    } finally {
      await isolated.stop();
    }
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('slow clients', () => {
  it('a client that sends its headers or its body too slowly is cut off, and others are served meanwhile', async () => {
    const { connect } = await import('node:net');
    const gateway = await startGateway(await gatewayOptionsFor(stack, { slowClient: { headersMs: 400, requestMs: 900 } }));
    const port = Number(new URL(gateway.url).port);
    const closedAfter = (first: string) =>
      new Promise<{ ms: number; answer: string }>((resolve) => {
        const started = performance.now();
        let answer = '';
        const socket = connect(port, '127.0.0.1', () => socket.write(first));
        socket.on('data', (d) => (answer += d.toString()));
        socket.on('close', () => resolve({ ms: performance.now() - started, answer }));
        socket.on('error', () => undefined);
      });
    try {
      const [headers, body, served] = await Promise.all([
        closedAfter('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'),
        closedAfter('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":'),
        post(gateway.url, { query: '{ regions { code } }' }).then((r) => r.status),
      ]);
      expect(served).toBe(200);
      expect(headers.ms).toBeLessThan(3000);
      expect(body.ms).toBeLessThan(3500);
      expect(body.ms).toBeGreaterThan(800);
      expect(body.answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a budget of province aggregate scans per caller', () => {
  it('charges each request its scans, answers 429 with Retry-After once spent, before any province is asked; other callers and row reads go on', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { rateLimit: { provinceScans: { points: 10, anonymousPoints: 5, windowSeconds: 60 } } }));
    const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);
    const four = `{ ${['a', 'b', 'c', 'd'].map((k) => `${k}${randomUUID().slice(0, 6)}: assetSummary { assetCount }`).join(' ')} }`;
    const carol = tokenFor({ role: 'ANALYST', sub: 'carol' });
    try {
      expect((await post(gateway.url, { query: four }, { token: carol })).status).toBe(200);
      expect((await post(gateway.url, { query: four }, { token: carol })).status).toBe(200);
      const before = statements();
      const spent = await post(gateway.url, { query: four }, { token: carol });
      expect(spent.status).toBe(429);
      expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await spent.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(statements()).toBe(before);
      expect((await post(gateway.url, { query: four }, { token: tokenFor({ role: 'ANALYST', sub: 'dave' }) })).status).toBe(200);
      expect((await post(gateway.url, { query: '{ assets(first: 1) { totalCount } }' }, { token: tokenFor({ role: 'NATIONAL_ADMIN', sub: 'carol' }) })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a bound on the objects in an answer', () => {
  it('refuses, before any province is asked, a document whose nested directory lists would make a huge answer', async () => {
    // The directory lists 33 divisions and three regions however few provinces are registered (one
    // here): the chain is far beyond the bound, lowered to 100 so a small stack can show it.
    const gateway = await startGateway(await gatewayOptionsFor(stack, { limits: { maxObjects: 100 } }));
    const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);
    // Armor's cost (about 19,000) let this through; over 33 provinces it answered 10 MB from 6 kB.
    const chain = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: provinces { code ${'regions { code provinces { code '.repeat(4)}name${' } }'.repeat(4)} }`).join(' ')} }`;
    try {
      const before = statements();
      const refused = await post(gateway.url, { query: chain }, { token: tokenFor({ role: 'ANALYST' }) });
      const body = (await refused.json()) as { errors: { message: string; extensions: { code: string; objects: number; maximum: number } }[] };
      expect([refused.status, body.errors[0].extensions.code, body.errors[0].extensions.maximum]).toEqual([400, 'COST_LIMIT_EXCEEDED', 100]);
      expect(body.errors[0].extensions.objects).toBeGreaterThan(100);
      expect(statements()).toBe(before);
      // The directory's 33 divisions: under the bound.
      expect((await post(gateway.url, { query: '{ provinces { code name } }' })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });
});

describe('time spent validating is charged to the caller', () => {
  it('a document slow to validate spends the request budget sooner than a cheap one of the same size', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { rateLimit: { requests: { points: 100, anonymousPoints: 100, windowSeconds: 60 } } }));
    // graphql-js compares every pair of these, and their sub-selections (about half a second here).
    const slow = `{ regions { ${'provinces { region { provinces { code } } } '.repeat(300)}} }`;
    // As long, so charged the same points for its size, and validated at once.
    const cheap = `{ regions { code } } # ${'x'.repeat(slow.length - 23)}`;
    const answeredBeforeRefused = async (query: string) => {
      const token = tokenFor({ role: 'ANALYST', sub: `erin-${randomUUID()}` });
      for (let answered = 0; answered < 20; answered++) if ((await post(gateway.url, { query }, { token })).status === 429) return answered;
      return 20;
    };
    try {
      expect(cheap.length).toBe(slow.length);
      // 100 points: the cheap one (14 points) seven times; the slow one (14 + about 90 per request
      // here, beyond its first 50 ms) once, and fewer than seven on a machine several times faster.
      const [slowAnswered, cheapAnswered] = [await answeredBeforeRefused(slow), await answeredBeforeRefused(cheap)];
      expect(cheapAnswered).toBe(7);
      expect(slowAnswered).toBeLessThan(cheapAnswered);
    } finally {
      await gateway.stop();
    }
  });
});

describe('large documents cost more of the request budget', () => {
  it('a request costs one point more per 1,000 characters of document, charged before it is parsed', async () => {
    const gateway = await startGateway(await gatewayOptionsFor(stack, { rateLimit: { requests: { points: 20, anonymousPoints: 20, windowSeconds: 60 } } }));
    const large = `{ regions { code } } # ${'x'.repeat(9_990)}`; // 10,013 characters: 11 points
    const ask = (query: string, sub: string) => post(gateway.url, { query }, { token: tokenFor({ role: 'ANALYST', sub }) }).then((r) => r.status);
    const small = '{ regions { code } }';
    // Answered until the budget of 20 points is spent: `before` requests first, then small ones.
    const answeredAfter = async (before: string[]) => {
      const sub = `gina-${randomUUID()}`;
      let answered = 0;
      for (const query of before) if ((await ask(query, sub)) === 200) answered++;
      while ((await ask(small, sub)) === 200) answered++;
      return answered;
    };
    try {
      expect(await answeredAfter([])).toBe(20);
      expect(await answeredAfter([large])).toBe(10);
      expect(await answeredAfter([large, large])).toBe(1);
    } finally {
      await gateway.stop();
    }
  });
});

describe('large answers cost more of the request budget', () => {
  it.each([
    ['executed', false],
    ['executed, then served from the response cache', true],
  ])('an answer costs one point more per 10,000 bytes, spent once it is sent: %s', async (_name, cached) => {
    const points = 60;
    const gateway = await startGateway(
      await gatewayOptionsFor(stack, {
        rateLimit: { requests: { points, anonymousPoints: points, windowSeconds: 60 } },
        ...(cached ? { responseCache: { ttlSeconds: 60, maxEntries: 100 } } : {}),
      }),
    );
    // Twenty aliases of the directory's 33 divisions with their regions: tens of kB from a short
    // document, much of it Chinese (three bytes a character in UTF-8).
    const large = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: provinces { code name shortName regions { code name description } }`).join(' ')} }`;
    const small = '{ regions { code } }';
    try {
      const token = tokenFor({ role: 'ANALYST', sub: `hana-${randomUUID()}` });
      const answers = [];
      for (let i = 0; i < (cached ? 2 : 1); i++) {
        const response = await post(gateway.url, { query: large }, { token });
        expect(response.status).toBe(200);
        answers.push(await response.text());
      }
      const requestPoints = 1 + Math.floor(large.length / 1000);
      const answerPoints = Math.floor(Buffer.byteLength(answers[0]) / 10_000);
      expect(answerPoints).toBeGreaterThan(Math.floor(answers[0].length / 10_000));
      // A cache hit sends the same bytes, and costs the same.
      expect(new Set(answers).size).toBe(1);
      let answered = 0;
      while ((await post(gateway.url, { query: small }, { token })).status === 200) answered++;
      // The budget: each large request's points (its document's size) and its answer's, then one per small request.
      expect(answered).toBe(points - answers.length * (requestPoints + answerPoints));
    } finally {
      await gateway.stop();
    }
  });
});

describe('an export pays for its answer as the endpoint does', () => {
  it('a persisted document exported as a table costs a point and its answer bytes, each time', async () => {
    const points = 60;
    const gateway = await startGateway(await gatewayOptionsFor(stack, { rateLimit: { requests: { points, anonymousPoints: points, windowSeconds: 60 } } }));
    // The table holds the first field only, but the whole document runs: its answer is the cost.
    const large = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: provinces { code name shortName regions { code name description } }`).join(' ')} }`;
    const id = createHash('sha256').update(large).digest('hex');
    try {
      const token = tokenFor({ role: 'ANALYST', sub: `ines-${randomUUID()}` });
      const registered = await post(gateway.url, { query: large, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, { token });
      expect(registered.status).toBe(200);
      const answerPoints = Math.floor(Buffer.byteLength(await registered.text()) / 10_000);
      expect(answerPoints).toBeGreaterThanOrEqual(2);
      const exported = await fetch(`${gateway.url.replace(/\/graphql$/, '')}/export/${id}.csv`, { headers: { authorization: `Bearer ${token}` } });
      expect(exported.status).toBe(200);
      expect(await exported.text()).toContain('310000');
      let answered = 0;
      while ((await post(gateway.url, { query: '{ regions { code } }' }, { token })).status === 200) answered++;
      // The registration (its document's size and its answer), the export (one point and the same answer), then one per small request.
      expect(answered).toBe(points - (1 + Math.floor(large.length / 1000) + answerPoints) - (1 + answerPoints));
    } finally {
      await gateway.stop();
    }
  });
});

describe('hostile request shapes', () => {
  it('a huge x-request-id is replaced, not passed on to the provinces (it would trip their breakers for everyone)', async () => {
    const auth = { authorization: `Bearer ${tokenFor({ role: 'ANALYST', sub: 'hostile-headers' })}` };
    const res = await fetch(replicas[0].url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-request-id': 'r'.repeat(12_000) },
      body: JSON.stringify({ query: '{ assetSummary { assetCount } }' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors?: unknown[] }).errors).toBeUndefined();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await fetch(replicas[0].url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-request-id': 'dashboard-42' },
      body: JSON.stringify({ query: '{ regions { code } }' }),
    });
    expect(plain.headers.get('x-request-id')).toBe('dashboard-42');
  });

  it('a body nested deeper than any request needs is a 400, not a stack overflow', async () => {
    const deep = `{"query":"{ regions { code } }","variables":{"zzz":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await fetch(replicas[1].url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
