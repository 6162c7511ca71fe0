/**
 * Composes the supergraph from schema/*.graphql with @apollo/composition and writes
 * schema/supergraph.graphql. The province subgraph gets a `shard://province` URL: the gateway
 * routes it through the shard router instead of one URL.
 */
import { writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { LOCAL_URL_PREFIX, readSubgraphSdl, SHARD_URL_PREFIX, SUBGRAPHS, SUPERGRAPH_PATH } from '../common/subgraphs.js';

/** Composes the subgraph SDL files into a supergraph SDL, throwing with every composition error. */
export function composeSupergraph(urls: { directory?: string; sharing?: string } = {}): string {
  const url = (name: (typeof SUBGRAPHS)[number]) =>
    name === 'province'
      ? `${SHARD_URL_PREFIX}province`
      : name === 'audit'
        ? `${LOCAL_URL_PREFIX}audit`
        : name === 'sharing'
          ? (urls.sharing ?? 'http://localhost:4002/graphql')
          : (urls.directory ?? 'http://localhost:4001/graphql');
  const result = composeServices(
    SUBGRAPHS.map((name) => ({
      name,
      url: url(name),
      typeDefs: parse(readSubgraphSdl(name)),
    })),
  );
  if (result.errors) {
    throw new Error(`supergraph composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
