import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { AssertionRefused, assertionMaker, signAssertion, verifyAssertion, type Asserted, type AssertionCheck } from './assertion.js';
import { ReceiverSessions } from './receiver-sessions.js';
import { ReplayGuard } from './replay-guard.js';
import { deriveSessionKey, newAgreementKeys, parseOpened, type SessionKey } from './session-keys.js';
import type { Principal } from './principal.js';

const gatewayKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const workflowKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys = { gateway: gatewayKeys.publicKey, workflow: workflowKeys.publicKey };
const ADMIN: Principal = { sub: 'a', role: 'NATIONAL_ADMIN' };
const JS = 'province:320000';
const BJ = 'province:110000';

/** A receiver of JS and BJ, and the gateway's agreement keys. */
function setup() {
  const check: AssertionCheck = { audiences: [JS, BJ], replay: new ReplayGuard(), sessions: new ReceiverSessions() };
  const agreement = newAgreementKeys();
  /** Opens a session for an audience the way the gateway does: a signed assertion that offers its key. */
  const open = (audience = JS): SessionKey => {
    const opened = verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, audience, { session: { offer: agreement.publicText } }), keys, check).opened!;
    const { id, receiver, nonce } = parseOpened(opened)!;
    const session = deriveSessionKey(agreement.privateKey, receiver, { audience, gateway: agreement.publicText, receiver, nonce });
    expect(session.id).toBe(id);
    return session;
  };
  return { check, open };
}

const refusal = (f: () => Asserted) => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(AssertionRefused);
    return error as AssertionRefused;
  }
  throw new Error('accepted');
};

describe('assertions under a session', () => {
  it('a signed assertion offering the gateway key opens a session; HMAC assertions under it name the caller, once each', () => {
    const { check, open } = setup();
    const session = open();
    const token = signAssertion({ sub: 'o', role: 'AGENCY_OFFICER', province: '320000', agency: '320000-001' }, gatewayKeys.privateKey, JS, {
      session: { session },
      minAgencies: 4,
    });
    expect(jwt.decode(token, { complete: true })?.header).toMatchObject({ alg: 'HS256', kid: session.id });
    const asserted = verifyAssertion(token, keys, check);
    expect(asserted.principal).toEqual({ sub: 'o', role: 'AGENCY_OFFICER', province: '320000', agency: '320000-001' });
    expect(asserted.minAgencies).toBe(4);
    expect(asserted.opened).toBeUndefined();
    expect(refusal(() => verifyAssertion(token, keys, check)).message).toBe('already used');
  });

  it('a session speaks for the audience it was opened for only', () => {
    const { check, open } = setup();
    const session = open(JS);
    expect(refusal(() => verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, BJ, { session: { session } }), keys, check)).message).toMatch(/invalid/);
  });

  it('a session this receiver does not hold is refused as unknown; a forged key as invalid', () => {
    const { check, open } = setup();
    const elsewhere = setup().open();
    const unknown = refusal(() => verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, JS, { session: { session: elsewhere } }), keys, check));
    expect(unknown.unknownSession).toBe(true);
    const session = open();
    const forged = { id: session.id, key: elsewhere.key };
    const invalid = refusal(() => verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, JS, { session: { session: forged } }), keys, check));
    expect(invalid.unknownSession).toBe(false);
  });

  it('never verifies an HMAC with a public key, nor a signature with a session key', () => {
    const { check, open } = setup();
    const session = open();
    const pem = gatewayKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // The classic confusion: an HMAC keyed with the public key's text, with or without a session id.
    for (const header of [{}, { keyid: session.id }]) {
      const token = jwt.sign({ role: 'NATIONAL_ADMIN' }, pem, {
        algorithm: 'HS256',
        issuer: 'xietong-gateway',
        audience: JS,
        expiresIn: 10,
        jwtid: `c${Object.keys(header).length}`,
        ...header,
      });
      refusal(() => verifyAssertion(token, keys, check));
    }
    const signedWithKid = jwt.sign({ role: 'NATIONAL_ADMIN' }, gatewayKeys.privateKey, {
      algorithm: 'ES256',
      issuer: 'xietong-gateway',
      audience: JS,
      expiresIn: 10,
      jwtid: 'k',
      keyid: session.id,
    });
    expect(verifyAssertion(signedWithKid, keys, check).principal.role).toBe('NATIONAL_ADMIN');
    const unsigned = jwt.sign({ role: 'NATIONAL_ADMIN' }, '', { algorithm: 'none', issuer: 'xietong-gateway', audience: JS, expiresIn: 10, jwtid: 'n', keyid: session.id });
    refusal(() => verifyAssertion(unsigned, keys, check));
  });

  it('a session carries the gateway only: no WORKFLOW role under it, and the workflow issuer opens none', () => {
    const { check, open } = setup();
    const session = open();
    const workflowUnderSession = signAssertion({ sub: null, role: 'WORKFLOW' }, gatewayKeys.privateKey, JS, { session: { session } });
    expect(refusal(() => verifyAssertion(workflowUnderSession, keys, check)).message).toMatch(/invalid|not asserted/);
    const offered = signAssertion({ sub: null, role: 'WORKFLOW' }, workflowKeys.privateKey, JS, { session: { offer: newAgreementKeys().publicText } });
    expect(verifyAssertion(offered, keys, check).opened).toBeUndefined();
  });

  it('a receiver without sessions ignores offers and refuses HMACs', () => {
    const check: AssertionCheck = { audiences: [JS], replay: new ReplayGuard() };
    expect(verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, JS, { session: { offer: newAgreementKeys().publicText } }), keys, check).opened).toBeUndefined();
    const session = setup().open();
    expect(refusal(() => verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, JS, { session: { session } }), keys, check)).unknownSession).toBe(true);
  });

  it('a malformed offer is refused, and opens nothing', () => {
    const { check } = setup();
    expect(refusal(() => verifyAssertion(signAssertion(ADMIN, gatewayKeys.privateKey, JS, { session: { offer: 'x' } }), keys, check)).message).toBe('agreement key malformed');
    expect(check.sessions!.size).toBe(0);
  });
});

