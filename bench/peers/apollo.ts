/**
 * Peer: stock @apollo/gateway in a plain ApolloServer, nothing else added.
 * Usage: node dist/bench/peers/apollo.js SUPERGRAPH_FILE — prints {"url": …} when ready.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: readFileSync(process.argv[2], 'utf8') }) });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
console.log(JSON.stringify({ url }));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
