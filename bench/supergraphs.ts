/** The supergraphs a benchmark run serves, with every subgraph URL pointing at the replay server. */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUPERGRAPH_PATH } from '../common/subgraphs.js';
import { W1_SUBGRAPHS } from './w1/subgraphs.js';

/** W1's supergraph over the replayed accounts, inventory, products and reviews subgraphs. */
export function w1Supergraph(replayUrl: string): string {
  const result = composeServices(Object.entries(W1_SUBGRAPHS).map(([name, s]) => ({ name, url: `${replayUrl}/w1/${name}`, typeDefs: parse(s.typeDefs) })));
  if (result.errors) throw new Error(`W1 composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

/**
 * Xietong's supergraph with its URLs rewritten: `sharded` keeps `shard://province` for Xietong's
 * shard router; otherwise the province subgraph is the one combined instance, which is all a
 * gateway without sharding can query.
 */
export function xietongSupergraph(replayUrl: string, province: 'sharded' | 'combined'): string {
  const urls: Record<string, string> = {
    directory: `${replayUrl}/directory`,
    province: province === 'sharded' ? 'shard://province' : `${replayUrl}/combined`,
    // Never queried by the workloads; a peer needs an http URL for it all the same.
    audit: province === 'sharded' ? 'local://audit' : `${replayUrl}/combined`,
  };
  return readFileSync(SUPERGRAPH_PATH, 'utf8').replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (whole, name: string) =>
    urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : whole,
  );
}
