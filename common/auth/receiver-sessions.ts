import { deriveSessionKey, newAgreementKeys, type AgreementKeys } from './session-keys.js';
import type { KeyObject } from 'node:crypto';

/** An open session as a receiver holds it: the key, and the one audience it speaks for. */
export interface ReceiverSession {
  key: KeyObject;
  audience: string;
}

/** How long a receiver keeps a session, ms: the gateway offers a new one when it is gone. */
export const SESSION_LIFETIME_MS = 3_600_000;

/**
 * The assertion sessions one receiver has agreed with gateways. A session is opened only by a
 * verified, single-use ES256 assertion of the gateway that carries the gateway's agreement key;
 * later assertions under it are HMACs, verified at a fraction of a signature's cost. The
 * receiver's own key pair lives in memory only: a restarted receiver knows no session, and
 * the gateway, told so, signs again and offers a new one. At `capacity` sessions the oldest is
 * dropped (its gateway then offers again), so nobody can grow the table without bound.
 */
export class ReceiverSessions {
  private readonly own: AgreementKeys = newAgreementKeys();
  /** id -> session and expiry, in opening order. */
  private readonly open = new Map<string, ReceiverSession & { expiresAt: number }>();

  constructor(
    private readonly capacity = 1_000,
    private readonly lifetimeMs = SESSION_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Opens (or renews) the session of the gateway whose agreement key is `gatewayPublicText`, for
   * one audience; returns what the receiver answers: the session id and its own public key.
   * Throws on a malformed key.
   */
  accept(audience: string, gatewayPublicText: string): { id: string; receiverPublicText: string } {
    const { id, key } = deriveSessionKey(this.own.privateKey, gatewayPublicText, { audience, gateway: gatewayPublicText, receiver: this.own.publicText });
    this.open.delete(id);
    if (this.open.size >= this.capacity) this.open.delete(this.open.keys().next().value!);
    this.open.set(id, { key, audience, expiresAt: this.now() + this.lifetimeMs });
    return { id, receiverPublicText: this.own.publicText };
  }

  /** The open session with this id, or undefined (never opened here, dropped or expired). */
  get(id: string): ReceiverSession | undefined {
    const session = this.open.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.open.delete(id);
      return undefined;
    }
    return session;
  }

  /** Sessions held now. */
  get size(): number {
    return this.open.size;
  }
}
