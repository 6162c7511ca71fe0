import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from source or from dist/. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!readdirHas(dir, 'package.json')) dir = dirname(dir);
  return dir;
})();

function readdirHas(dir: string, name: string): boolean {
  try {
    readFileSync(join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/** The subgraphs of Xietong, each with the SDL file in schema/ that is its contract. */
export const SUBGRAPHS = ['directory', 'province', 'sharing', 'audit'] as const;
/** One subgraph name. */
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** Reads a subgraph's SDL from schema/. */
export function readSubgraphSdl(name: SubgraphName): string {
  return readFileSync(join(REPO_ROOT, 'schema', `${name}.graphql`), 'utf8');
}

/** Path of the composed supergraph that `npm run compose` writes. */
export const SUPERGRAPH_PATH = join(REPO_ROOT, 'schema', 'supergraph.graphql');

/** URL placeholder for a sharded subgraph in the supergraph: the gateway's shard router replaces it. */
export const SHARD_URL_PREFIX = 'shard://';

/** URL placeholder for a subgraph the gateway serves itself (the audit trail). */
export const LOCAL_URL_PREFIX = 'local://';
