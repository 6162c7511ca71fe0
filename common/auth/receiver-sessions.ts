import { deriveSessionKey, formatOpened, newAgreementKeys, sessionNonce, type AgreementKeys } from './session-keys.js';
import type { KeyObject } from 'node:crypto';

/** An open session as a receiver holds it: the key, and the one audience it speaks for. */
export interface ReceiverSession {
  key: KeyObject;
  audience: string;
}

/** How long a receiver keeps a session, ms: the gateway offers a new one before (SESSION_RENEW_MS) and when it is gone. */
export const SESSION_LIFETIME_MS = 3_600_000;
/** When the gateway offers a new session to a receiver, ms after the last opened, so sessions are replaced before they expire. */
export const SESSION_RENEW_MS = (SESSION_LIFETIME_MS * 3) / 4;

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
   * Opens a new session with the gateway whose agreement key is `gatewayPublicText`, for one
   * audience; returns its id and what the receiver answers (`formatOpened`). Throws on a
   * malformed key.
   */
  accept(audience: string, gatewayPublicText: string): { id: string; answer: string } {
    const binding = { audience, gateway: gatewayPublicText, receiver: this.own.publicText, nonce: sessionNonce() };
    const { id, key } = deriveSessionKey(this.own.privateKey, gatewayPublicText, binding);
    if (this.open.size >= this.capacity) this.open.delete(this.open.keys().next().value!);
    this.open.set(id, { key, audience, expiresAt: this.now() + this.lifetimeMs });
    return { id, answer: formatOpened(id, binding) };
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
