import { describe, expect, it } from '@jest/globals';
import { ReceiverSessions } from './receiver-sessions.js';
import { deriveSessionKey, newAgreementKeys, parseOpened } from './session-keys.js';

describe('ReceiverSessions', () => {
  it('opens a session the gateway derives too, for one audience', () => {
    const sessions = new ReceiverSessions();
    const gateway = newAgreementKeys();
    const { id, answer } = sessions.accept('province:320000', gateway.publicText);
    const { receiver, nonce } = parseOpened(answer)!;
    const atGateway = deriveSessionKey(gateway.privateKey, receiver, { audience: 'province:320000', gateway: gateway.publicText, receiver, nonce });
    expect(atGateway.id).toBe(id);
    const held = sessions.get(id)!;
    expect(held.audience).toBe('province:320000');
    expect(held.key.export().equals(atGateway.key.export())).toBe(true);
    expect(sessions.get('unknown')).toBeUndefined();
  });

  it('forgets a session when it expires', () => {
    let now = 1_000;
    const sessions = new ReceiverSessions(10, 500, () => now);
    const { id } = sessions.accept('subgraph:directory', newAgreementKeys().publicText);
    now = 1_499;
    expect(sessions.get(id)).toBeDefined();
    now = 1_500;
    expect(sessions.get(id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it('drops the oldest session at capacity; a renewal is a new session with a key of its own', () => {
    const sessions = new ReceiverSessions(2);
    const a = newAgreementKeys();
    const first = sessions.accept('x', a.publicText).id;
    const renewed = sessions.accept('x', a.publicText).id;
    expect(renewed).not.toBe(first);
    expect(sessions.get(first)!.key.export().equals(sessions.get(renewed)!.key.export())).toBe(false);
    const third = sessions.accept('x', newAgreementKeys().publicText).id;
    expect(sessions.size).toBe(2);
    expect(sessions.get(first)).toBeUndefined();
    expect(sessions.get(renewed)).toBeDefined();
    expect(sessions.get(third)).toBeDefined();
  });

  it('refuses a malformed key', () => {
    expect(() => new ReceiverSessions().accept('x', 'nope')).toThrow();
  });
});
