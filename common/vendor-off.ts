import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';

/**
 * The Apollo Server plugins every Xietong server installs so that nothing it serves reaches a
 * vendor, whatever the environment holds. Apollo Server turns these features on by itself:
 * - the landing page loads Apollo's scripts from its CDN into a visitor's browser (the gateway
 *   serves its own explorer; a subgraph is for the gateway);
 * - usage reporting sends operation text and figures to Apollo once `APOLLO_KEY` and
 *   `APOLLO_GRAPH_REF` are set, schema reporting the schema once `APOLLO_SCHEMA_REPORTING` is;
 * - inline traces are what a gateway forwards to usage reporting; a subgraph answers them to
 *   anyone who asks with a header, so they are off too.
 */
export function vendorOffPlugins<TContext extends BaseContext>(): ApolloServerPlugin<TContext>[] {
  return [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
  ] as ApolloServerPlugin<TContext>[];
}
