import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse, type FieldNode, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { encodeCursor } from '../../common/cursor.js';
import { SUPERGRAPH_PATH } from '../../common/subgraphs.js';
import { analyseFetch } from './fetch-document.js';
import { emptyValue, mergeValues } from './merge.js';
import { readShardRules } from './rules.js';

const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));
const query = rules.schema.getQueryType() as GraphQLObjectType;
const field = (doc: string): FieldNode => (analyseFetch(doc, rules).operation as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;

describe('merging province answers', () => {
  it('merges connection pages in cursor order and keeps exactly `first`', () => {
    const f = field('{ assets(orderBy: ORIGINAL_VALUE_DESC, first: 3) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }');
    const page = (rows: [number, string][], hasNext: boolean) => {
      const cursors = rows.map(([v, id]) => encodeCursor({ order: 'ORIGINAL_VALUE_DESC', direction: 'DESC', value: v, id }));
      return {
        totalCount: rows.length + (hasNext ? 10 : 0),
        edges: rows.map(([, id]) => ({ node: { id } })),
        pageInfo: { hasNextPage: hasNext, endCursor: cursors.at(-1) },
        __xt_edges: cursors.map((cursor) => ({ cursor })),
        __xt_pageInfo: { hasNextPage: hasNext, hasPreviousPage: false },
      };
    };
    const merged = mergeValues(
      rules,
      query,
      'assets',
      query.getFields().assets.type,
      f.selectionSet,
      [
        page(
          [
            [90, 'A:1'],
            [50, 'A:2'],
          ],
          false,
        ),
        page(
          [
            [70, 'B:1'],
            [50, 'B:0'],
          ],
          true,
        ),
      ],
      3,
    ) as any;
    expect(merged.edges.map((e: any) => e.node.id)).toEqual(['A:1', 'B:1', 'B:0']);
    expect(merged.totalCount).toBe(14);
    expect(merged.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    ['ORIGINAL_VALUE_DESC', 'DESC', (i: number) => (i * 7919) % 23],
    ['NAME_ASC', 'ASC', (i: number) => ['甲', 'b', 'B', 'a', '乙', 'ab'][(i * 31) % 6]],
  ] as const)('k-way merges generated pages (%s) as a full sort of their union would', (order, direction, valueOf) => {
    // Pages as provinces answer them: each sorted by (value, id) in the order's direction.
    const sign = direction === 'DESC' ? -1 : 1;
    const cmp = (a: [string | number, string], b: [string | number, string]) => sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    const f = field(`{ assets(orderBy: ${order}, first: 7) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`);
    for (let seed = 1; seed <= 40; seed++) {
      // Ids are unique (as they are across provinces); values repeat, within and across pages.
      const rowsOf = Array.from({ length: (seed % 5) + 1 }, (_, p) =>
        Array.from({ length: (seed * (p + 3)) % 8 }, (_, r): [string | number, string] => [
          valueOf(seed * 13 + p * 5 + r),
          `${String.fromCharCode(97 + ((seed + r * 5) % 26))}${p}${r}`,
        ]).sort(cmp),
      );
      const pages = rowsOf.map((rows) => {
        const cursors = rows.map(([value, id]) => encodeCursor({ order, direction, value, id }));
        return {
          edges: rows.map(([, id]) => ({ node: { id } })),
          pageInfo: { hasNextPage: false, endCursor: cursors.at(-1) ?? null },
          __xt_edges: cursors.map((cursor) => ({ cursor })),
          __xt_pageInfo: { hasNextPage: false, hasPreviousPage: false },
        };
      });
      // The reference: a stable full sort of the union by (value, id).
      const union = rowsOf.flat();
      const expected = [...union]
        .sort(cmp)
        .slice(0, 7)
        .map(([, id]) => id);
      const merged = mergeValues(rules, query, 'assets', query.getFields().assets.type, f.selectionSet, pages, 7) as any;
      expect([seed, merged.edges.map((e: any) => e.node.id)]).toEqual([seed, expected]);
      expect([seed, merged.pageInfo.hasNextPage]).toEqual([seed, union.length > 7]);
    }
  });

  it('adds sums exactly and divides merged parts for ratios', () => {
    const f = field('{ energySummary(year: 2025) { totalKgce energyUsingPeople kgcePerCapita } }');
    const parts = (kgce: number, people: number) => ({
      totalKgce: kgce,
      energyUsingPeople: people,
      kgcePerCapita: kgce / people,
      __xt_totalKgce: kgce,
      __xt_energyUsingPeople: people,
    });
    const merged = mergeValues(rules, query, 'energySummary', query.getFields().energySummary.type, f.selectionSet, [parts(0.1, 1), parts(0.2, 3)]) as any;
    expect(merged.totalKgce).toBe(0.3);
    expect(merged.kgcePerCapita).toBe(0.3 / 4);
  });

  it('answers an empty page when no province was asked', () => {
    const op = parse('{ vehicles { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }').definitions[0] as OperationDefinitionNode;
    const f = op.selectionSet.selections[0] as FieldNode;
    expect(emptyValue(rules, query, 'vehicles', f.selectionSet, false)).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    expect(emptyValue(rules, query, 'energySummary', f.selectionSet, false)).toBeNull();
  });
});
