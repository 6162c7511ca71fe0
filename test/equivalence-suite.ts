import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, MIXED_TOPOLOGY, startCombinedReference, startMixedStack, startTestStack, type Auth } from './helpers.js';
import {
  assetBreakdownOracle,
  byKey,
  energyBreakdownOracle,
  officeSpaceBreakdownOracle,
  operatingCostBreakdownOracle,
  subsets,
  vehicleBreakdownOracle,
} from './breakdown-oracle.js';

/** kgce (thousandths) per person, rounded half up to 4 places as the contract publishes ratios, computed on integers. */
function ratio4(kgce: number, people: number): number {
  const milli = BigInt(Math.round(kgce * 1000));
  const d = 1000n * BigInt(people);
  return Number((2n * milli * 10_000n + d) / (2n * d)) / 10_000;
}

// The gateway over nine province instances (each its own database, three with local layouts
// and units) must answer exactly as one database holding all nine, page by page.
/**
 * The equivalence suite, run by equivalence-sqlite.test.ts (every province on SQLite) and
 * equivalence-mixed.test.ts (provinces spread over PostgreSQL, MariaDB and SQLite, so one
 * query fans out over all three products).
 */
export function equivalenceSuite(topology: 'sqlite' | 'mixed') {
  let stack: DemoStack;
  let reference: Awaited<ReturnType<typeof startCombinedReference>>;

  beforeAll(async () => {
    // Both finish starting before a failure is reported, so afterAll stops whichever started.
    const [s, r] = await Promise.allSettled([topology === 'mixed' ? startMixedStack(TEST_SCALE) : startTestStack(TEST_SCALE), startCombinedReference(TEST_SCALE)]);
    if (s.status === 'fulfilled') stack = s.value;
    if (r.status === 'fulfilled') reference = r.value;
    if (s.status === 'rejected') throw s.reason;
    if (r.status === 'rejected') throw r.reason;
  });
  afterAll(async () => {
    await stack?.stop();
    await reference?.stop();
  });

  const LISTS: { field: string; orders: string[]; node: string; filter?: string; first?: number }[] = [
    { field: 'agencies', orders: ['ID_ASC', 'ESTABLISHED_STAFF_DESC'], node: 'id name creditCode level establishedStaff actualStaff' },
    {
      field: 'buildings',
      orders: ['ID_ASC', 'CONSTRUCTION_AREA_DESC'],
      node: 'id name constructionArea officeRoomUsableArea officeAreaPerCapita exceedsStandard standardConstructionArea',
    },
    {
      field: 'assets',
      orders: ['ID_ASC', 'ORIGINAL_VALUE_DESC', 'ORIGINAL_VALUE_ASC', 'NET_VALUE_DESC', 'ACQUIRED_ON_DESC'],
      node: 'id name categoryCode originalValue netValue status offeredToPool acquiredOn',
      first: 40,
    },
    { field: 'assets', orders: ['ORIGINAL_VALUE_DESC'], node: 'id originalValue', filter: 'status: IDLE' },
    { field: 'vehicles', orders: ['ID_ASC', 'PRICE_DESC', 'PURCHASED_ON_DESC'], node: 'id plateNumber category energyType priceYuan displacementL status' },
    { field: 'energyReports', orders: ['ID_ASC', 'TOTAL_KGCE_DESC'], node: 'id year electricityKwh heatMj waterM3 totalKgce kgcePerCapita kgcePerArea' },
    { field: 'operatingCosts', orders: ['ID_ASC', 'TOTAL_DESC'], node: 'id year salaries utilities total' },
  ];
  const SCOPES = ['', 'region: "YRD"', 'province: "320000"', 'provinces: ["330000", "510000"]', 'region: "JJJ"'];

  async function pageThrough(url: string, field: string, order: string, node: string, filter: string, first = 7, auth?: Auth) {
    const pages: unknown[] = [];
    let after: string | null = null;
    for (let i = 0; i < 200; i++) {
      const result = await gql(
        url,
        `query($after: String) { ${field}(filter: { ${filter} }, orderBy: ${order}, first: ${first}, after: $after) {
        totalCount edges { cursor node { ${node} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        { after },
        auth,
      );
      expect(result.errors).toBeUndefined();
      const page = result.data![field];
      pages.push(page);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return pages;
  }

  describe('sharded lists equal one database holding every province', () => {
    for (const list of LISTS) {
      for (const order of list.orders) {
        for (const scope of SCOPES) {
          const filter = [scope, list.filter].filter(Boolean).join(', ');
          it(`${list.field} ${order} { ${filter} }`, async () => {
            const [viaGateway, viaReference] = await Promise.all([
              pageThrough(stack.gateway.url, list.field, order, list.node, filter, list.first),
              pageThrough(reference.url, list.field, order, list.node, filter, list.first, reference.auth),
            ]);
            expect(viaGateway.length).toBeGreaterThan(0);
            expect(viaGateway).toEqual(viaReference);
          });
        }
      }
    }

    it('pages cover every row exactly once', async () => {
      const pages = (await pageThrough(stack.gateway.url, 'assets', 'ORIGINAL_VALUE_DESC', 'id', '')) as { totalCount: number; edges: { node: { id: string } }[] }[];
      const ids = pages.flatMap((p) => p.edges.map((e) => e.node.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(pages[0].totalCount);
      expect(new Set(ids.map((id) => id.slice(0, 6))).size).toBe(9);
    });
  });

  describe('aggregates equal one database holding every province', () => {
    const SUMMARIES = [
      'energySummary(year: 2025, scope: { SCOPE }) { year provinceCount reportCount buildingArea energyUsingPeople electricityKwh waterM3 coalKg naturalGasM3 lpgKg gasolineL dieselL heatMj costYuan totalKgce kgcePerCapita kgcePerArea waterPerCapita }',
      'assetSummary(scope: { SCOPE }) { provinceCount assetCount originalValue netValue idleCount pooledCount pooledOriginalValue idleShare }',
      'vehicleSummary(scope: { SCOPE }) { provinceCount vehicleCount inServiceCount newEnergyCount confidentialCommunicationCount emergencyCount lawEnforcementCount specialTechnicalCount otherCount totalPriceYuan newEnergyShare }',
      'officeSpaceSummary(scope: { SCOPE }) { provinceCount buildingCount constructionArea officeRoomUsableArea staffCount exceedingCount officeAreaPerCapita }',
      'operatingCostSummary(year: 2024, scope: { SCOPE }) { provinceCount agencyCount staffCount total salaries officialReception vehicleOperation costPerCapita }',
    ];
    for (const summary of SUMMARIES) {
      for (const scope of SCOPES) {
        it(`${summary.split('(')[0]} { ${scope} }`, async () => {
          const query = `{ s: ${summary.replace('SCOPE', scope)} }`;
          const [a, b] = await Promise.all([gql(stack.gateway.url, query), gql(reference.url, query, undefined, reference.auth)]);
          expect(a.errors).toBeUndefined();
          expect(a.data).toEqual(b.data);
        });
      }
    }

    it('a region entity carries the exact region figure, and per-capita is sum/sum', async () => {
      const result = await gql(
        stack.gateway.url,
        `{ region(code: "YRD") { name provinces { code energySummary(year: 2025) { totalKgce energyUsingPeople kgcePerCapita } }
         energySummary(year: 2025) { totalKgce energyUsingPeople kgcePerCapita } } }`,
      );
      expect(result.errors).toBeUndefined();
      const region = result.data!.region;
      expect(region.provinces.map((p: { code: string }) => p.code)).toEqual(['310000', '320000', '330000', '340000']);
      const kgce = region.provinces.reduce((s: number, p: any) => s + Math.round(p.energySummary.totalKgce * 1000), 0) / 1000;
      const people = region.provinces.reduce((s: number, p: any) => s + p.energySummary.energyUsingPeople, 0);
      expect(region.energySummary.totalKgce).toBe(kgce);
      expect(region.energySummary.energyUsingPeople).toBe(people);
      expect(region.energySummary.kgcePerCapita).toBe(ratio4(kgce, people));
      const meanOfRatios = region.provinces.reduce((s: number, p: any) => s + p.energySummary.kgcePerCapita, 0) / 4;
      expect(region.energySummary.kgcePerCapita).not.toBeCloseTo(meanOfRatios, 6);
      const ref = await gql(reference.url, '{ energySummary(year: 2025, scope: { region: "YRD" }) { totalKgce kgcePerCapita } }', undefined, reference.auth);
      expect(ref.data!.energySummary).toEqual({ totalKgce: kgce, kgcePerCapita: ratio4(kgce, people) });
    });
  });

  /** Each breakdown: its fields, dimensions, a region scope, and its grouping of the raw rows (test/breakdown-oracle.ts). */
  const BREAKDOWNS = [
    {
      field: 'energyBreakdown',
      args: 'from: 2024, to: 2025, ',
      dims: ['PROVINCE', 'AGENCY_LEVEL', 'ENERGY_TYPE'],
      group:
        'province agencyLevel energyType year agencyCount provinces withheld reportCount energyUsingPeople buildingArea quantity unit kgcePerUnit kgce kgcePerCapita kgcePerArea',
      region: ['YRD', ['310000', '320000', '330000', '340000']],
      oracle: (provinces: readonly string[], by: string[]) => energyBreakdownOracle(reference.pdb, provinces, 2024, 2025, by),
    },
    {
      field: 'assetBreakdown',
      args: '',
      dims: ['PROVINCE', 'CATEGORY', 'STATUS', 'POOLED'],
      group: 'province category status pooled agencyCount provinces withheld assetCount originalValue netValue pooledValue idleValue',
      region: ['JJJ', ['110000', '120000', '130000']],
      oracle: (provinces: readonly string[], by: string[]) => assetBreakdownOracle(reference.pdb, provinces, by),
    },
    {
      field: 'vehicleBreakdown',
      args: '',
      dims: ['PROVINCE', 'CATEGORY', 'ENERGY_TYPE'],
      group:
        'province category energyType agencyCount provinces withheld vehicleCount newEnergyCount newEnergyShare establishedStaff staffHundreds vehiclesPerHundredStaff totalPriceYuan',
      region: ['CY', ['500000', '510000']],
      oracle: (provinces: readonly string[], by: string[]) => vehicleBreakdownOracle(reference.pdb, provinces, by),
    },
    {
      field: 'officeSpaceBreakdown',
      args: '',
      dims: ['PROVINCE', 'AGENCY_LEVEL'],
      group:
        'province agencyLevel agencyCount provinces withheld buildingCount constructionArea officeRoomUsableArea staffCount officeAreaPerCapita judgedAgencyCount standardArea overStandardAgencyCount overStandardShare overStandardArea',
      region: ['YRD', ['310000', '320000', '330000', '340000']],
      oracle: (provinces: readonly string[], by: string[]) => officeSpaceBreakdownOracle(reference.pdb, provinces, by),
    },
    {
      field: 'operatingCostBreakdown',
      args: 'from: 2024, to: 2025, ',
      dims: ['PROVINCE', 'AGENCY_LEVEL', 'COMPONENT'],
      group: 'province agencyLevel component year agencyCount provinces withheld amount total share staffedAgencyCount staffCount staffedAmount costPerCapita',
      region: ['JJJ', ['110000', '120000', '130000']],
      oracle: (provinces: readonly string[], by: string[]) => operatingCostBreakdownOracle(reference.pdb, provinces, 2024, 2025, by),
    },
  ] as const;

  describe.each(BREAKDOWNS)('$field equals the same grouping of the raw rows of one database holding every province', (b) => {
    for (const by of subsets([...b.dims])) {
      for (const [scope, provinces] of [
        ['', null],
        [`region: "${b.region[0]}"`, b.region[1]],
      ] as const) {
        it(`${b.field} by [${by.join(', ')}] { ${scope} }`, async () => {
          const result = await gql(stack.gateway.url, `{ ${b.field}(${b.args}by: [${by.join(', ')}], scope: { ${scope} }) { groups { ${b.group} } } }`);
          expect(result.errors).toBeUndefined();
          const expected = await b.oracle(provinces ?? [...stack.provinces.keys()], by);
          expect(expected.length).toBeGreaterThan(0);
          expect(byKey(result.data![b.field].groups)).toEqual(byKey(expected));
        });
      }
    }
  });

  describe('lookups', () => {
    it('a lookup by id reaches only the owning province', async () => {
      const before = [...stack.databases.entries()].map(([code, d]) => [code, d.statements()] as const);
      const result = await gql(stack.gateway.url, '{ asset(id: "330000:AS-0000003") { id name agency { id } } }');
      expect(result.data!.asset.id).toBe('330000:AS-0000003');
      const touched = before.filter(([code, n]) => stack.databases.get(code)!.statements() !== n).map(([code]) => code);
      expect(touched).toEqual(['330000']);
    });

    it('a missing id is null, not an error', async () => {
      const result = await gql(stack.gateway.url, '{ asset(id: "330000:AS-9999999") { id } vehicle(id: "garbage") { id } }');
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ asset: null, vehicle: null });
    });
  });

  if (topology === 'mixed') {
    it('runs the provinces on three database products', () => {
      const kinds = Object.fromEntries([...stack.databases].map(([code, d]) => [code, d.adapter.kind]));
      expect(kinds).toEqual(MIXED_TOPOLOGY);
    });
  }
}
