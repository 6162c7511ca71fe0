import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { assertionMaker, type AssertionMaker } from '../../common/auth/assertion.js';
import type { Principal } from '../../common/auth/principal.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import { headerValue } from '../../common/http.js';
import { ErrorCode } from '../../common/errors.js';
import { InvalidToken, type TokenVerifier } from './tokens.js';

/**
 * Who asks, the region membership this request is decided by, and how to tell one subgraph or
 * province so: a fresh assertion addressed to it (unique id, seconds of life) carrying both.
 */
export interface AuthContext {
  principal: Principal;
  regions: RegionMembership;
  assertionFor: AssertionMaker;
}

/** What the gateway tells every subgraph with the caller, and signs it with. */
export interface AssertionContext {
  assertionKey: KeyObject;
  /** The region table this request is decided by. */
  regions: RegionMembership;
  /** Whether any table has been read yet (before that, a coordinator gets a retryable 503). */
  regionsRead: boolean;
  /** The small-cell threshold, for subgraphs that withhold figures themselves (the sharing service). */
  minAgencies: number;
}

/**
 * Authenticates one request: no Authorization header is anonymous; a header with a token that
 * cannot be accepted is refused with HTTP 401 and the reason, before anything runs.
 */
export async function authenticate(req: IncomingMessage, verifier: TokenVerifier, asserted: AssertionContext): Promise<AuthContext> {
  const { regions, regionsRead, minAgencies } = asserted;
  let principal: Principal;
  try {
    principal = withRegionMembers(await verifier.verify(headerValue(req, 'authorization')), regions, regionsRead);
  } catch (error) {
    if (!(error instanceof InvalidToken)) throw error;
    throw new GraphQLError(`Unauthenticated: ${error.message}.`, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) } },
    });
  }
  return { principal, regions, assertionFor: assertionMaker(principal, asserted.assertionKey, { regions, minAgencies }) };
}

/**
 * A coordinator's principal with its region's members as the table says now; a region the table
 * lacks is an invalid token. Before the gateway has read any table, the token may well be valid:
 * a retryable 503, never a 401 that tells the client to throw its token away.
 */
function withRegionMembers(principal: Principal, regions: RegionMembership, regionsRead: boolean): Principal {
  // A principal bound to no region comes back as it is.
  const bound = regions.withMembers(principal);
  if (bound) return bound;
  if (!regionsRead) {
    throw new GraphQLError('The gateway has not read the regions from the directory yet; try again shortly.', {
      extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, http: { status: 503, headers: new Map([['retry-after', '5']]) } },
    });
  }
  throw new InvalidToken(`the token's region ${principal.region} is not a region of the directory (regions: ${regions.codes().join(', ') || 'none'})`);
}
