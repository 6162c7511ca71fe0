import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../common/logger.js';
import type { GatewayContext } from '../request/context.js';
import type { GenerationStore } from './generations.js';

/**
 * Raises the generation counters of the provinces a mutation reached once its answer is ready,
 * before it leaves, whether or not answers are cached: shared in-flight reads (SharedReads), the
 * fetch cache and the response cache all compare them, so a request that starts after a write
 * never receives what was read before it, on any replica. Then `afterWrite` runs (the data-version
 * watcher's refresh, so that it does not count the same change again).
 */
export function writeVersionsPlugin(options: {
  generations: GenerationStore;
  afterWrite?: (provinces: readonly string[]) => Promise<void>;
  logger: Logger;
}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation }) {
          if (operation?.operation !== 'mutation' || contextValue.provinces.size === 0) return;
          const touched = contextValue.provinces.list();
          await options.generations.bump(touched).catch((error: unknown) => options.logger.error({ err: error }, 'could not raise the data versions of a write'));
          await options.afterWrite?.(touched);
        },
      };
    },
  };
}
