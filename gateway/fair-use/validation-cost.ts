import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../common/auth/principal.js';

/** Milliseconds of validation that cost one extra request point, beyond {@link VALIDATION_FREE_MS}. */
export const VALIDATION_MS_PER_POINT = 5;
/**
 * Validation time that costs nothing: a cold process's first validations, or one a garbage
 * collection lands in, take tens of milliseconds for everyday documents, and charging them would
 * make a caller's budget depend on the gateway's luck. Documents built to be slow take hundreds.
 */
export const VALIDATION_FREE_MS = 50;

/** Where the points go: a budget spent after the fact (rate-limit.ts's Budget.spend), which never throws. */
export interface SpentBudget {
  spend(principal: Principal | undefined, address: string, points: number): Promise<void>;
}

/**
 * Charges a caller for the time its document took to validate: one request point per
 * `msPerPoint` ms beyond `freeMs`, on top of what the request itself cost. graphql-js bounds the work of
 * comparing same-named fields, but its bound is still a few hundred milliseconds of the event loop
 * for one 20 kB document, and a document the validation refuses is validated again each time it is
 * sent. Without this, an anonymous client within its request budget could keep a core busy; with
 * it, such documents spend its budget after a few. An everyday document costs nothing extra: it
 * validates in well under `msPerPoint`, once per replica (the document store keeps it).
 *
 * The clock starts when Apollo Server starts its validation hooks, so another request's
 * continuation queued just before may be counted too: at most a point now and then, against
 * budgets of hundreds. The charge refuses nothing itself, and Apollo Server does not wait for it.
 */
export function validationCostPlugin<C extends { principal: Principal; clientAddress: string }>(options: {
  budget: SpentBudget;
  msPerPoint?: number;
  freeMs?: number;
  now?: () => number;
}): ApolloServerPlugin<C> {
  const msPerPoint = options.msPerPoint ?? VALIDATION_MS_PER_POINT;
  const freeMs = options.freeMs ?? VALIDATION_FREE_MS;
  const now = options.now ?? (() => performance.now());
  return {
    async requestDidStart() {
      return {
        async validationDidStart({ contextValue }) {
          const started = now();
          return async () => {
            const points = Math.floor(Math.max(0, now() - started - freeMs) / msPerPoint);
            if (points > 0) void options.budget.spend(contextValue.principal, contextValue.clientAddress, points);
          };
        },
      };
    },
  };
}
