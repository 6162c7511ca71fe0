import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, parse } from 'graphql';
import { PORTED_FROM_GATEWAY, planExecutingGateway } from './plan-executor.js';

/**
 * The plan executor against @apollo/gateway's own, on one supergraph of two subgraphs run in
 * process: every operation below must give both the same data, errors (message, path,
 * extensions) and extensions, or the same thrown message. The subgraphs fail on purpose in
 * places (errors with and without codes, nulls in non-null fields, failing `@requires` fields).
 */

const PRODUCTS = [
  { id: '1', name: 'one', price: 10, weight: 2 },
  { id: '2', name: 'two', price: 20, weight: 4 },
  { id: '3', name: 'bad', price: 30, weight: 6 },
];
const GADGET = { id: 'g', name: 'gadget', __typename: 'Gadget' };
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires"])';
const SUBGRAPHS: { name: string; typeDefs: string; resolvers: Record<string, Record<string, unknown>> }[] = [
  {
    name: 'products',
    typeDefs: `${LINK}
      interface Item { id: ID! name: String }
      type Product implements Item @key(fields: "id") { id: ID! name: String price: Int weight: Int code: String! }
      type Gadget implements Item { id: ID! name: String }
      union Thing = Product | Gadget
      type Query { products: [Product] items: [Item!]! things: [Thing] product(id: ID!): Product! boom: String }
      type Mutation { rename(id: ID!, name: String!): Product }`,
    resolvers: {
      Query: {
        products: () => PRODUCTS,
        items: () => [...PRODUCTS, GADGET],
        things: () => [...PRODUCTS, GADGET],
        product: (_: unknown, { id }: { id: string }) => PRODUCTS.find((p) => p.id === id) ?? null,
        boom: () => {
          throw new GraphQLError('kaboom', { extensions: { code: 'CUSTOM_CODE' } });
        },
      },
      Mutation: { rename: (_: unknown, { id, name }: { id: string; name: string }) => ({ ...PRODUCTS.find((p) => p.id === id), name }) },
      Item: { __resolveType: (o: { __typename?: string }) => o.__typename ?? 'Product' },
      Thing: { __resolveType: (o: { __typename?: string }) => o.__typename ?? 'Product' },
      Product: {
        __resolveReference: (r: { id: string }) => PRODUCTS.find((p) => p.id === r.id),
        code: (p: { id: string }) => (p.id === '3' ? null : `c${p.id}`),
      },
    },
  },
  {
    name: 'inventory',
    typeDefs: `${LINK}
      type Product @key(fields: "id") { id: ID! price: Int @external weight: Int @external inStock: Boolean! shipping: Int @requires(fields: "price weight") note: String }`,
    resolvers: {
      Product: {
        __resolveReference: (r: unknown) => r,
        inStock: (p: { id: string }) => (p.id !== '2' ? true : null),
        shipping: (p: { id: string; price: number; weight: number }) => {
          if (p.id === '2') throw new Error('no shipping for 2');
          return p.price * p.weight;
        },
        note: (p: { id: string }) => {
          if (p.id === '1') throw new GraphQLError('note failed', { extensions: { code: 'NOTE_DOWN' } });
          return 'n';
        },
      },
    },
  },
];

const CASES: [string, string, Record<string, unknown>?, string?][] = [
  ['entity fetches with @requires, errors with and without codes', '{ products { id name inStock shipping note } }'],
  ['__typename, aliased and not, on an interface', '{ items { t: __typename __typename id ... on Product { price inStock } } }'],
  ['fragments on a union and an interface', '{ things { ... on Item { name } ... on Product { id shipping } ... on Gadget { id } } }'],
  ['a null in a non-null field', '{ product(id: "3") { id code } }'],
  ['a null root that may not be null', '{ product(id: "9") { id } }'],
  ['a subgraph error with its own code', '{ boom products { id } }'],
  ['@skip and @include with a default', 'query Q($s: Boolean = true, $i: Boolean!) { products { id name @skip(if: $s) inStock @include(if: $i) } }', { i: false }, 'Q'],
  ['variables of the wrong type', 'query Q($i: Boolean!, $n: Int) { products { id @include(if: $i) } }', { n: 'x' }, 'Q'],
  ['introspection beside data', '{ __typename __type(name: "Product") { name fields { name } } products { id } s: __schema { queryType { name } } }'],
  ['two operations and no name', 'query A { boom } query B { products { id } }'],
  ['two operations, one named', 'query A { boom } query B { products { id } }', {}, 'B'],
  ['an unknown operation name', 'query A { boom }', {}, 'Z'],
  ['a condition in the plan, true', 'query Q($i: Boolean!) { products { id inStock @include(if: $i) shipping @skip(if: $i) } }', { i: true }, 'Q'],
  ['a condition in the plan, false', 'query Q($i: Boolean!) { products { id inStock @include(if: $i) shipping @skip(if: $i) } }', { i: false }, 'Q'],
  ['a mutation followed by entity fetches', 'mutation { rename(id: "1", name: "uno") { id name inStock shipping } }'],
  ['named fragments with directives', 'query Q($i: Boolean!) { products { ...P @include(if: $i) ...P } } fragment P on Product { id code note }', { i: true }, 'Q'],
  ['the same field twice with different selections', '{ products { id } products { name inStock } p: product(id: "2") { id } p: product(id: "2") { shipping } }'],
];

