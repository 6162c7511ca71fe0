import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_PATH } from '../../common/subgraphs.js';
import { readShardRules } from '../shard/rules.js';
import { provinceScans, type FanOut } from './fan-out-cost.js';

const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));
// Nine provinces in three regions, the largest of four; a region scope selects 4, a province 1.
const fanOut: FanOut = {
  scope: (s) => (!s ? 9 : (s as { region?: string }).region ? 4 : 1),
  largestRegion: () => 4,
  regions: () => 3,
  provinces: () => 9,
};
const scans = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return provinceScans({ rules, fanOut, document, operation, variables });
};

describe('provinceScans', () => {
  it.each([
    ['one national aggregate', '{ assetSummary { assetCount } }', 9],
    ['a region-scoped aggregate', '{ vehicleSummary(scope: { region: "YRD" }) { vehicleCount } }', 4],
    ['a province-scoped aggregate, scope in a variable', 'query($s: ScopeInput) { assetSummary(scope: $s) { assetCount } }', 1],
    ['thirty aliases of a national aggregate', `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: assetSummary { assetCount }`).join(' ')} }`, 270],
    ['the region dashboard: the region figure and each province of the directory list', '{ region(code: "YRD") { energySummary(year: 2025) { totalKgce } provinces { energySummary(year: 2025) { totalKgce } } } }', 4 + 9],
    ['a page of assets each asking for its province figure', '{ assets(first: 100) { edges { node { province { assetSummary { assetCount } } } } } }', 100],
    ['aggregates behind named and inline fragments', '{ ...F ... on Query { c: assetSummary { assetCount } } } fragment F on Query { a: assetSummary { assetCount } b: assetSummary { assetCount } }', 27],
    ['rows only', '{ assets(first: 100) { totalCount edges { node { id agency { name } } } } }', 0],
  ])('%s', (_name, query, expected) => {
    expect(scans(query, { s: { province: '320000' } })).toBe(expected);
  });
});
