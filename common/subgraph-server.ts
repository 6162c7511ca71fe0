import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { vendorOffPlugins } from './vendor-off.js';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { maskForClient } from './errors.js';
import { requestLogPlugin, type RequestIdContext } from './request-log-plugin.js';
import { apolloLogger, type Logger } from './logger.js';
import { systemPrincipalPlugin } from './auth/subgraph-auth.js';
import { subgraphMetricsPlugin } from './metrics.js';
import type { Registry } from 'prom-client';

/** Options of {@link createSubgraphServer}. */
export interface SubgraphServerOptions<TContext extends RequestIdContext> {
  sdl: string;
  /** Resolver map; typed loosely because graphql-js resolvers are untyped at this boundary. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: Record<string, any>;
  logger: Logger;
  plugins?: ApolloServerPlugin<TContext>[];
  /** Turns an unexpected error the service recognises (e.g. a lost database) into a client error. */
  classify?: (error: unknown) => GraphQLFormattedError | undefined;
  /** The service's metrics registry: every operation is measured into it. */
  registry: Registry;
}

/**
 * An ApolloServer for a federation subgraph with the settings every Xietong subgraph shares:
 * vendor features off (see {@link vendorOffPlugins}), a structured request log, request metrics, the SYSTEM principal kept to
 * `_service` and `_dataVersion`, and unexpected errors
 * sent to the caller without stack traces or internal messages.
 */
export function createSubgraphServer<TContext extends RequestIdContext>(options: SubgraphServerOptions<TContext>): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(options.sdl), resolvers: options.resolvers }),
    logger: apolloLogger(options.logger),
    plugins: [
      ...vendorOffPlugins<TContext>(),
      requestLogPlugin<TContext>(options.logger),
      subgraphMetricsPlugin<TContext>(options.registry),
      systemPrincipalPlugin<TContext>(),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: false,
    // The process that hosts the server owns shutdown (several servers may share one process).
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => {
      const known = options.classify?.(unwrapResolverError(error));
      return maskForClient(known ? { ...known, path: formatted.path } : formatted);
    },
  });
}
