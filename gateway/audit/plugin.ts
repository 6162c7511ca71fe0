import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../common/auth/principal.js';
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
 * Records a mutation, or a read that crosses a province boundary (touches a province other than
 * the caller's own): time, subject, role, operation name and hash, provinces, outcome. Other
 * reads are not recorded. A failure to record is logged, never shown.
 */
export async function recordOperation(store: AuditStore, logger: Logger, op: FinishedOperation): Promise<void> {
  const provinces = [...op.provinces].sort();
  const own = op.principal.province;
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

/** Records every operation Apollo Server runs (see {@link recordOperation}) once its response is ready. */
export function auditPlugin<C extends AuditContext>(store: AuditStore, logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, queryHash, response, errors }) {
          if (!operation) return;
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          await recordOperation(store, logger, {
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
