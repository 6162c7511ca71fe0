import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { buildSchema, type ValidationRule } from 'graphql';
import type { Principal } from '../../common/auth/principal.js';
import { validationCostPlugin, type SpentBudget } from './validation-cost.js';

interface Context {
  principal: Principal;
  clientAddress: string;
}
const schema = buildSchema('type Query { a: Int b: Int }');
const ALICE: Principal = { role: 'ANALYST', sub: 'alice' };

/** A server whose validation takes `ms(document)` on a clock the plugin reads, and the points it spent. */
async function serverTaking(ms: (source: string) => number) {
  let clock = 0;
  const spent: [string | undefined, string, number][] = [];
  const budget: SpentBudget = { spend: async (principal, address, points) => void spent.push([principal?.sub ?? undefined, address, points]) };
  const slowRule: ValidationRule = (context) => {
    clock += ms(context.getDocument().loc?.source.body ?? '');
    return {};
  };
  const server = new ApolloServer<Context>({ schema, validationRules: [slowRule], plugins: [validationCostPlugin<Context>({ budget, now: () => clock })] });
  await server.start();
  const ask = async (query: string) => {
    const response = await server.executeOperation({ query }, { contextValue: { principal: ALICE, clientAddress: '10.0.0.7' } });
    // Apollo Server does not wait for end hooks; the fake budget records at once.
    await new Promise((resolve) => setImmediate(resolve));
    return response;
  };
  return { ask, spent, stop: () => server.stop() };
}

describe('validationCostPlugin', () => {
  it.each([
    [0, []],
    [50, []],
    [54.9, []],
    [55, [['alice', '10.0.0.7', 1]]],
    [62, [['alice', '10.0.0.7', 2]]],
    [300, [['alice', '10.0.0.7', 50]]],
  ])('a validation of %s ms spends floor((ms - 50) / 5) points of the caller', async (ms, expected) => {
    const server = await serverTaking(() => ms);
    try {
      await server.ask('{ a }');
      expect(server.spent).toEqual(expected);
    } finally {
      await server.stop();
    }
  });

  it('a document the store already validated is not validated, nor charged, again; a refused one is, each time', async () => {
    const server = await serverTaking(() => 70);
    try {
      await server.ask('{ a }');
      await server.ask('{ a }');
      expect(server.spent).toEqual([['alice', '10.0.0.7', 4]]);
      const refused = await server.ask('{ nope }');
      await server.ask('{ nope }');
      expect(refused.body.kind === 'single' && refused.body.singleResult.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(server.spent).toEqual([
        ['alice', '10.0.0.7', 4],
        ['alice', '10.0.0.7', 4],
        ['alice', '10.0.0.7', 4],
      ]);
    } finally {
      await server.stop();
    }
  });
});
