import { createLogger } from '../../common/logger.js';
import { callerFromAssertion } from '../../common/auth/subgraph-auth.js';
import { subgraphAudience } from '../../common/auth/assertion.js';
import { healthRoute, serveApollo, type RunningService } from '../../common/http.js';
import { createSubgraphServer } from '../../common/subgraph-server.js';
import { readSubgraphSdl } from '../../common/subgraphs.js';
import { subgraphAgent } from '../../common/post-graphql.js';
import { openSharingDatabase, type SharingStore } from './db/database.js';
import { parseSharingConfig, type SharingConfig } from './config.js';
import { ProvinceSteps } from './province-steps.js';
import { TransferSaga } from './saga.js';
import { Transfers } from './transfers.js';
import { Bookings } from './bookings.js';
import { SharingFigures } from './figures.js';
import { createSharingLoaders, sharingResolvers, type SharingContext } from './resolvers.js';
import { createRegistry, databaseMetrics, exposeMetrics } from '../../common/metrics.js';
import { isDatabaseUnreachable } from '../../common/db/errors.js';
import { ErrorCode } from '../../common/errors.js';

/** A database that cannot be reached, or has no connection free in time, is named as such: the caller may try again. */
function sharingDatabaseUnavailable(error: unknown) {
  return isDatabaseUnreachable(error)
    ? { message: 'The sharing service cannot reach its database right now; try again.', extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph: 'sharing' } }
    : undefined;
}

/** A running sharing service: the subgraph, its database and the transfer saga. */
export interface SharingService extends RunningService {
  store: SharingStore;
  saga: TransferSaga;
  config: SharingConfig;
}

/**
 * Starts the sharing subgraph: opens and migrates its database, serves the workflows, and runs
 * the transfer saga from the outbox (resuming whatever a previous run left due).
 */
export async function startSharing(input: unknown, tls?: Parameters<typeof parseSharingConfig>[1], options: { processMetrics?: boolean } = {}): Promise<SharingService> {
  const config = parseSharingConfig(input, tls);
  const logger = createLogger('sharing');
  const store = await openSharingDatabase(config.database);
  const provinces = new Map(Object.entries(config.provinces));
  const agent = subgraphAgent(config.provinceTls, logger);
  const steps = new ProvinceSteps({ provinces: () => provinces, workflowPrivateKey: config.workflowPrivateKey, agent, timeoutMs: config.provinceTimeoutMs });
  const saga = new TransferSaga(store.db, steps, logger, config.saga);
  const transfers = new Transfers(store.db, store.kind, steps, saga.wake);
  const bookings = new Bookings(store.db, store.kind, steps);
  const figures = new SharingFigures(store.db);
  const history = (ids: readonly string[]) =>
    store.db
      .selectFrom('workflow_events')
      .selectAll()
      .where('record_id', 'in', [...ids])
      .orderBy('at')
      .orderBy('id')
      .execute();
  const callerOf = callerFromAssertion({ gateway: config.assertionPublicKey }, { audiences: [subgraphAudience('sharing')], logger });
  const registry = createRegistry('sharing', options);
  databaseMetrics(registry, 'sharing', store);
  const server = createSubgraphServer<SharingContext>({ sdl: readSubgraphSdl('sharing'), resolvers: sharingResolvers, logger, registry, classify: sharingDatabaseUnavailable });
  await server.start();
  const metrics = await exposeMetrics(registry, { port: config.metricsPort });
  const running = await serveApollo<SharingContext>({
    service: 'sharing',
    server,
    port: config.port,
    host: config.host,
    tls: config.tls,
    context: async ({ req, res, requestId }) => {
      const { principal, regions, minAgencies } = callerOf(req, requestId, res);
      return { principal, regions, minAgencies, requestId, transfers, bookings, figures, loaders: createSharingLoaders(principal, transfers, bookings, history) };
    },
    routes: [healthRoute(() => ({ service: 'sharing', database: store.kind, pid: process.pid })), ...metrics.routes],
  });
  saga.start();
  logger.info({ url: running.url, database: store.kind, provinces: [...provinces.keys()] }, 'sharing subgraph listening');
  return {
    ...running,
    store,
    saga,
    config,
    async stop() {
      await saga.stop();
      await running.stop();
      await metrics.stop();
      await agent.close();
      await store.close();
    },
  };
}
