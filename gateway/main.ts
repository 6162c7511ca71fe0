/** Production entry point: `node dist/gateway/main.js --supergraph FILE --port N [--config FILE]`. */
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';

let config;
try {
  config = readGatewayConfig(process.argv.slice(2));
} catch (error) {
  console.error(`xietong gateway: ${(error as Error).message}`);
  process.exit(2);
}
const gateway = await startGateway(config);
const shutdown = () => void gateway.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
