import { createPublicKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { headerValue } from '../http.js';
import { ErrorCode, userError } from '../errors.js';
import { ASSERTION_HEADER, verifyAssertion } from './assertion.js';
import { mayAccess } from './policy.js';
import type { Principal } from './principal.js';

/**
 * Reads the caller of a subgraph request from the gateway's assertion, verified with the
 * gateway's public key (PEM, imported once: importing costs more than a verification). Without
 * a valid assertion the request is refused with HTTP 401 before anything runs.
 */
export function principalFromAssertion(gatewayPublicKey: string): (req: IncomingMessage) => Principal {
  const key = createPublicKey(gatewayPublicKey);
  return (req) => {
    try {
      return verifyAssertion(headerValue(req, ASSERTION_HEADER), key);
    } catch (error) {
      throw new GraphQLError(`This service answers the Xietong gateway only: ${(error as Error).message}.`, {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
  };
}

/** Throws FORBIDDEN unless the principal's role may see a class of data. */
export function requireAccess(principal: Principal, dataClass: string): void {
  if (!mayAccess(principal, dataClass)) throw userError(ErrorCode.FORBIDDEN, `The role ${principal.role} may not see ${dataClass} data.`);
}

/** Wraps a field resolver so it answers only callers whose role may see the class (null + FORBIDDEN otherwise). */
export function guarded<P, A, C extends { principal: Principal }, R>(dataClass: string, resolve: (parent: P, args: A, ctx: C) => R) {
  return (parent: P, args: A, ctx: C): R => {
    requireAccess(ctx.principal, dataClass);
    return resolve(parent, args, ctx);
  };
}
