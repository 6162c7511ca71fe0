import { createLogger } from '../../common/logger.js';
import { principalFromAssertion } from '../../common/auth/subgraph-auth.js';
import { subgraphAudience } from '../../common/auth/assertion.js';
import type { Principal } from '../../common/auth/principal.js';
import { healthRoute, serveApollo, type RunningService } from '../../common/http.js';
import { createSubgraphServer } from '../../common/subgraph-server.js';
import { readSubgraphSdl } from '../../common/subgraphs.js';
import { directoryResolvers } from './resolvers.js';

/** Starts the directory subgraph on a port (0 picks a free one). */
export async function startDirectory(options: { port: number; host?: string; assertionPublicKey: string; tls?: import('../../common/tls.js').ServerTls }): Promise<RunningService> {
  const logger = createLogger('directory');
  const principalOf = principalFromAssertion({ gateway: options.assertionPublicKey }, { audiences: [subgraphAudience('directory')], logger });
  const server = createSubgraphServer<{ requestId: string; principal: Principal }>({ sdl: readSubgraphSdl('directory'), resolvers: directoryResolvers, logger });
  await server.start();
  const running = await serveApollo({
    server,
    port: options.port,
    host: options.host,
    tls: options.tls,
    context: async ({ req, requestId }) => ({ principal: principalOf(req, requestId), requestId }),
    routes: [healthRoute(() => ({ service: 'directory' }))],
  });
  logger.info({ url: running.url }, 'directory subgraph listening');
  return running;
}
