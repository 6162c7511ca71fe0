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
