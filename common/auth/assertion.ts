import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isRole, type Principal } from './principal.js';

/**
 * The gateway's assertion to subgraphs: a short-lived ES256 JWT naming the caller, signed with
 * the gateway's private key. Subgraphs verify it with the gateway's public key and filter rows
 * by it; a request without a valid one gets 401, so reaching a subgraph directly yields nothing.
 */
export const ASSERTION_HEADER = 'x-xietong-assertion';
const ISSUER = 'xietong-gateway';
const AUDIENCE = 'xietong-subgraph';

/** Signs an assertion for a principal, valid for `ttlSeconds`. */
export function signAssertion(principal: Principal, privateKey: string | KeyObject, ttlSeconds = 60): string {
  const { sub, ...claims } = principal;
  return jwt.sign({ ...claims }, privateKey, { algorithm: 'ES256', issuer: ISSUER, audience: AUDIENCE, expiresIn: ttlSeconds, ...(sub ? { subject: sub } : {}) });
}

/** Verifies an assertion; throws with a reason when it is missing, forged, tampered or expired. */
export function verifyAssertion(token: string | undefined, publicKey: string | KeyObject): Principal {
  if (!token) throw new Error('missing gateway assertion');
  const payload = jwt.verify(token, publicKey, { algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE, clockTolerance: 5 }) as jwt.JwtPayload;
  if (!isRole(payload.role) || typeof payload.exp !== 'number') throw new Error('assertion without role or expiry');
  return {
    sub: payload.sub ?? null,
    role: payload.role,
    ...(typeof payload.province === 'string' ? { province: payload.province } : {}),
    ...(typeof payload.region === 'string' ? { region: payload.region } : {}),
    ...(typeof payload.agency === 'string' ? { agency: payload.agency } : {}),
  };
}
