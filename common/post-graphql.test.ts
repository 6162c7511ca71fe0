import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from 'undici';
import { ASSERTION_HEADER, SESSION_HEADER } from './auth/assertion.js';
import { postGraphQL, subgraphAgent } from './post-graphql.js';
import { createLogger } from './logger.js';

/** What the test server does per path; it records each request's method, headers and body. */
const routes: Record<string, (res: ServerResponse) => void> = {
  '/graphql': (res) => res.writeHead(200, { 'content-type': 'application/json', [SESSION_HEADER]: 'id.key.nonce' }).end('{"data":{"ok":true}}'),
  '/teapot': (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'),
  '/refused': (res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"bad","extensions":{"code":"BAD_USER_INPUT"}}]}'),
  '/bom': (res) =>
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"data":{"名":"上海"}}')])),
  '/huge': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { text: 'x'.repeat(5000) } })),
  '/silent': () => {},
  '/stalls': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data":');
  },
  // A long answer in many writes, with a two-byte character split across two of them.
  '/chunked': (res) => {
    const text = JSON.stringify({ data: { names: Array.from({ length: 2000 }, (_, i) => `机关${i}`) } });
    const bytes = Buffer.from(text);
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < bytes.length; i += 1001) res.write(bytes.subarray(i, i + 1001));
    res.end();
  },
};
const received: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];
let server: Server;
let base: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      routes[req.url!.split('?')[0]](res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('postGraphQL', () => {
  it('POSTs the body with the request id and assertion, and reads the answer and the session the receiver opened', async () => {
    received.length = 0;
    const result = await postGraphQL(`${base}/graphql?x=1`, { query: '{ ok }', variables: { a: 1 } }, { agent, timeoutMs: 2000, requestId: 'req-1', assertion: 'a.b.c' });
    expect(result).toEqual({ answer: { data: { ok: true } }, status: 200, session: 'id.key.nonce' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/graphql?x=1', body: '{"query":"{ ok }","variables":{"a":1}}' });
    expect(received[0].headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'req-1', [ASSERTION_HEADER]: 'a.b.c' });
  });

  it('sends a text body as it is', async () => {
    received.length = 0;
    await postGraphQL(`${base}/graphql`, '{"query":"{ ok }"}', { agent, timeoutMs: 2000 });
    expect(received[0].body).toBe('{"query":"{ ok }"}');
    expect(received[0].headers['x-request-id']).toBeUndefined();
  });

  it('takes a GraphQL answer with any status as an answer', async () => {
    const result = await postGraphQL(`${base}/refused`, { query: '{ ok }' }, { agent, timeoutMs: 2000 });
    expect(result).toEqual({ answer: { errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }] }, status: 400 });
  });

  it('reads an answer that arrives in many pieces, characters split between them included', async () => {
    const result = await postGraphQL(`${base}/chunked`, { query: '{ names }' }, { agent, timeoutMs: 2000 });
    expect('answer' in result && (result.answer.data!.names as string[])).toEqual(Array.from({ length: 2000 }, (_, i) => `机关${i}`));
  });

  it('reads an answer that starts with a byte-order mark', async () => {
    expect(await postGraphQL(`${base}/bom`, { query: '{ 名 }' }, { agent, timeoutMs: 2000 })).toEqual({ answer: { data: { 名: '上海' } }, status: 200 });
  });

  it('names a body that is not GraphQL, with its status', async () => {
    expect(await postGraphQL(`${base}/teapot`, { query: '{ ok }' }, { agent, timeoutMs: 2000 })).toEqual({ failure: 'answered HTTP 502 without a GraphQL response', status: 502 });
  });

  it('gives up on a receiver that sends no headers, or stops in the middle of its body, within the time limit', async () => {
    for (const path of ['/silent', '/stalls']) {
      const started = performance.now();
      expect(await postGraphQL(`${base}${path}`, { query: '{ ok }' }, { agent, timeoutMs: 300 })).toEqual({ failure: 'did not answer within 300 ms' });
      // undici checks its time limits on a coarse clock (about a second here), never much later.
      expect(performance.now() - started).toBeLessThan(2500);
    }
  });

  it('cuts off an answer over the agent’s size limit, and the next call on the same agent still works', async () => {
    const small = subgraphAgent(undefined, createLogger('test'), { maxAnswerBytes: 1000 });
    try {
      expect(await postGraphQL(`${base}/huge`, { query: '{ text }' }, { agent: small, timeoutMs: 2000 })).toEqual({ failure: 'answered more than the gateway accepts' });
      expect(await postGraphQL(`${base}/graphql`, { query: '{ ok }' }, { agent: small, timeoutMs: 2000 })).toMatchObject({ answer: { data: { ok: true } } });
    } finally {
      await small.close();
    }
  });

  it('tells an unreachable receiver and an invalid URL apart from an answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await postGraphQL(`http://127.0.0.1:${port}/graphql`, { query: '{ ok }' }, { agent, timeoutMs: 2000 })).toEqual({ failure: 'could not be reached' });
    expect(await postGraphQL('not a url', { query: '{ ok }' }, { agent, timeoutMs: 2000 })).toEqual({ failure: 'could not be reached' });
  });
});
