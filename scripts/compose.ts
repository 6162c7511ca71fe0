/**
 * Composes the supergraph from schema/*.graphql with @apollo/composition and writes
 * schema/supergraph.graphql. The province subgraph gets a `shard://province` URL: the gateway
 * routes it through the shard router instead of one URL.
 */
import { writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { Kind, parse, print, visit, type ConstDirectiveNode, type StringValueNode } from 'graphql';
import { POLICY } from '../common/auth/policy.js';
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
  return documentSurface(result.supergraphSdl);
}

/** What the root type says in the explorer's docs: the whole surface, not the first subgraph's part of it. */
export const ROOT_DESCRIPTION = `Xietong (协同): one GraphQL surface over every province's agency-affairs data.
- The directory: cooperation regions, provinces (GB/T 2260) and the national standards.
- Each province's data, routed to the provinces in scope and merged exactly: agencies, office
  buildings, assets and the 公物仓 pool, official vehicles, energy use and operating costs, as
  paged lists, summaries and breakdowns (grouped, with small groups withheld from roles that
  may not read their rows).
- The sharing workflows: 公物仓 transfers and the cross-region vehicle platform.
- The audit trail.
A field with an access class ends its description with it and the roles that hold it; the
fields under it follow it. Any query's answer downloads as CSV or XLSX by its persisted id:
/export/<id>.csv or .xlsx.`;

/**
 * The supergraph as the explorer documents it: the root type described as the whole surface,
 * and each field with an access class (`@access`) saying so and naming the roles that hold it
 * (common/auth/policy.ts), so a reader of the docs knows what a token of their role will get.
 */
export function documentSurface(supergraphSdl: string): string {
  const rolesWith = (cls: string) =>
    Object.entries(POLICY)
      .filter(([, p]) => (p.classes as readonly string[]).includes(cls))
      .map(([role]) => role);
  const describe = (text: string): StringValueNode => ({ kind: Kind.STRING, value: text, block: true });
  const document = visit(parse(supergraphSdl), {
    ObjectTypeDefinition(node) {
      return node.name.value === 'Query' ? { ...node, description: describe(ROOT_DESCRIPTION) } : undefined;
    },
    FieldDefinition(node) {
      const access = node.directives?.find((d: ConstDirectiveNode) => d.name.value === 'access');
      const cls = access?.arguments?.find((a) => a.name.value === 'class')?.value;
      if (cls?.kind !== Kind.STRING) return undefined;
      const roles = rolesWith(cls.value);
      const line = `Access: \`${cls.value}\` (${roles.length ? roles.join(', ') : 'the gateway itself only'}).`;
      return { ...node, description: describe(node.description ? `${node.description.value}\n\n${line}` : line) };
    },
  });
  return print(document);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
