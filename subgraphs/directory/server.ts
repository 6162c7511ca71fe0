import { createLogger } from '../../common/logger.js';
import { callerFromAssertion } from '../../common/auth/subgraph-auth.js';
import { subgraphAudience } from '../../common/auth/assertion.js';
import type { Principal } from '../../common/auth/principal.js';
import { healthRoute, serveApollo, type RunningService } from '../../common/http.js';
import { createSubgraphServer } from '../../common/subgraph-server.js';
import { readSubgraphSdl } from '../../common/subgraphs.js';
import { directoryResolvers } from './resolvers.js';
import { RegionSource } from './region-source.js';
import { DEFAULT_REGIONS_FILE } from '../../common/regions/region-file.js';
import { createRegistry, exposeMetrics, type MetricsOptions } from '../../common/metrics.js';

/** Starts the directory subgraph on a port (0 picks a free one); throws when the regions file cannot be read. */
export async function startDirectory(options: {
  port: number;
  /** The cooperation regions (default deploy/regions.json), re-read when the file changes. */
  regionsFile?: string;
  /** How often the regions file is checked for changes, ms (default 1000). */
  regionsPollMs?: number;
  host?: string;
  assertionPublicKey: string;
  tls?: import('../../common/tls.js').ServerTls;
  metrics?: MetricsOptions;
}): Promise<RunningService> {
  const logger = createLogger('directory');
  const regions = RegionSource.open(options.regionsFile ?? DEFAULT_REGIONS_FILE, logger, options.regionsPollMs);
  const callerOf = callerFromAssertion({ gateway: options.assertionPublicKey }, { audiences: [subgraphAudience('directory')], logger });
  const registry = createRegistry('directory', options.metrics);
  const server = createSubgraphServer<{ requestId: string; principal: Principal }>({ sdl: readSubgraphSdl('directory'), resolvers: directoryResolvers(regions), logger, registry });
  await server.start();
  const metrics = await exposeMetrics(registry, options.metrics);
  const running = await serveApollo({
    service: 'directory',
    server,
    port: options.port,
    host: options.host,
    tls: options.tls,
    context: async ({ req, res, requestId }) => ({ principal: callerOf(req, requestId, res).principal, requestId }),
    routes: [healthRoute(() => ({ service: 'directory' })), ...metrics.routes],
  });
  logger.info({ url: running.url }, 'directory subgraph listening');
  return {
    ...running,
    async stop() {
      regions.close();
      await running.stop();
      await metrics.stop();
    },
  };
}
