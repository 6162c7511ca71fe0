import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { Agent } from 'undici';
import { ASSERTION_HEADER, signAssertion, type SessionUse } from '../../common/auth/assertion.js';
import { callerFromAssertion } from '../../common/auth/subgraph-auth.js';
import { createLogger } from '../../common/logger.js';
import { AssertionSessions, postAsserted } from './assertion-sessions.js';
import { ReceiverSessions, SESSION_LIFETIME_MS, SESSION_RENEW_MS } from '../../common/auth/receiver-sessions.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const AUDIENCE = 'subgraph:directory';
const pem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const logger = createLogger('test');

/** A receiver as every subgraph is one: callerFromAssertion decides; `restart` forgets its sessions. */
let callerOf = callerFromAssertion({ gateway: pem }, { audiences: [AUDIENCE], logger });
const received: string[] = [];
let withSessions = true;
let server: Server;
let url: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(String(jwt.decode(String(req.headers[ASSERTION_HEADER]), { complete: true })?.header.alg));
    try {
      const { principal } = callerOf(req, 'r', withSessions ? res : undefined);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { role: principal.role } }));
    } catch {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await agent.close();
  await new Promise((resolve) => server.close(resolve));
});

const credentials = (sessions: AssertionSessions) => ({
  assertionFor: (audience: string, session?: SessionUse) => signAssertion({ sub: 'x', role: 'NATIONAL_ADMIN' }, keys.privateKey, audience, { session }),
  sessions,
});
const call = async (sessions: AssertionSessions) => {
  const result = await postAsserted(url, AUDIENCE, { query: '{ __typename }' }, { agent, timeoutMs: 2000, credentials: credentials(sessions) });
  if (!('answer' in result)) throw new Error(result.failure);
  return result.answer;
};

describe('postAsserted with assertion sessions', () => {
  it('signs the first call, then uses the session the receiver opened; a restarted receiver is signed for again, once', async () => {
    received.length = 0;
    const sessions = new AssertionSessions();
    for (let i = 0; i < 3; i++) expect((await call(sessions)).data).toEqual({ role: 'NATIONAL_ADMIN' });
    expect(received).toEqual(['ES256', 'HS256', 'HS256']);
    callerOf = callerFromAssertion({ gateway: pem }, { audiences: [AUDIENCE], logger });
    received.length = 0;
    expect((await call(sessions)).data).toEqual({ role: 'NATIONAL_ADMIN' });
    expect((await call(sessions)).data).toEqual({ role: 'NATIONAL_ADMIN' });
    expect(received).toEqual(['HS256', 'ES256', 'HS256']);
  });

  it('keeps signing for a receiver that opens no sessions (an older release)', async () => {
    withSessions = false;
    try {
      received.length = 0;
      const sessions = new AssertionSessions();
      for (let i = 0; i < 3; i++) expect((await call(sessions)).data).toEqual({ role: 'NATIONAL_ADMIN' });
      expect(received).toEqual(['ES256', 'ES256', 'ES256']);
    } finally {
      withSessions = true;
    }
  });
});

describe('AssertionSessions.learn', () => {
  const receiver = new ReceiverSessions();
  /** Offers a session as the gateway does, and gives the receiver's answer to the offer. */
  const offered = (sessions: AssertionSessions) => {
    const use = sessions.use(AUDIENCE, url);
    if (!('offer' in use)) throw new Error('no offer');
    return { use, answer: { status: 200, session: receiver.accept(AUDIENCE, use.offer).answer } };
  };

  it('opens the session a receiver answers, and nothing from an answer whose id is not the one its key and nonce give', () => {
    const sessions = new AssertionSessions();
    const { use, answer } = offered(sessions);
    const [id, key, nonce] = answer.session.split('.');
    for (const bad of [`${'x'.repeat(22)}.${key}.${nonce}`, `${id}.${key}.${'A'.repeat(22)}`, 'garbage', undefined]) {
      expect(sessions.learn(AUDIENCE, url, use, { status: 200, session: bad })).toBe(false);
      expect('offer' in sessions.use(AUDIENCE, url)).toBe(true);
    }
    expect(sessions.learn(AUDIENCE, url, use, answer)).toBe(false);
    expect('session' in sessions.use(AUDIENCE, url)).toBe(true);
    expect('offer' in sessions.use(AUDIENCE, `${url}x`)).toBe(true);
  });

  it('sends again only a call under a session that the receiver refused (401), and never drops a newer session for an older refusal', () => {
    const sessions = new AssertionSessions();
    const first = offered(sessions);
    expect(sessions.learn(AUDIENCE, url, first.use, { status: 401 })).toBe(false);
    sessions.learn(AUDIENCE, url, first.use, first.answer);
    const old = sessions.use(AUDIENCE, url);
    expect(sessions.learn(AUDIENCE, url, old, { status: 200 })).toBe(false);
    expect(sessions.learn(AUDIENCE, url, old, { status: 400 })).toBe(false);
    expect(sessions.use(AUDIENCE, url)).toEqual(old);
    // A new session agreed meanwhile (another call offered) survives a late refusal of the old one.
    const offer = (sessions.use(AUDIENCE, 'elsewhere') as { offer: string }).offer;
    sessions.learn(AUDIENCE, url, { offer }, { status: 200, session: receiver.accept(AUDIENCE, offer).answer });
    const current = sessions.use(AUDIENCE, url);
    expect(current).not.toEqual(old);
    expect(sessions.learn(AUDIENCE, url, old, { status: 401 })).toBe(true);
    expect(sessions.use(AUDIENCE, url)).toEqual(current);
    expect(sessions.learn(AUDIENCE, url, current, { status: 401 })).toBe(true);
    expect('offer' in sessions.use(AUDIENCE, url)).toBe(true);
  });

  it('offers a new session before the receiver would expire the old one', () => {
    let now = 0;
    const sessions = new AssertionSessions(() => now);
    const { use, answer } = offered(sessions);
    sessions.learn(AUDIENCE, url, use, answer);
    now = SESSION_RENEW_MS - 1;
    expect('session' in sessions.use(AUDIENCE, url)).toBe(true);
    now = SESSION_RENEW_MS;
    expect('offer' in sessions.use(AUDIENCE, url)).toBe(true);
    expect(SESSION_RENEW_MS).toBeLessThan(SESSION_LIFETIME_MS);
  });
});
