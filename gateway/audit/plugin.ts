import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../common/auth/principal.js';
import { homeProvince } from '../../common/auth/policy.js';
import type { Logger } from '../../common/logger.js';
import type { AuditStore } from './event.js';

/** What the audit plugin reads from the request context: who asked, and which provinces the shard router reached. */
export interface AuditContext {
  principal: Principal;
  provincesTouched: Set<string>;
}

/** One finished operation, as the audit trail needs it. */
export interface FinishedOperation {
  principal: Principal;
  operationName: string | null;
  /** SHA-256 of the document (Apollo Server's queryHash). */
  operationHash: string;
  mutation: boolean;
  provinces: Iterable<string>;
  errorCodes: string[];
  hasData: boolean;
}

/**
 * What the audit trail keeps of finished operations (executed or answered from the cache alike):
 * every mutation, and every read by a signed-in caller that touches a province other than the
 * one its role is bound to. Anonymous reads (published aggregates only) are counted, not
 * recorded one by one, so unauthenticated clients cannot grow the append-only store.
 */
export class AuditTrail {
  /** Anonymous reads answered since start (published aggregates; see the class comment). */
  anonymousReads = 0;

  constructor(
    private readonly store: AuditStore,
    private readonly logger: Logger,
  ) {}

  /** Records one finished operation if the rule above says so; a failure to record is logged, never shown. */
  async record(op: FinishedOperation): Promise<void> {
    if (op.principal.role === 'ANONYMOUS' && !op.mutation) {
      this.anonymousReads += 1;
      return;
    }
    await recordOperation(this.store, this.logger, op);
  }
}

async function recordOperation(store: AuditStore, logger: Logger, op: FinishedOperation): Promise<void> {
  const provinces = [...op.provinces].sort();
  const own = homeProvince(op.principal);
  if (!op.mutation && !provinces.some((p) => p !== own)) return;
  const p = op.principal;
  await store
    .append({
      time: new Date().toISOString(),
      subject: p.sub,
      role: p.role,
      binding: p.agency ?? p.province ?? p.region ?? null,
      operationName: op.operationName,
      operationHash: op.operationHash,
      mutation: op.mutation,
      provinces,
      outcome: op.errorCodes.length === 0 ? 'ok' : op.hasData ? 'partial' : 'error',
      errorCodes: op.errorCodes,
    })
    .catch((error: unknown) => logger.error({ err: error }, 'could not record an audit event'));
}

/** Hands every operation Apollo Server runs to the audit trail once its response is ready. */
export function auditPlugin<C extends AuditContext>(trail: AuditTrail): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, queryHash, response, errors }) {
          if (!operation) return;
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          await trail.record({
            principal: contextValue.principal,
            operationName: operation.name?.value ?? null,
            // Apollo Server's queryHash is the SHA-256 of the document text.
            operationHash: queryHash ?? '',
            mutation: operation.operation === 'mutation',
            provinces: contextValue.provincesTouched,
            errorCodes: [...new Set((body?.errors ?? errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN')))],
            hasData: Boolean(body?.data),
          });
        },
      };
    },
  };
}
