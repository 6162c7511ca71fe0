/**
 * W1: a port of The Guild's federation gateway benchmark (graphql-hive/graphql-gateways-benchmark,
 * `federation/`): its four subgraphs (accounts, inventory, products, reviews) with the same data,
 * rewritten in TypeScript on @apollo/subgraph, so our figures sit beside the published ones.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@provides", "@requires"])';

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
const USERS: User[] = [
  ['1', 'Uri Goldshtein', 'urigo'],
  ['2', 'Dotan Simha', 'dotansimha'],
  ['3', 'Kamil Kisiela', 'kamilkisiela'],
  ['4', 'Arda Tanrikulu', 'ardatan'],
  ['5', 'Gil Gardosh', 'gilgardosh'],
  ['6', 'Laurin Quast', 'laurin'],
].map(([id, name, username]) => ({ id, name, username, birthday: 1234567890 }));

const PRODUCTS = [
  ['1', 'Table', 899, 100, true],
  ['2', 'Couch', 1299, 1000, false],
  ['3', 'Glass', 15, 20, false],
  ['4', 'Chair', 499, 100, false],
  ['5', 'TV', 1299, 1000, true],
  ['6', 'Lamp', 6999, 300, true],
  ['7', 'Grill', 3999, 2000, true],
  ['8', 'Fridge', 100000, 6000, false],
  ['9', 'Sofa', 9999, 800, true],
].map(([upc, name, price, weight, inStock]) => ({ upc: upc as string, name: name as string, price: price as number, weight: weight as number, inStock: inStock as boolean }));

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
const SED =
  'Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi';
const QUIA =
  'sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.';
const MINIMA = 'Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut aliquid ex ea commodi consequatur? Quis autem';
const VERO =
  'At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut perferendis doloribus asperiores repellat.';
const REVIEWS = (
  [
    ['1', LOREM, '1'],
    ['2', SED, '1'],
    ['3', QUIA, '1'],
    ['4', MINIMA, '1'],
    ['5', LOREM, '2'],
    ['6', SED, '2'],
    ['7', QUIA, '2'],
    ['8', MINIMA, '2'],
    ['9', MINIMA, '3'],
    ['10', MINIMA, '4'],
    ['11', VERO, '4'],
  ] as const
).map(([id, body, upc]) => ({ id, body, product: { upc } }));

type Reference = Record<string, string>;

/** The four subgraphs: name, SDL and resolvers. */
export const W1_SUBGRAPHS = {
  accounts: {
    typeDefs: `${FEDERATION}
      type Query { me: User, user(id: ID!): User, users: [User] }
      type User @key(fields: "id") { id: ID!, name: String, username: String @shareable, birthday: Int }`,
    resolvers: {
      Query: { me: () => USERS[0], user: (_: unknown, a: { id: string }) => USERS.find((u) => u.id === a.id), users: () => USERS },
      User: { __resolveReference: (ref: Reference) => USERS.find((u) => u.id === ref.id) },
    },
  },
  products: {
    typeDefs: `${FEDERATION}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String!, name: String, price: Int, weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, a: { first: number }) => PRODUCTS.slice(0, a.first) },
      Product: { __resolveReference: (ref: Reference) => PRODUCTS.find((p) => p.upc === ref.upc) },
    },
  },
  inventory: {
    typeDefs: `${FEDERATION}
      type Product @key(fields: "upc") { upc: String!, weight: Int @external, price: Int @external, inStock: Boolean, shippingEstimate: Int @requires(fields: "price weight") }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: PRODUCTS.find((p) => p.upc === ref.upc)?.inStock }),
        shippingEstimate: (p: { price?: number; weight?: number }) =>
          p.price === undefined ? null : p.price > 1000 ? 0 : p.weight === undefined ? null : Math.trunc(p.weight / 2),
      },
    },
  },
  reviews: {
    typeDefs: `${FEDERATION}
      type Review @key(fields: "id") { id: ID!, body: String, product: Product, author: User @provides(fields: "username") }
      type User @key(fields: "id") { id: ID!, username: String @external, reviews: [Review] }
      type Product @key(fields: "upc") { upc: String!, reviews: [Review] }`,
    resolvers: {
      Review: {
        __resolveReference: (ref: Reference) => REVIEWS.find((r) => r.id === ref.id),
        // As in the original: every review's author is user 1, whose reviews are the first two.
        author: () => ({ id: '1', username: 'urigo', reviews: REVIEWS.slice(0, 2) }),
      },
      User: { __resolveReference: (ref: Reference) => ({ id: ref.id, username: 'user', reviews: REVIEWS.slice(0, 2) }) },
      Product: { __resolveReference: (ref: Reference) => ({ upc: ref.upc }), reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.product.upc === p.upc) },
    },
  },
} as const;

/** The benchmark's query, as published. */
export const W1_QUERY = `
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`;

/** Starts the four subgraphs on ephemeral ports; returns their URLs and a stop function. */
export async function startW1Subgraphs(): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const servers: ApolloServer[] = [];
  const urls: Record<string, string> = {};
  for (const [name, { typeDefs, resolvers }] of Object.entries(W1_SUBGRAPHS)) {
    const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers: resolvers as never }) });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    servers.push(server);
    urls[name] = url;
  }
  return { urls, stop: async () => void (await Promise.all(servers.map((s) => s.stop()))) };
}
