import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

/** One safelisted operation (Apollo's persisted query manifest format). */
export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** A persisted-operation manifest: the safelist. */
export interface Manifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

/** The manifest id of an operation body: its SHA-256, as APQ clients send it. */
export function operationId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

// Bodies longer than this are hashed every time, never kept. Below V8's 16,383 characters: longer
// strings hash by their length alone, so many of one length would share a bucket of the map.
const MAX_REMEMBERED_BODY = 16_000;
/** What one remembered body holds besides its characters: the id's 64, and the map's entry. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * {@link operationId} that remembers the bodies it hashed: dashboards send the same few documents
 * over and over, and finding one in a Map costs a fraction of hashing it. Bounded by the bytes it
 * holds (two per character, plus each entry's own): beyond `maxBytes` the oldest go first, so
 * bodies a client makes up cost no more than hashing them would, and never more memory than that.
 */
export function rememberingOperationId(maxBytes = 4_000_000): (body: string) => string {
  const known = new Map<string, string>();
  // Bodies in the order they were kept, the oldest at `first`: a queue, since finding the oldest
  // by iterating the map would step over every entry deleted before it.
  let order: string[] = [];
  let first = 0;
  let held = 0;
  const size = (body: string) => 2 * body.length + ENTRY_OVERHEAD_BYTES;
  return (body) => {
    let id = known.get(body);
    if (id !== undefined) return id;
    id = operationId(body);
    if (body.length > MAX_REMEMBERED_BODY || size(body) > maxBytes) return id;
    while (held + size(body) > maxBytes) {
      const oldest = order[first++];
      known.delete(oldest);
      held -= size(oldest);
    }
    if (first > 1024 && first * 2 > order.length) {
      order = order.slice(first);
      first = 0;
    }
    known.set(body, id);
    order.push(body);
    held += size(body);
    return id;
  };
}

/**
 * Splits documents into one manifest entry per operation, each with exactly the fragments it
 * uses, printed canonically. Operation names must be unique.
 */
export function buildManifest(documents: readonly string[]): Manifest {
  const definitions: DefinitionNode[] = documents.flatMap((d) => parse(d).definitions);
  const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const operations: ManifestOperation[] = [];
  for (const op of definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
    if (!op.name) throw new Error('every persisted operation needs a name');
    if (operations.some((o) => o.name === op.name!.value)) throw new Error(`operation ${op.name.value} is defined twice`);
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const f = fragments.get(spread.name.value);
          if (!f) throw new Error(`unknown fragment ${spread.name.value} in ${op.name!.value}`);
          if (!used.has(f.name.value)) {
            used.set(f.name.value, f);
            collect(f);
          }
        },
      });
    collect(op);
    const body = print({ kind: Kind.DOCUMENT, definitions: [op, ...[...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value))] });
    operations.push({ id: operationId(body), name: op.name.value, type: op.operation, body });
  }
  return { format: 'apollo-persisted-query-manifest', version: 1, operations: operations.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Reads and checks a manifest file. */
export function readManifest(file: string): Manifest {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw new Error(`${file} is not an apollo-persisted-query-manifest version 1`);
  }
  for (const op of manifest.operations) {
    if (operationId(op.body) !== op.id) throw new Error(`${file}: the id of ${op.name} is not the SHA-256 of its body`);
  }
  return manifest;
}
