import { describe, expect, it } from '@jest/globals';
import { ReceiverSessions } from './receiver-sessions.js';
import { deriveSessionKey, newAgreementKeys } from './session-keys.js';

describe('ReceiverSessions', () => {
  it('opens a session the gateway derives too, for one audience', () => {
    const sessions = new ReceiverSessions();
    const gateway = newAgreementKeys();
    const { id, receiverPublicText } = sessions.accept('province:320000', gateway.publicText);
    const atGateway = deriveSessionKey(gateway.privateKey, receiverPublicText, { audience: 'province:320000', gateway: gateway.publicText, receiver: receiverPublicText });
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

  it('drops the oldest session at capacity, and renewing one moves it last', () => {
    const sessions = new ReceiverSessions(2);
    const [a, b, c] = [newAgreementKeys(), newAgreementKeys(), newAgreementKeys()];
    const idA = sessions.accept('x', a.publicText).id;
    const idB = sessions.accept('x', b.publicText).id;
    expect(sessions.accept('x', a.publicText).id).toBe(idA);
    const idC = sessions.accept('x', c.publicText).id;
    expect(sessions.size).toBe(2);
    expect(sessions.get(idB)).toBeUndefined();
    expect(sessions.get(idA)).toBeDefined();
    expect(sessions.get(idC)).toBeDefined();
  });

  it('refuses a malformed key', () => {
    expect(() => new ReceiverSessions().accept('x', 'nope')).toThrow();
  });
});
