import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';

/**
 * SHA-256 (hex) of every file under `roots`: their paths relative to each root and their bytes,
 * in sorted order, so the same tree digests the same wherever it lies and a change to any file
 * (or a file added, removed or renamed) gives another digest.
 */
export function treeDigest(roots: readonly string[]): string {
  const hash = createHash('sha256');
  for (const [i, root] of roots.entries()) {
    for (const file of filesUnder(root)) {
      hash.update(`${i}\0${relative(root, file).split(sep).join('/')}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

function filesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/** The libraries that plan queries and shape their answers: another version may answer otherwise. */
const ANSWERING_LIBRARIES = ['graphql', '@apollo/gateway', '@apollo/query-planner', '@apollo/federation-internals'];

/**
 * What identifies the code that shapes the gateway's answers: its own modules (gateway/ and
 * common/, as built or as sources) and the versions of the libraries that plan and merge. The
 * response cache keys on it, so replicas of two releases side by side in a rolling deploy never
 * serve each other's answers: a release that changes what a role may see must not find the
 * answers of the one before it in the shared cache.
 */
export function gatewayCodeVersion(): string {
  const gatewayDir = fileURLToPath(new URL('..', import.meta.url));
  const require = createRequire(import.meta.url);
  const versions = ANSWERING_LIBRARIES.map((name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
  return createHash('sha256')
    .update(JSON.stringify([treeDigest([gatewayDir, join(gatewayDir, '..', 'common')]), versions]))
    .digest('hex');
}
