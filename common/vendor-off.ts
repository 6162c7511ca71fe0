import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';

/**
 * The Apollo Server plugins every Xietong server installs so that nothing it serves sends a
 * visitor's browser to a vendor: Apollo's landing page loads Apollo's scripts from its CDN (the
 * gateway serves its own explorer; a subgraph is for the gateway).
 */
export function vendorOffPlugins<TContext extends BaseContext>(): ApolloServerPlugin<TContext>[] {
  return [ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<TContext>];
}
