import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { signAssertion } from '../../common/auth/assertion.js';
import type { Principal } from '../../common/auth/principal.js';
import { headerValue } from '../../common/http.js';
import { InvalidToken, type TokenVerifier } from './tokens.js';

/** Who asks, and how to tell one subgraph or province so: a fresh assertion addressed to it (unique id, seconds of life). */
export interface AuthContext {
  principal: Principal;
  assertionFor: (audience: string) => string;
}

/**
 * Authenticates one request: no Authorization header is anonymous; a header with a token that
 * cannot be accepted is refused with HTTP 401 and the reason, before anything runs.
 */
export async function authenticate(req: IncomingMessage, verifier: TokenVerifier, assertionPrivateKey: KeyObject): Promise<AuthContext> {
  let principal: Principal;
  try {
    principal = await verifier.verify(headerValue(req, 'authorization'));
  } catch (error) {
    if (!(error instanceof InvalidToken)) throw error;
    throw new GraphQLError(`Unauthenticated: ${error.message}.`, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) } },
    });
  }
  return { principal, assertionFor: (audience) => signAssertion(principal, assertionPrivateKey, audience) };
}
