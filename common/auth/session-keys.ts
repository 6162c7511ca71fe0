import { createHash, createPublicKey, createSecretKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Key agreement for assertion sessions: the gateway and one receiver (a province instance, a
 * subgraph) each hold an X25519 key pair and derive the same secret from their own private key
 * and the other's public key. The secret is bound to the audience, to both public keys and to a
 * nonce the receiver draws for each session, so a receiver that learns the gateway's public key
 * (every receiver does) derives nothing another receiver accepts, and every session, renewed
 * or not, has a key of its own.
 */

/** An X25519 key pair, made fresh in memory by whoever holds it (never written anywhere). */
export interface AgreementKeys {
  privateKey: KeyObject;
  /** The public key as its raw 32 bytes in base64url, as it travels in claims and headers. */
  publicText: string;
}

/** What both sides derive: the session's id (a key id) and its HMAC key. */
export interface SessionKey {
  id: string;
  key: KeyObject;
}

/** A new X25519 key pair. */
export function newAgreementKeys(): AgreementKeys {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicText: String(publicKey.export({ format: 'jwk' }).x) };
}

/** Whether a text is a well-formed X25519 public key (43 base64url characters). */
export const isAgreementPublicText = (text: unknown): text is string => typeof text === 'string' && /^[A-Za-z0-9_-]{43}$/.test(text);

/** What binds a session key: its audience, both public texts and the receiver's nonce. */
export interface SessionBinding {
  audience: string;
  gateway: string;
  receiver: string;
  nonce: string;
}

/** A fresh nonce for one session (16 random bytes, base64url). */
export const sessionNonce = (): string => randomBytes(16).toString('base64url');

/**
 * The receiver's answer that opens a session, `ID.RECEIVERKEY.NONCE`, and back; parsing gives
 * undefined for anything else.
 */
export const formatOpened = (id: string, binding: SessionBinding): string => `${id}.${binding.receiver}.${binding.nonce}`;
export function parseOpened(text: string): { id: string; receiver: string; nonce: string } | undefined {
  const [id, receiver, nonce, ...rest] = text.split('.');
  if (rest.length || !id || !isAgreementPublicText(receiver) || !/^[A-Za-z0-9_-]{22}$/.test(nonce ?? '')) return undefined;
  return { id, receiver, nonce };
}

/**
 * The session key of one binding, from one side's private key and the other side's public
 * text. Throws on a malformed or degenerate public key.
 */
export function deriveSessionKey(own: KeyObject, peerPublicText: string, binding: SessionBinding): SessionKey {
  if (!isAgreementPublicText(peerPublicText)) throw new Error('malformed agreement key');
  const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerPublicText }, format: 'jwk' });
  const shared = diffieHellman({ privateKey: own, publicKey: peer });
  const context = `${binding.audience}\n${binding.gateway}\n${binding.receiver}\n${binding.nonce}`;
  const id = createHash('sha256').update('xietong assertion session id\n').update(context).digest('base64url').slice(0, 22);
  const key = Buffer.from(hkdfSync('sha256', shared, 'xietong assertion session v1', context, 32));
  return { id, key: createSecretKey(key) };
}
