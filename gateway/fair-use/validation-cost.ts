import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../common/auth/principal.js';
import type { Budget } from './rate-limit.js';

/** Milliseconds of validation that cost one extra request point. */
export const VALIDATION_MS_PER_POINT = 5;

/**
 * Charges a caller for the time its document took to validate: one request point per
 * `msPerPoint` ms, on top of the point the request itself cost. graphql-js bounds the work of
 * comparing same-named fields, but its bound is still a few hundred milliseconds of the event loop
 * for one 20 kB document, and a document the validation refuses is validated again each time it is
 * sent. Without this, an anonymous client within its request budget could keep a core busy; with
 * it, such documents spend its budget after a few. An everyday document costs nothing extra: it
 * validates in well under `msPerPoint`, once (the document store keeps it).
 */
export function validationCostPlugin<C extends { principal: Principal; clientAddress: string }>(options: { budget: Budget; msPerPoint?: number }): ApolloServerPlugin<C> {
  const msPerPoint = options.msPerPoint ?? VALIDATION_MS_PER_POINT;
  return {
    async requestDidStart() {
      return {
        async validationDidStart({ contextValue }) {
          const started = performance.now();
          return async () => {
            const points = Math.floor((performance.now() - started) / msPerPoint);
            // The refusal, if the budget is now spent, is for the caller's next request.
            if (points > 0) await options.budget.charge(contextValue.principal, contextValue.clientAddress, points);
          };
        },
      };
    },
  };
}
