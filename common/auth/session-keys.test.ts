import { describe, expect, it } from '@jest/globals';
import { deriveSessionKey, formatOpened, isAgreementPublicText, newAgreementKeys, parseOpened, sessionNonce } from './session-keys.js';

const secret = (k: ReturnType<typeof deriveSessionKey>) => k.key.export().toString('hex');

describe('deriveSessionKey', () => {
  const gateway = newAgreementKeys();
  const receiver = newAgreementKeys();
  const binding = { audience: 'province:320000', gateway: gateway.publicText, receiver: receiver.publicText, nonce: sessionNonce() };

  it('gives both sides the same id and key from their own private key and the other public key', () => {
    const atGateway = deriveSessionKey(gateway.privateKey, receiver.publicText, binding);
    const atReceiver = deriveSessionKey(receiver.privateKey, gateway.publicText, binding);
    expect(atGateway.id).toBe(atReceiver.id);
    expect(atGateway.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret(atGateway)).toBe(secret(atReceiver));
    expect(secret(atGateway)).toHaveLength(64);
  });

  it('binds the key to the audience, both public keys and the nonce', () => {
    const base = deriveSessionKey(gateway.privateKey, receiver.publicText, binding);
    const otherAudience = deriveSessionKey(gateway.privateKey, receiver.publicText, { ...binding, audience: 'province:110000' });
    const third = newAgreementKeys();
    const otherReceiver = deriveSessionKey(gateway.privateKey, third.publicText, { ...binding, receiver: third.publicText });
    const otherNonce = deriveSessionKey(gateway.privateKey, receiver.publicText, { ...binding, nonce: sessionNonce() });
    for (const other of [otherAudience, otherReceiver, otherNonce]) {
      expect(other.id).not.toBe(base.id);
      expect(secret(other)).not.toBe(secret(base));
    }
  });

  it('refuses a malformed or degenerate public key', () => {
    expect(() => deriveSessionKey(gateway.privateKey, 'not a key', binding)).toThrow();
    expect(() => deriveSessionKey(gateway.privateKey, `${receiver.publicText}A`, binding)).toThrow();
    // The all-zero point gives an all-zero shared secret: OpenSSL refuses to derive from it.
    expect(() => deriveSessionKey(gateway.privateKey, Buffer.alloc(32).toString('base64url'), binding)).toThrow();
  });

  it('reads back the answer that opens a session, and nothing else', () => {
    const { id } = deriveSessionKey(gateway.privateKey, receiver.publicText, binding);
    expect(parseOpened(formatOpened(id, binding))).toEqual({ id, receiver: binding.receiver, nonce: binding.nonce });
    for (const bad of ['', 'unknown', `${id}.${binding.receiver}`, `${id}.${binding.receiver}.short`, `${id}.nokey.${binding.nonce}`, `${formatOpened(id, binding)}.extra`])
      expect(parseOpened(bad)).toBeUndefined();
  });

  it('tells a public key text by its shape', () => {
    expect(isAgreementPublicText(gateway.publicText)).toBe(true);
    expect(isAgreementPublicText('abc')).toBe(false);
    expect(isAgreementPublicText(42)).toBe(false);
  });
});