const logger = { debug() {}, info() {}, warn() {}, error() {} };

function requestContext(query: string, variables?: Record<string, unknown>, operationName?: string): GatewayGraphQLRequestContext {
  return {
    request: { query, variables, operationName },
    document: parse(query),
    source: query,
    queryHash: createHash('sha256').update(query).digest('hex'),
    operationName: operationName ?? null,
    context: {},
    logger,
    metrics: {},
    cache: undefined,
    overallCachePolicy: undefined,
  } as unknown as GatewayGraphQLRequestContext;
}

async function outcome(executor: GatewayExecutor, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<string> {
  try {
    const result = await executor(requestContext(query, variables, operationName));
    return JSON.stringify({
      data: result.data,
      errors: result.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })),
      extensions: result.extensions,
    });
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

function startGateway() {
  const composed = composeServices(SUBGRAPHS.map(({ name, typeDefs }) => ({ name, url: `http://${name}`, typeDefs: parse(typeDefs) })));
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    logger,
    buildService: ({ name }) => {
      const s = SUBGRAPHS.find((g) => g.name === name)!;
      return new LocalGraphQLDataSource(buildSubgraphSchema([{ typeDefs: parse(s.typeDefs), resolvers: s.resolvers as never }]));
    },
  });
}

describe('the plan executor', () => {
  let stock: GatewayExecutor;
  let ours: GatewayExecutor;
  let tiny: GatewayExecutor;
  beforeAll(async () => {
    const gateway = startGateway();
    const load = { apollo: { graphVariant: 'current' } } as Parameters<ReturnType<typeof planExecutingGateway>['load']>[0];
    ours = (await planExecutingGateway(gateway).load(load)).executor!;
    stock = gateway.executor;
    // Room for no prepared plan at all: every request plans again.
    tiny = (await planExecutingGateway(startGateway(), 1).load(load)).executor!;
  });

  // Rows as objects: Jest reads a test function with more parameters than its row as one taking `done`.
  const rows = CASES.map(([name, query, variables, operationName]) => ({ name, query, variables, operationName }));
  it.each(rows)('$name: the same answer as @apollo/gateway, planned and then from its cache', async ({ query, variables, operationName }) => {
    const expected = await outcome(stock, query, variables, operationName);
    expect(await outcome(ours, query, variables, operationName)).toBe(expected);
    expect(await outcome(ours, query, variables, operationName)).toBe(expected);
    expect(await outcome(tiny, query, variables, operationName)).toBe(expected);
  });

  it('a variable sent as null where the gateway needs a value is the client’s mistake (BAD_USER_INPUT), not an internal error as in @apollo/gateway', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['query Q($s: Boolean = true) { products { id inStock @include(if: $s) } }', { s: null }],
      ['query Q($s: Boolean = true) { products { id name @include(if: $s) } }', { s: null }],
      ['query Q($s: Boolean = false) { boom @skip(if: $s) products { id } }', { s: null }],
      ['query Q($n: String = "Product") { __type(name: $n) { name } }', { n: null }],
    ];
    // The library fails on an assertion for some (an internal error) and asks the subgraph for others.
    const stockOutcomes = await Promise.all(cases.map(([query, variables]) => outcome(stock, query, variables, 'Q')));
    expect(stockOutcomes.filter((o) => o.startsWith('threw')).length).toBeGreaterThan(0);
    for (const [query, variables] of cases) {
      const answer = JSON.parse(await outcome(ours, query, variables, 'Q')) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toEqual([{ message: expect.stringMatching(/^Variable "\$[sn]" must not be null/), extensions: { code: 'BAD_USER_INPUT' } }]);
      // The default still applies when the variable is left out.
      expect(await outcome(ours, query, {}, 'Q')).toBe(await outcome(stock, query, {}, 'Q'));
    }
  });

  it('the cases reach subgraph errors, null propagation and thrown errors', async () => {
    const all = await Promise.all(CASES.map(([, q, v, o]) => outcome(stock, q, v, o)));
    expect(all.filter((o) => o.includes('"path":["products",')).length).toBeGreaterThan(0);
    expect(all.some((o) => o.includes('Cannot return null for non-nullable'))).toBe(true);
    expect(all.some((o) => o.startsWith('threw '))).toBe(true);
  });

  it(`follows the @apollo/gateway release it was checked against (${PORTED_FROM_GATEWAY}): an upgrade must re-check execute-plan.ts and shape-result.ts`, () => {
    const require = createRequire(import.meta.url);
    expect((require('@apollo/gateway/package.json') as { version: string }).version).toBe(PORTED_FROM_GATEWAY);
  });
});
