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
  it('opens nothing from an answer whose id does not match the key it names, or that is no session at all', () => {
    const sessions = new AssertionSessions();
    const offer = sessions.use(AUDIENCE, url);
    expect('offer' in offer).toBe(true);
    expect(sessions.learn(AUDIENCE, url, offer, `wrongid.${'A'.repeat(43)}`)).toBe(false);
    expect(sessions.learn(AUDIENCE, url, offer, 'garbage')).toBe(false);
    expect('offer' in sessions.use(AUDIENCE, url)).toBe(true);
  });

  it('asks to sign again only when a session it used is unknown', () => {
    const sessions = new AssertionSessions();
    const offer = sessions.use(AUDIENCE, url);
    expect(sessions.learn(AUDIENCE, url, offer, 'unknown')).toBe(false);
  });
});
