/**
 * `npm run extract-operations -- SOURCE_DIR [OUT]`: extracts the GraphQL operations of a
 * dashboard's source (.graphql files and gql/graphql tagged templates in .ts/.tsx/.js/.jsx,
 * found by @graphql-tools/graphql-tag-pluck) into a persisted-operation manifest
 * (default deploy/persisted-operations.json).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gqlPluckFromCodeStringSync } from '@graphql-tools/graphql-tag-pluck';
import { REPO_ROOT } from '../common/subgraphs.js';
import { buildManifest } from '../gateway/persisted/manifest.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The GraphQL documents in a source tree. */
export function extractDocuments(dir: string): string[] {
  return files(dir).flatMap((file) => {
    const ext = extname(file);
    const text = readFileSync(file, 'utf8');
    if (ext === '.graphql' || ext === '.gql') return [text];
    if (!['.ts', '.tsx', '.js', '.jsx', '.mjs'].includes(ext)) return [];
    return gqlPluckFromCodeStringSync(file, text, { globalGqlIdentifierName: ['gql', 'graphql'], gqlMagicComment: 'graphql' }).map((s) => s.body);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, out = join(REPO_ROOT, 'deploy', 'persisted-operations.json')] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: npm run extract-operations -- SOURCE_DIR [OUT.json]');
    process.exit(2);
  }
  const manifest = buildManifest(extractDocuments(dir));
  writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${manifest.operations.length} operations to ${out}: ${manifest.operations.map((o) => o.name).join(', ')}`);
}
