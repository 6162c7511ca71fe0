/** Entry point of one province instance: `node dist/subgraphs/province/main.js CONFIG.json`. */
import { readFileSync } from 'node:fs';
import { startProvince } from './server.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node dist/subgraphs/province/main.js CONFIG.json  (see README: How a province joins)');
  process.exit(2);
}
let service;
try {
  service = await startProvince(JSON.parse(readFileSync(file, 'utf8')));
} catch (error) {
  console.error(`xietong province: ${(error as Error).message}`);
  process.exit(2);
}
const shutdown = () => void service.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
