import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger.js';

/** Options of {@link createSubgraphServer}. */
export interface SubgraphServerOptions<TContext extends BaseContext> {
  sdl: string;
  /** Resolver map; typed loosely because graphql-js resolvers are untyped at this boundary. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: Record<string, any>;
  logger: Logger;
  plugins?: ApolloServerPlugin<TContext>[];
}

/**
 * An ApolloServer for a federation subgraph with the settings every Xietong subgraph shares:
 * inline tracing off (nothing reads it), and unexpected errors logged in full but sent
 * to the caller without stack traces or internal messages.
 */
export function createSubgraphServer<TContext extends BaseContext>(options: SubgraphServerOptions<TContext>): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(options.sdl), resolvers: options.resolvers }),
    plugins: [ApolloServerPluginInlineTraceDisabled(), ...(options.plugins ?? [])],
    includeStacktraceInErrorResponses: false,
    // The process that hosts the server owns shutdown (several servers may share one process).
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => maskUnexpected(formatted, error, options.logger),
  });
}

/** Keeps errors that carry a deliberate code; replaces anything else with a generic message. */
export function maskUnexpected(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  logger.error({ err: error }, 'unexpected error while resolving');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
