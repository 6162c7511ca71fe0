import { LocalGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { requireAccess } from '../../common/auth/subgraph-auth.js';
import type { Principal } from '../../common/auth/principal.js';
import { pageSize } from '../../common/pagination.js';
import { readSubgraphSdl } from '../../common/subgraphs.js';
import type { AuditQuery, AuditStore } from './event.js';

/** The audit subgraph, served in the gateway process; it checks the caller's role itself too. */
export function auditDataSource(store: AuditStore): LocalGraphQLDataSource {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSubgraphSdl('audit')),
    resolvers: {
      Query: {
        auditEvents: async (_: unknown, args: { filter?: Omit<AuditQuery, 'first' | 'after'>; first?: number; after?: string }, context: unknown) => {
          requireAccess((context as { principal: Principal }).principal, 'audit');
          const { events, hasNextPage } = await store.list({ ...(args.filter ?? {}), first: pageSize(args.first), after: args.after });
          return { nodes: events, endCursor: events.at(-1)?.id ?? null, hasNextPage };
        },
      },
    },
  });
  return new LocalGraphQLDataSource(schema);
}
