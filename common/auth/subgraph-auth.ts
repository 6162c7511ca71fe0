import { createPublicKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { headerValue } from '../http.js';
import { ErrorCode, userError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ASSERTION_HEADER, AssertionRefused, SESSION_HEADER, verifyAssertion, type Asserted, type AssertionKeys } from './assertion.js';
import { ReceiverSessions } from './receiver-sessions.js';
import { mayAccess } from './policy.js';
import type { Principal } from './principal.js';
import { ReplayGuard } from './replay-guard.js';

/** Who a subgraph instance is: the audiences it answers to. */
export interface SubgraphIdentity {
  /** e.g. `province:320000` for each served province, or `subgraph:directory`. */
  audiences: readonly string[];
  logger: Logger;
}

/**
 * Reads the caller of a subgraph request (and the region membership it is decided by) from the gateway's (or, for WORKFLOW, the sharing
 * service's) assertion, verified with the issuer's public key (PEM, imported once: importing
 * costs more than a verification), for this
 * instance's audiences, once per assertion id, or under a session the gateway agreed with this
 * instance (common/auth/receiver-sessions.ts); the response tells the gateway of a session it
 * opened (SESSION_HEADER). Without a valid assertion the request is refused
 * with HTTP 401 before anything runs; the reason goes to this service's log (as a record of the
 * refused call), never to the caller, so a prober learns no issuer, audience or key detail.
 */
export function callerFromAssertion(
  trusted: { gateway: string; workflow?: string },
  identity: SubgraphIdentity,
): (req: IncomingMessage, requestId: string, res?: ServerResponse) => Asserted {
  const key: AssertionKeys = { gateway: createPublicKey(trusted.gateway), ...(trusted.workflow ? { workflow: createPublicKey(trusted.workflow) } : {}) };
  const check = { audiences: identity.audiences, replay: new ReplayGuard(), sessions: new ReceiverSessions() };
  return (req, requestId, res) => {
    try {
      const asserted = verifyAssertion(headerValue(req, ASSERTION_HEADER), key, check);
      if (asserted.opened) res?.setHeader(SESSION_HEADER, asserted.opened);
      return asserted;
    } catch (error) {
      const reason = error instanceof AssertionRefused ? error.message : 'invalid';
      // A session this instance no longer holds is routine (a restart, an expiry): the gateway signs again.
      const level = error instanceof AssertionRefused && error.unknownSession ? 'info' : 'warn';
      identity.logger[level]({ requestId, reason, remote: req.socket.remoteAddress }, 'refused a call without a valid gateway assertion');
      throw new GraphQLError('This service answers the Xietong gateway only.', {
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

/**
 * The only root fields the service principals may select, per operation type: SYSTEM a
 * service's SDL, a province's data version and the directory's regions; WORKFLOW the transfer
 * steps at a province.
 */
const CONFINED: Partial<Record<Principal['role'], { query: ReadonlySet<string>; mutation: ReadonlySet<string> }>> = {
  SYSTEM: { query: new Set(['_service', '_dataVersion', 'regions', '__typename']), mutation: new Set() },
  WORKFLOW: {
    query: new Set(['_transferCandidate', '_receivingAgency', '_shareableVehicle', '__typename']),
    mutation: new Set(['_reserveAssetForTransfer', '_receiveTransferredAsset', '_completeTransferOut', '_releaseAssetReservation', '__typename']),
  },
};

/**
 * Keeps the service principals (SYSTEM, WORKFLOW) to what their work needs: an operation of
 * theirs that selects any other root field, directly or through fragments, runs nothing.
 */
export function systemPrincipalPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          const role = (contextValue as { principal?: Principal }).principal?.role;
          const allowed = role && CONFINED[role];
          if (!allowed || !operation) return;
          const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
          const names = rootFieldNames(operation.selectionSet, fragments, new Set());
          const fields = operation.operation === 'subscription' ? new Set<string>() : allowed[operation.operation];
          if (names.some((n) => !fields.has(n))) {
            throw new GraphQLError(`The ${role} service principal may select only ${[...allowed.query, ...allowed.mutation].filter((f) => f !== '__typename').join(', ')}.`, {
              extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
            });
          }
        },
      };
    },
  };
}

/** The field names a selection set selects at its own level, through fragments. */
function rootFieldNames(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, visited: Set<string>): string[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s.name.value];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(s.selectionSet, fragments, visited);
    if (visited.has(s.name.value)) return [];
    visited.add(s.name.value);
    const fragment = fragments.get(s.name.value);
    return fragment ? rootFieldNames(fragment.selectionSet, fragments, visited) : [];
  });
}
