import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_PATH } from '../../common/subgraphs.js';
import { readShardRules } from '../shard/rules.js';
import { RegionMembership } from '../../common/regions/membership.js';
import { ProvinceRegistry } from '../shard/registry.js';
import { directoryLists, registryFanOut, requestCost, type FanOut } from './fan-out-cost.js';

const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));
// Nine provinces in three regions, the largest of four; a region scope selects 4, a province 1.
const fanOut: FanOut = {
  scope: (s) => (!s ? 9 : (s as { region?: string }).region ? 4 : 1),
  largestRegion: () => 4,
  regions: () => 3,
  provinces: () => 9,
  // The directory answers more than is registered: 33 divisions, 3 regions of at most 4 members, a province in at most 2 regions.
  listed: () => ({ provinces: 33, regions: 3, regionProvinces: 4, provinceRegions: 2 }),
};
const scans = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return requestCost({ rules, fanOut, document, operation, variables });
};

describe('requestCost: province aggregate scans', () => {
  it.each([
    ['one national aggregate', '{ assetSummary { assetCount } }', 9],
    ['a region-scoped aggregate', '{ vehicleSummary(scope: { region: "YRD" }) { vehicleCount } }', 4],
    ['a province-scoped aggregate, scope in a variable', 'query($s: ScopeInput) { assetSummary(scope: $s) { assetCount } }', 1],
    ['thirty aliases of a national aggregate', `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: assetSummary { assetCount }`).join(' ')} }`, 270],
    [
      'the region dashboard: the region figure and each province of the directory list',
      '{ region(code: "YRD") { energySummary(year: 2025) { totalKgce } provinces { energySummary(year: 2025) { totalKgce } } } }',
      4 + 4,
    ],
    // An upper bound: each of the 9 provinces pages 100 rows before the gateway keeps 100.
    ['a page of assets each asking for its province figure', '{ assets(first: 100) { edges { node { province { assetSummary { assetCount } } } } } }', 900],
    [
      'aggregates behind named and inline fragments',
      '{ ...F ... on Query { c: assetSummary { assetCount } } } fragment F on Query { a: assetSummary { assetCount } b: assetSummary { assetCount } }',
      27,
    ],
    ['rows only', '{ assets(first: 100) { totalCount edges { node { id agency { name } } } } }', 0],
    // A breakdown groups with more distinct counts: twice a summary's scan in each province.
    ['a national breakdown', '{ assetBreakdown(by: [STATUS]) { groups { assetCount } } }', 2 * 9],
    [
      'a region breakdown, aliased 29 times',
      `{ ${Array.from({ length: 29 }, (_, i) => `b${i}: assetBreakdown(scope: { region: "YRD" }) { groups { assetCount } }`).join(' ')} }`,
      29 * 2 * 4,
    ],
  ])('%s', (_name, query, expected) => {
    expect(scans(query, { s: { province: '320000' } }).provinceScans).toBe(expected);
  });
});

describe('requestCost: province rows', () => {
  it.each([
    ['a national page of 20', '{ assets(first: 20) { edges { node { id } } } }', {}, 20 * 9],
    ['the page size in a variable counts like a literal', 'query($n: Int) { assets(first: $n) { edges { node { id } } } }', { n: 100 }, 100 * 9],
    [
      "a region page with each row's agency and building",
      '{ assets(filter: { region: "YRD" }, first: 10) { edges { node { agency { name } building { name } } } } }',
      {},
      10 * 4 + 2 * 40,
    ],
    ["a lookup with the agency's buildings", '{ agency(id: "320000:AG-0000001") { buildings { name agency { name } } } }', {}, 1 + 10 + 10],
    [
      'thirty aliased pages through agencies and their buildings',
      `query($n: Int) { ${Array.from({ length: 30 }, (_, i) => `a${i}: assets(first: $n) { edges { node { agency { buildings { agency { name } } } } } }`).join(' ')} }`,
      { n: 100 },
      30 * (900 + 900 + 9000 + 9000),
    ],
    ['aggregates and the directory only', '{ regions { name provinces { name } } assetSummary { assetCount } }', {}, 0],
  ])('%s', (_name, query, variables, expected) => {
    expect(scans(query, variables).rows).toBe(expected);
  });
});

describe('requestCost: objects in the answer', () => {
  it.each([
    // The directory's lists at what they answer (the test's fan-out): 33 divisions, a province's
    // regions at 2, a region's provinces at 4.
    ['the directory, three levels', '{ provinces { regions { provinces { code } } } }', 33 + 33 * 2 + 33 * 2 * 4],
    ['a summary is one object, whatever it scans', '{ assetSummary { assetCount } r: regions { energySummary(year: 2025) { totalKgce } } }', 1 + 3 + 3],
    ['a page: its rows, then each edge and node', '{ assets(first: 20) { edges { node { id } } } }', 180 + 180 + 180],
    [
      'twenty aliases of a ten-level provinces → regions chain',
      `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: provinces { ${'regions { provinces { '.repeat(4)}code${' } }'.repeat(4)} }`).join(' ')} }`,
      // Level k (0 to 8) holds 33 × 2^ceil(k/2) × 4^floor(k/2) objects.
      20 * [0, 1, 2, 3, 4, 5, 6, 7, 8].reduce((n, k) => n + 33 * 2 ** Math.ceil(k / 2) * 4 ** Math.floor(k / 2), 0),
    ],
  ])('%s', (_name, query, expected) => {
    expect(scans(query).objects).toBe(expected);
  });
});

describe('registryFanOut: the directory lists as the cost model counts them', () => {
  it('counts every division and every configured region, however few provinces are registered', () => {
    const registry = new ProvinceRegistry([{ code: '310000', url: 'http://127.0.0.1:1/graphql' }]);
    const regions = RegionMembership.of([
      { code: 'YRD', provinceCodes: ['310000', '320000'] },
      { code: 'CY', provinceCodes: ['500000', '510000'] },
    ]);
    const live = registryFanOut(registry, () => regions);
    // The directory answers `provinces` with all 33 divisions of GB/T 2260 and `regions` with both
    // configured regions, though only 上海 is registered (and CY has no registered province): those
    // are the objects of an answer; only the registered reach a province's data.
    expect(live.listed()).toEqual({ provinces: 33, regions: 2, regionProvinces: 2, provinceRegions: 1 });
    expect([live.provinces(), live.regions()]).toEqual([1, 1]);
    expect([live.scope(undefined), live.largestRegion()]).toEqual([1, 1]);
  });

  it('sizes a region and a province by their largest lists, and counts large before the regions are known', () => {
    const regions = RegionMembership.of([
      { code: 'YRD', provinceCodes: ['310000', '320000', '330000', '340000'] },
      { code: 'YRB', provinceCodes: ['320000', '370000'] },
    ]);
    // 江苏 is in both regions.
    expect(directoryLists(regions, 0)).toEqual({ provinces: 33, regions: 2, regionProvinces: 4, provinceRegions: 2 });
    expect(directoryLists(RegionMembership.EMPTY, 9)).toEqual({ provinces: 33, regions: 10, regionProvinces: 33, provinceRegions: 10 });
  });
});

describe('requestCost: a directory list answers every division, but only registered provinces are scanned', () => {
  it('counts 33 objects for the list and a scan for each of the 9 registered provinces', () => {
    const demo = fanOut;
    const document = parse('{ provinces { code energySummary(year: 2025) { totalKgce } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    // 33 provinces and one summary object each; scans only where a province is registered.
    expect(requestCost({ rules, fanOut: demo, document, operation, variables: {} })).toEqual({ provinceScans: 9, rows: 0, objects: 33 + 33 });
  });
});
