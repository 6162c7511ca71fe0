import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../common/auth/principal.js';
import type { Logger } from '../../common/logger.js';
import type { AuditStore } from './event.js';

/** What the audit plugin reads from the request context: who asked, and which provinces the shard router reached. */
export interface AuditContext {
  principal: Principal;
  provincesTouched: Set<string>;
}

/**
 * Records every mutation and every read that crosses a province boundary (touches a province
 * other than the caller's own) once the response is ready: time, subject, role, operation
 * name and hash, provinces touched, outcome. A failure to record is logged, never shown.
 */
export function auditPlugin<C extends AuditContext>(store: AuditStore, logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, queryHash, response, errors }) {
          if (!operation) return;
          const mutation = operation.operation === 'mutation';
          const provinces = [...contextValue.provincesTouched].sort();
          const own = contextValue.principal.province;
          const crossesBoundary = provinces.some((p) => p !== own);
          if (!mutation && !crossesBoundary) return;
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errorCodes = [...new Set((body?.errors ?? errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
          const p = contextValue.principal;
          await store
            .append({
              time: new Date().toISOString(),
              subject: p.sub,
              role: p.role,
              binding: p.agency ?? p.province ?? p.region ?? null,
              operationName: operation.name?.value ?? null,
              // Apollo Server's queryHash is the SHA-256 of the document text.
              operationHash: queryHash ?? '',
              mutation,
              provinces,
              outcome: errorCodes.length === 0 ? 'ok' : body?.data ? 'partial' : 'error',
              errorCodes,
            })
            .catch((error: unknown) => logger.error({ err: error }, 'could not record an audit event'));
        },
      };
    },
  };
}
