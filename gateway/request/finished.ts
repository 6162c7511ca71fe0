import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../common/auth/principal.js';
import type { GatewayContext } from './context.js';

/** What the gateway knows of one answered operation, whichever path answered it. */
export interface FinishedOperation {
  requestId: string;
  principal: Principal;
  operationName: string | null;
  /** SHA-256 of the document (Apollo Server's queryHash). */
  operationHash: string;
  mutation: boolean;
  /** Provinces the answer was read from or written to, sorted. */
  provinces: string[];
  errorCodes: string[];
  hasData: boolean;
  /** Served from the response cache before Apollo Server's pipeline. */
  cacheHit: boolean;
  ms: number;
}

/** Called once per answered operation, after the answer is ready (the audit trail and the operation log). */
export type OnFinished = (operation: FinishedOperation) => Promise<void>;

/**
 * Hands every operation Apollo Server answers to `onFinished` once its response is ready. The
 * response cache's shortcut hands the answers it serves to the same function, so each answer is
 * audited and logged once, by one piece of code, on either path.
 */
export function finishedOperationPlugin(onFinished: OnFinished): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ contextValue, operation, queryHash, response, errors, request }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          await onFinished({
            requestId: contextValue.requestId,
            principal: contextValue.principal,
            operationName: operation?.name?.value ?? request.operationName ?? null,
            operationHash: queryHash ?? '',
            mutation: operation?.operation === 'mutation',
            provinces: contextValue.provinces.list(),
            errorCodes: [...new Set((body?.errors ?? errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN')))],
            hasData: Boolean(body?.data),
            cacheHit: false,
            ms: performance.now() - started,
          });
        },
      };
    },
  };
}
