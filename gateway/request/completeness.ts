import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';

/**
 * Names, in the answer's `extensions.missingProvinces`, the members of a region scope that were
 * not asked because they have not joined, so a region figure computed without them is never
 * taken for the whole region. It writes the answer synchronously and runs before the response
 * cache stores it, so a cached answer says the same.
 */
export function completenessPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        willSendResponse({ contextValue, response }) {
          const missing = contextValue.provinces.missing();
          if (!missing.length || response.body.kind !== 'single') return Promise.resolve();
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, missingProvinces: missing };
          return Promise.resolve();
        },
      };
    },
  };
}
