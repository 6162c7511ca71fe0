import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isMutation, startReplayServer, type ReplayServer } from './replay.js';

/** An upstream whose every answer differs, so a replayed answer is recognisable. */
let upstream: Server;
let upstreamUrl: string;
let served = 0;
let lastAssertion: string | undefined;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    lastAssertion = req.headers['x-test'] as string | undefined;
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { n: ++served } })));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((r) => upstream.close(r)));

const ask = async (replay: ReplayServer, path: string, query: string) =>
  (await (await fetch(`${replay.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as {
    data: { n: number };
  };

describe('replay server', () => {
  let replay: ReplayServer;
  beforeAll(async () => {
    replay = await startReplayServer({ targets: { '/a': upstreamUrl, '/b': upstreamUrl }, defaultHeaders: () => ({ 'x-test': 'added' }) });
  });
  afterAll(() => replay.close());

  it('records the first answer per body and target, then replays its bytes', async () => {
    const first = await ask(replay, '/a', '{ x }');
    expect(await ask(replay, '/a', '{ x }')).toEqual(first);
    expect(await ask(replay, '/b', '{ x }')).not.toEqual(first);
    expect(await ask(replay, '/a', '{ y }')).not.toEqual(first);
    expect(lastAssertion).toBe('added');
  });

  it('forwards every mutation and forgets the target’s recordings when it returns', async () => {
    const before = await ask(replay, '/a', '{ z }');
    const other = await ask(replay, '/b', '{ z }');
    const m1 = await ask(replay, '/a', 'mutation { m }');
    expect(await ask(replay, '/a', 'mutation { m }')).not.toEqual(m1);
    expect(await ask(replay, '/a', '{ z }')).not.toEqual(before);
    expect(await ask(replay, '/b', '{ z }')).toEqual(other);
  });

  it('counts requests per target and misses until reset', async () => {
    replay.reset();
    await ask(replay, '/a', '{ counted }');
    await ask(replay, '/a', '{ counted }');
    await ask(replay, '/b', '{ counted }');
    expect(replay.stats()).toEqual({ requests: 3, misses: 2, byTarget: { '/a': 2, '/b': 1 } });
    expect((await fetch(`${replay.url}/nowhere`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('isMutation', () => {
  it('tells mutations from queries and from bodies that are not GraphQL', () => {
    expect(isMutation(JSON.stringify({ query: '  mutation M { a }' }))).toBe(true);
    expect(isMutation(JSON.stringify({ query: 'query Q { mutation }' }))).toBe(false);
    expect(isMutation(JSON.stringify({ query: '{ a }' }))).toBe(false);
    expect(isMutation('not json')).toBe(false);
  });
});
