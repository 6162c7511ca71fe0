/**
 * Peer: Hive Gateway's runtime (@graphql-hive/gateway-runtime) on node:http, as its docs show.
 * Usage: node dist/bench/peers/hive.js SUPERGRAPH_FILE [--dedupe] [--router-runtime]
 * — `--dedupe` adds upstream in-flight request deduplication; `--router-runtime` plans with
 * @graphql-hive/router-runtime's Rust query planner. Prints {"url": …} when ready.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { useDeduplicateRequest } from '@graphql-hive/plugin-deduplicate-request';

const supergraph = readFileSync(process.argv[2], 'utf8');
const flags = new Set(process.argv.slice(3));
const routerRuntime = flags.has('--router-runtime') ? await import('@graphql-hive/router-runtime') : undefined;
const runtime = createGatewayRuntime({
  supergraph: () => supergraph,
  logging: false,
  ...(flags.has('--dedupe') ? { plugins: () => [useDeduplicateRequest() as never] } : {}),
  ...(routerRuntime ? { unifiedGraphHandler: routerRuntime.unifiedGraphHandler } : {}),
});
const server = createServer(runtime);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
// The runtime loads the supergraph lazily; one request makes it ready before we report the URL.
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
console.log(JSON.stringify({ url }));
process.on('SIGTERM', () => void Promise.resolve(runtime.dispose()).then(() => process.exit(0)));
