import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';
import type { Logger } from '../../common/logger.js';

/**
 * SHA-256 (hex) of every file under `roots`: their paths relative to each root and their bytes,
 * in sorted order, so the same tree digests the same wherever it lies and a change to any file
 * (or a file added, removed or renamed) gives another digest. Symbolic links are followed, each
 * directory read once.
 */
export function treeDigest(roots: readonly string[]): string {
  const hash = createHash('sha256');
  for (const [i, root] of roots.entries()) {
    for (const file of filesUnder(root, new Set())) {
      hash.update(`${i}\0${relative(root, file).split(sep).join('/')}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

function filesUnder(dir: string, seen: Set<string>): string[] {
  const real = realpathSync(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const names = readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return stat.isDirectory() ? filesUnder(path, seen) : stat.isFile() ? [path] : [];
  });
}

/** The libraries that plan queries and shape their answers, read where @apollo/gateway finds them when npm's record is missing. */
const ANSWERING_LIBRARIES = ['graphql', '@apollo/gateway', '@apollo/query-planner', '@apollo/federation-internals'];

/**
 * What the installed packages are: npm's record of every package in node_modules at its exact
 * version (`node_modules/.package-lock.json`, rewritten by every install and prune), else the
 * versions of the libraries that plan and merge.
 */
function installedPackages(): string {
  const gatewayEntry = createRequire(import.meta.url).resolve('@apollo/gateway');
  const modules = gatewayEntry.slice(0, gatewayEntry.lastIndexOf(`${sep}node_modules${sep}`) + `${sep}node_modules`.length);
  const record = join(modules, '.package-lock.json');
  if (existsSync(record)) return createHash('sha256').update(readFileSync(record)).digest('hex');
  // Resolved from @apollo/gateway, which pins the planner it runs with.
  const require = createRequire(gatewayEntry);
  return ANSWERING_LIBRARIES.map((name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`).join(' ');
}

/**
 * What identifies the code that shapes the gateway's answers: its own modules (gateway/ and
 * common/, as built or as sources) and the packages installed beside them. The response cache
 * keys on it, so replicas of two releases side by side in a rolling deploy never serve each
 * other's answers: a release that changes what a role may see must not find the answers of the
 * one before it in the shared cache. When it cannot be read, a value of this process alone is
 * used (logged): its entries are then shared with no other replica, the safe way to fail.
 */
export function gatewayCodeVersion(logger: Logger): string {
  try {
    const gatewayDir = dirname(dirname(fileURLToPath(import.meta.url)));
    return createHash('sha256')
      .update(JSON.stringify([treeDigest([gatewayDir, join(gatewayDir, '..', 'common')]), installedPackages()]))
      .digest('hex');
  } catch (error) {
    logger.warn({ err: error }, "could not read the gateway's code version: this replica shares no response-cache entries with others");
    return `unshared:${randomUUID()}`;
  }
}