describe('assertionMaker: one request, many calls', () => {
  it('every assertion it makes is a standard JWT that jsonwebtoken verifies, with exactly the claims of its call', () => {
    const { check, open } = setup();
    const session = open(BJ);
    const coordinator: Principal = { sub: 'c', role: 'REGION_COORDINATOR', region: 'YRD', regionProvinces: ['310000'] };
    const make = assertionMaker(coordinator, gatewayKeys.privateKey, { ttlSeconds: 7, minAgencies: 5 });
    const signed = make(JS);
    const offering = make(JS, { offer: newAgreementKeys().publicText });
    const underSession = make(BJ, { session });
    const before = Math.floor(Date.now() / 1000);
    for (const [token, key, alg] of [
      [signed, gatewayKeys.publicKey, 'ES256'],
      [offering, gatewayKeys.publicKey, 'ES256'],
      [underSession, session.key, 'HS256'],
    ] as const) {
      const { header, payload } = jwt.verify(token, key, { algorithms: [alg], complete: true }) as unknown as { header: jwt.JwtHeader; payload: jwt.JwtPayload };
      expect(header).toEqual(alg === 'HS256' ? { alg, typ: 'JWT', kid: session.id } : { alg, typ: 'JWT' });
      const { iat, exp, jti, aud, agreementKey, ...rest } = payload;
      // The receiver derives the region's members; they are never sent.
      expect(rest).toEqual({ sub: 'c', role: 'REGION_COORDINATOR', region: 'YRD', minAgencies: 5, iss: 'xietong-gateway' });
      expect(aud).toBe(alg === 'HS256' ? BJ : JS);
      expect(exp! - iat!).toBe(7);
      expect(Math.abs(iat! - before)).toBeLessThanOrEqual(1);
      expect(jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(agreementKey !== undefined).toBe(token === offering);
    }
    const ids = [signed, offering, underSession].map((t) => (jwt.decode(t) as jwt.JwtPayload).jti);
    expect(new Set(ids).size).toBe(3);
    // And the receiver's own check accepts each once.
    expect(verifyAssertion(underSession, keys, check).principal).toMatchObject({ sub: 'c', role: 'REGION_COORDINATOR', region: 'YRD' });
    expect(refusal(() => verifyAssertion(underSession, keys, check)).message).toBe('already used');
  });

  it('an assertion one call made is not another audience’s: changing its audience breaks the signature', () => {
    const make = assertionMaker(ADMIN, gatewayKeys.privateKey);
    const [header, payload, signature] = make(JS).split('.');
    const moved = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), aud: BJ })).toString('base64url');
    const { check } = setup();
    expect(refusal(() => verifyAssertion(`${header}.${moved}.${signature}`, keys, check)).message).toMatch(/invalid/);
  });

  it("a principal's fields travel by name only: one named like a claim the gateway sets cannot add or repeat it", () => {
    const smuggled = { ...ADMIN, aud: BJ, exp: 9999999999, iat: 1, jti: 'fixed', iss: 'xietong-sharing', agreementKey: 'AAAA', regions: { X: ['1'] }, minAgencies: 1 } as Principal;
    const token = assertionMaker(smuggled, gatewayKeys.privateKey)(JS);
    const text = Buffer.from(token.split('.')[1], 'base64url').toString();
    // Each claim name once, and none the principal brought.
    const names = [...text.matchAll(/"([a-zA-Z]+)":/g)].map((m) => m[1]);
    expect(names.sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'role', 'sub']);
    expect(jwt.decode(token)).toMatchObject({ aud: JS, iss: 'xietong-gateway', sub: 'a' });
  });

  it('refuses, when it is made, a key that is not a P-256 private key and a lifetime that is not whole seconds', () => {
    const others = [
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      generateKeyPairSync('ed25519').privateKey,
      gatewayKeys.publicKey,
    ];
    for (const key of others) expect(() => assertionMaker(ADMIN, key)).toThrow(/P-256/);
    for (const ttlSeconds of [1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number])
      expect(() => assertionMaker(ADMIN, gatewayKeys.privateKey, { ttlSeconds })).toThrow(/whole number/);
    expect(() => assertionMaker(ADMIN, gatewayKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)(JS)).not.toThrow();
  });
});
