import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { DemoStack } from '../demo/demo-stack.js';
import { gql, startTestStack } from './helpers.js';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack({ agencies: 10, buildingsPerAgency: 3, assetsPerAgency: 20, years: [2025] }, ['310000']);
});
afterAll(() => stack?.stop());

async function statementsFor(first: number): Promise<number> {
  const db = stack.databases.get('310000')!;
  const before = db.statements();
  const result = await gql(
    stack.gateway.url,
    `{ assets(filter: { province: "310000" }, first: ${first}) { edges { node { id building { id name agency { id name } } agency { id name buildings { id } } } } } }`,
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!.assets.edges).toHaveLength(first);
  return db.statements() - before;
}

it('100 assets with their buildings and agencies cost a constant number of SQL statements', async () => {
  const few = await statementsFor(5);
  const many = await statementsFor(100);
  // page + buildings + agencies + buildings-by-agency (+ the agencies of those buildings)
  expect(many).toBeLessThanOrEqual(5);
  expect(many).toBe(few);
});
