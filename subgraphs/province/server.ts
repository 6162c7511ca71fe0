import { randomUUID } from 'node:crypto';
import { createLogger } from '../../common/logger.js';
import { callerFromAssertion } from '../../common/auth/subgraph-auth.js';
import { ASSERTION_PROTOCOL, provinceAudience } from '../../common/auth/assertion.js';
import { healthRoute, sdlRoute, serveApollo, type RunningService } from '../../common/http.js';
import { createSubgraphServer } from '../../common/subgraph-server.js';
import { readSubgraphSdl } from '../../common/subgraphs.js';
import { openProvinceDatabase, type ProvinceDatabase } from './db/database.js';
import { servedDataProblems } from './db/verify.js';
import { QualityReports } from './data-quality/report.js';
import { databaseUnavailable } from '../../common/db/errors.js';
import { parseProvinceConfig, type ProvinceConfig } from './config.js';
import { createLoaders } from './loaders.js';
import { Repository } from './repository.js';
import { VisibleRows } from './visible-rows.js';
import { provinceResolvers, type ProvinceContext } from './resolvers.js';
import { createRegistry, databaseMetrics, exposeMetrics } from '../../common/metrics.js';

/** A running province instance with its database. */
export interface ProvinceService extends RunningService {
  database: ProvinceDatabase;
  config: ProvinceConfig;
}

/**
 * Starts one province instance: opens and migrates its database, then serves the province
 * subgraph. `database` may be passed to reuse an open one (restarting on the same data).
 */
export async function startProvince(input: unknown, database?: ProvinceDatabase, options: { processMetrics?: boolean } = {}): Promise<ProvinceService> {
  const config = parseProvinceConfig(input);
  const logger = createLogger(`province-${config.provinces.join('+')}`);
  const pdb =
    database ??
    (await openProvinceDatabase(config.database, config.mapping, { init: config.init, onIdleError: (err) => logger.warn({ err: err.message }, 'database connection lost') }));
  // Data of another province, or values off by a unit, would be served without an error: refuse to start instead.
  const wrongData = await servedDataProblems(pdb, config.provinces);
  if (wrongData.length) {
    if (!database) await pdb.close();
    throw new Error(`province database ${pdb.label}:\n- ${wrongData.join('\n- ')}`);
  }
  const repo = new Repository(pdb);
  const sdl = readSubgraphSdl('province');
  // Names this running instance, whatever URL reaches it: the gateway refuses one instance under two codes.
  const instance = randomUUID();
  const quality = new QualityReports(repo, config.provinces);
  const callerOf = callerFromAssertion({ gateway: config.assertionPublicKey, workflow: config.workflowPublicKey }, { audiences: config.provinces.map(provinceAudience), logger });
  const registry = createRegistry('province', options);
  registry.setDefaultLabels({ service: 'province', province: config.provinces.join('+') });
  databaseMetrics(registry, config.provinces.join('+'), pdb);
  const server = createSubgraphServer<ProvinceContext>({
    sdl,
    resolvers: provinceResolvers,
    logger,
    classify: databaseUnavailable(config.provinces),
    registry,
  });
  await server.start();
  const metrics = await exposeMetrics(registry, { port: config.metricsPort });
  const running = await serveApollo<ProvinceContext>({
    service: 'province',
    server,
    port: config.port,
    host: config.host,
    tls: config.tls,
    context: async ({ req, res, requestId }) => {
      const { principal, regions } = callerOf(req, requestId, res);
      const rows = new VisibleRows(repo, principal, config.provinces, regions);
      return { principal, regions, repo, rows, loaders: createLoaders(rows, repo), served: config.provinces, requestId, quality };
    },
    routes: [healthRoute(() => ({ service: 'province', provinces: config.provinces, instance, protocol: ASSERTION_PROTOCOL, pid: process.pid })), sdlRoute(sdl), ...metrics.routes],
  });
  logger.info({ url: running.url, provinces: config.provinces }, 'province subgraph listening');
  return {
    ...running,
    database: pdb,
    config,
    async stop() {
      await running.stop();
      await metrics.stop();
      if (!database) await pdb.close();
    },
  };
}
