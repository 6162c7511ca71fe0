import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { vendorOffPlugins } from './vendor-off.js';

// Apollo Server's reporting features, by the id it gives their plugins.
const REPORTING = ['UsageReporting', 'SchemaReporting', 'InlineTrace', 'LandingPageDisabled'];
const ENV = { APOLLO_KEY: 'service:xietong-test:not-a-real-key', APOLLO_GRAPH_REF: 'xietong-test@current', APOLLO_SCHEMA_REPORTING: 'true' };

describe('vendorOffPlugins', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(ENV)) [saved[name], process.env[name]] = [process.env[name], value];
  });
  afterEach(() => {
    for (const name of Object.keys(ENV))
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
  });

  // Schema reporting's first send waits a random 0 to 10 s and stopping cancels it, so a test of
  // the network (test/outbound.test.ts) would miss it; this reads what the server installed.
  it('with an Apollo key, graph ref and schema reporting in the environment, a server installs each reporting feature in its disabled form only', async () => {
    const server = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } }, plugins: vendorOffPlugins() });
    await server.start();
    try {
      const installed = (server as unknown as { internals: { plugins: Array<{ __internal_plugin_id__?: string; __is_disabled_plugin__?: boolean }> } }).internals.plugins;
      const reporting = installed.filter((p) => REPORTING.includes(p.__internal_plugin_id__ ?? ''));
      expect(reporting.map((p) => [p.__internal_plugin_id__, p.__is_disabled_plugin__ === true]).sort()).toEqual(REPORTING.map((id) => [id, true]).sort());
    } finally {
      await server.stop();
    }
  });
});
