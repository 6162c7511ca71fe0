import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from './logger.js';
import { activeTraceId } from './tracing.js';

/** Context fields the request log reads. */
export interface RequestIdContext extends BaseContext {
  requestId: string;
}

/** Logs every unexpected error in full (stack, SQL, subgraph bodies: what clients never see) under the request id. */
export function unexpectedErrorsPlugin<TContext extends RequestIdContext>(logger: Logger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (!code || code === 'INTERNAL_SERVER_ERROR')
              logger.error({ requestId: contextValue.requestId, err: error.originalError ?? error, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}

/**
 * Logs one structured line per operation (request id, operation, duration, error codes) and
 * every unexpected error in full, so what clients never see (stack, SQL, subgraph bodies)
 * is in the log under the same request id. Answers without errors are logged at debug: a
 * healthy subgraph (polled every second for its data version) is quiet at info.
 */
export function requestLogPlugin<TContext extends RequestIdContext>(logger: Logger): ApolloServerPlugin<TContext> {
  const unexpected = unexpectedErrorsPlugin<TContext>(logger);
  return {
    async requestDidStart(requestContext) {
      const { contextValue, request } = requestContext;
      const started = process.hrtime.bigint();
      const log = logger.child({ requestId: contextValue.requestId });
      return {
        ...(await unexpected.requestDidStart!(requestContext)),
        async willSendResponse({ response, errors }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errorCodes = (body?.errors ?? errors ?? []).map((e) => e.extensions?.code ?? 'UNKNOWN');
          log[errorCodes.length ? 'info' : 'debug'](
            { operationName: request.operationName ?? null, ms: Number(process.hrtime.bigint() - started) / 1e6, errorCodes, traceId: activeTraceId() },
            'operation',
          );
        },
      };
    },
  };
}
