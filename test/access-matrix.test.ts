import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UserRole } from '../common/auth/principal.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, principalsOfEveryRole, startTestStack, tokenFor, type Result } from './helpers.js';

// Who gets exactly what: six roles x twelve operations over 江苏, 上海 (长三角), 北京 (京津冀) and 四川 (川渝).
const OFFICER_AGENCY = '320000:AG-0000002';
const PRINCIPALS = principalsOfEveryRole(OFFICER_AGENCY);

let stack: DemoStack;
const as = (role: UserRole, query: string, variables?: Record<string, unknown>) => {
  const p = PRINCIPALS[role];
  return gql(stack.gateway.url, query, variables, { token: p ? tokenFor(p) : null, assertion: null });
};
const codes = (r: Result) => (r.errors ?? []).map((e) => e.extensions?.code);

// Facts of the data, read as a national administrator.
const facts = {} as {
  jsAssets: number;
  jsOfficerAssets: number;
  bjAssets: number;
  bjPooled: number;
  pooledAll: number;
  pooledYrd: number;
  jsVehicles: number;
  jsOfficerVehicles: number;
  bjVehicles: number;
  jsBuildings: { id: string; restricted: boolean; agencyId: string }[];
  officerAsset: string;
  bjPooledAsset: string;
  yrdKgce: number;
};

beforeAll(async () => {
  stack = await startTestStack({ ...TEST_SCALE, agencies: 12 }, ['310000', '320000', '110000', '510000']);
  const q = (query: string) => as('NATIONAL_ADMIN', query).then((r) => (expect(r.errors).toBeUndefined(), r.data!));
  const count = async (filter: string) => (await q(`{ assets(filter: { ${filter} }) { totalCount } }`)).assets.totalCount as number;
  facts.jsAssets = await count('province: "320000"');
  facts.jsOfficerAssets =
    (await count(`province: "320000", agencyId: "${OFFICER_AGENCY}"`)) +
    (await q(`{ assets(filter: { province: "320000", offeredToPool: true }, first: 100) { edges { node { agency { id } } } } }`)).assets.edges.filter(
      (e: any) => e.node.agency.id !== OFFICER_AGENCY,
    ).length;
  facts.bjAssets = await count('province: "110000"');
  facts.bjPooled = await count('province: "110000", offeredToPool: true');
  facts.pooledAll = await count('offeredToPool: true');
  facts.pooledYrd = await count('region: "YRD", offeredToPool: true');
  facts.jsVehicles = (await q('{ vehicles(filter: { province: "320000" }) { totalCount } }')).vehicles.totalCount;
  facts.jsOfficerVehicles = (await q(`{ vehicles(filter: { agencyId: "${OFFICER_AGENCY}" }) { totalCount } }`)).vehicles.totalCount;
  facts.bjVehicles = (await q('{ vehicles(filter: { province: "110000" }) { totalCount } }')).vehicles.totalCount;
  facts.jsBuildings = (await q('{ buildings(filter: { province: "320000" }, first: 100) { edges { node { id restricted agency { id } } } } }')).buildings.edges.map((e: any) => ({
    id: e.node.id,
    restricted: e.node.restricted,
    agencyId: e.node.agency.id,
  }));
  facts.officerAsset = (await q(`{ assets(filter: { agencyId: "${OFFICER_AGENCY}" }, first: 1) { edges { node { id } } } }`)).assets.edges[0].node.id;
  facts.bjPooledAsset = (await q('{ assets(filter: { province: "110000", offeredToPool: true }, first: 1) { edges { node { id } } } }')).assets.edges[0].node.id;
  facts.yrdKgce = (await q('{ energySummary(year: 2025, scope: { region: "YRD" }) { totalKgce } }')).energySummary.totalKgce;
  expect(facts.jsBuildings.some((b) => b.restricted)).toBe(true);
  expect(facts.bjPooled).toBeGreaterThan(0);
}, 60_000);
afterAll(() => stack?.stop());

type Expect = (r: Result) => void;
const forbidden =
  (field: string): Expect =>
  (r) => {
    expect(r.data?.[field] ?? null).toBeNull();
    expect(r.errors?.find((e) => e.path?.[0] === field)?.extensions?.code).toBe('FORBIDDEN');
  };
const total =
  (field: string, n: () => number): Expect =>
  (r) => {
    expect(r.errors).toBeUndefined();
    expect(r.data![field].totalCount).toBe(n());
  };
const refused: Expect = (r) => {
  expect(r.data ?? null).toBeNull();
  expect(codes(r)).toEqual(['FORBIDDEN']);
};

interface Operation {
  name: string;
  query: () => string;
  expect: Record<UserRole, Expect>;
}

const vehiclesSensitive =
  (plates: boolean, drivers: boolean, onlyAgency?: string): Expect =>
  (r) => {
    const edges = r.data!.vehicles.edges as { node: { plateNumber: string | null; assignedDriver: string | null; agency: { id: string } } }[];
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) {
      if (onlyAgency) expect(e.node.agency.id).toBe(onlyAgency);
      expect(e.node.plateNumber === null).toBe(!plates);
      if (!drivers) expect(e.node.assignedDriver).toBeNull();
    }
    const classes = new Set((r.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.class}`));
    expect(classes).toEqual(new Set([...(plates ? [] : ['FORBIDDEN:vehicle-identity']), ...(drivers ? [] : ['FORBIDDEN:personal'])]));
  };

const addresses =
  (mode: 'all' | 'unrestricted', onlyAgency?: string): Expect =>
  (r) => {
    const edges = r.data!.buildings.edges as { node: { id: string; restricted: boolean; address: string | null } }[];
    const expected = facts.jsBuildings.filter((b) => !onlyAgency || b.agencyId === onlyAgency);
    expect(edges.map((e) => e.node.id)).toEqual(expected.map((b) => b.id));
    for (const e of edges) expect(e.node.address === null).toBe(mode === 'unrestricted' && e.node.restricted);
    const hidden = edges.filter((e) => e.node.address === null).length;
    expect((r.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').length).toBe(hidden);
  };

const OPERATIONS: Operation[] = [
  {
    name: 'own-province asset list (江苏)',
    query: () => '{ assets(filter: { province: "320000" }) { totalCount } }',
    expect: {
      NATIONAL_ADMIN: total('assets', () => facts.jsAssets),
      REGION_COORDINATOR: total('assets', () => facts.jsAssets),
      PROVINCE_ADMIN: total('assets', () => facts.jsAssets),
      AGENCY_OFFICER: total('assets', () => facts.jsOfficerAssets),
      ANALYST: forbidden('assets'),
      ANONYMOUS: forbidden('assets'),
    },
  },
  {
    name: 'cross-province asset list (北京)',
    query: () => '{ assets(filter: { province: "110000" }) { totalCount } }',
    expect: {
      NATIONAL_ADMIN: total('assets', () => facts.bjAssets),
      REGION_COORDINATOR: total('assets', () => 0),
      PROVINCE_ADMIN: total('assets', () => facts.bjPooled),
      AGENCY_OFFICER: total('assets', () => facts.bjPooled),
      ANALYST: forbidden('assets'),
      ANONYMOUS: forbidden('assets'),
    },
  },
  {
    name: 'the sharing pool everywhere',
    query: () => '{ assets(filter: { offeredToPool: true }) { totalCount } }',
    expect: {
      NATIONAL_ADMIN: total('assets', () => facts.pooledAll),
      REGION_COORDINATOR: total('assets', () => facts.pooledYrd),
      PROVINCE_ADMIN: total('assets', () => facts.pooledAll),
      AGENCY_OFFICER: total('assets', () => facts.pooledAll),
      ANALYST: forbidden('assets'),
      ANONYMOUS: forbidden('assets'),
    },
  },
  {
    name: 'vehicle plates and drivers (江苏)',
    query: () => '{ vehicles(filter: { province: "320000" }, first: 5) { edges { node { id plateNumber assignedDriver agency { id } } } } }',
    expect: {
      NATIONAL_ADMIN: vehiclesSensitive(true, true),
      REGION_COORDINATOR: vehiclesSensitive(true, false),
      PROVINCE_ADMIN: vehiclesSensitive(true, true),
      AGENCY_OFFICER: vehiclesSensitive(true, true, OFFICER_AGENCY),
      ANALYST: forbidden('vehicles'),
      ANONYMOUS: forbidden('vehicles'),
    },
  },
  {
    name: 'cross-province vehicle list (北京)',
    query: () => '{ vehicles(filter: { province: "110000" }) { totalCount } }',
    expect: {
      NATIONAL_ADMIN: total('vehicles', () => facts.bjVehicles),
      REGION_COORDINATOR: total('vehicles', () => 0),
      PROVINCE_ADMIN: total('vehicles', () => 0),
      AGENCY_OFFICER: total('vehicles', () => 0),
      ANALYST: forbidden('vehicles'),
      ANONYMOUS: forbidden('vehicles'),
    },
  },
  {
    name: 'regional energy aggregate',
    query: () => '{ energySummary(year: 2025, scope: { region: "YRD" }) { totalKgce } }',
    expect: Object.fromEntries(
      Object.keys(PRINCIPALS).map((role) => [role, (r: Result) => (expect(r.errors).toBeUndefined(), expect(r.data!.energySummary.totalKgce).toBe(facts.yrdKgce))]),
    ) as Record<UserRole, Expect>,
  },
  {
    name: 'an agency with its contact person',
    query: () => `{ agency(id: "${OFFICER_AGENCY}") { name contactPerson contactPhone } }`,
    expect: {
      NATIONAL_ADMIN: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.agency.contactPerson).toEqual(expect.any(String))),
      REGION_COORDINATOR: (r) => {
        expect(r.data!.agency.name).toEqual(expect.any(String));
        expect([r.data!.agency.contactPerson, r.data!.agency.contactPhone]).toEqual([null, null]);
        expect(codes(r)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      },
      PROVINCE_ADMIN: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.agency.contactPhone).toMatch(/^025-/)),
      AGENCY_OFFICER: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.agency.contactPhone).toMatch(/^025-/)),
      ANALYST: forbidden('agency'),
      ANONYMOUS: forbidden('agency'),
    },
  },
  {
    name: 'building addresses, some restricted (江苏)',
    query: () => '{ buildings(filter: { province: "320000" }, first: 100) { edges { node { id restricted address } } } }',
    expect: {
      NATIONAL_ADMIN: addresses('all'),
      REGION_COORDINATOR: addresses('unrestricted'),
      PROVINCE_ADMIN: addresses('all'),
      AGENCY_OFFICER: addresses('unrestricted', OFFICER_AGENCY),
      ANALYST: forbidden('buildings'),
      ANONYMOUS: forbidden('buildings'),
    },
  },
  {
    name: 'directory and another region’s aggregate',
    query: () => '{ region(code: "JJJ") { name energySummary(year: 2025) { provinceCount } } }',
    expect: Object.fromEntries(
      Object.keys(PRINCIPALS).map((role) => [
        role,
        (r: Result) => (expect(r.errors).toBeUndefined(), expect(r.data!.region).toEqual({ name: '京津冀', energySummary: { provinceCount: 1 } })),
      ]),
    ) as Record<UserRole, Expect>,
  },
  {
    name: 'a pooled asset of another province by id',
    query: () => `{ asset(id: "${facts.bjPooledAsset}") { id offeredToPool } }`,
    expect: {
      NATIONAL_ADMIN: (r) => expect(r.data!.asset).toEqual({ id: facts.bjPooledAsset, offeredToPool: true }),
      REGION_COORDINATOR: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.asset).toBeNull()),
      PROVINCE_ADMIN: (r) => expect(r.data!.asset).toEqual({ id: facts.bjPooledAsset, offeredToPool: true }),
      AGENCY_OFFICER: (r) => expect(r.data!.asset).toEqual({ id: facts.bjPooledAsset, offeredToPool: true }),
      ANALYST: forbidden('asset'),
      ANONYMOUS: forbidden('asset'),
    },
  },
  {
    name: 'a change to an asset of the officer’s agency',
    query: () => `mutation { setAssetStatus(input: { assetId: "${facts.officerAsset}", status: IN_USE }) { asset { id status } } }`,
    expect: {
      NATIONAL_ADMIN: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.setAssetStatus.asset.status).toBe('IN_USE')),
      REGION_COORDINATOR: refused,
      PROVINCE_ADMIN: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.setAssetStatus.asset.status).toBe('IN_USE')),
      AGENCY_OFFICER: (r) => (expect(r.errors).toBeUndefined(), expect(r.data!.setAssetStatus.asset.status).toBe('IN_USE')),
      ANALYST: refused,
      ANONYMOUS: refused,
    },
  },
  {
    name: 'introspection',
    query: () => '{ __schema { queryType { name } } }',
    expect: {
      NATIONAL_ADMIN: (r) => expect(r.data).toEqual({ __schema: { queryType: { name: 'Query' } } }),
      REGION_COORDINATOR: (r) => expect(r.data).toEqual({ __schema: { queryType: { name: 'Query' } } }),
      PROVINCE_ADMIN: (r) => expect(r.data).toEqual({ __schema: { queryType: { name: 'Query' } } }),
      AGENCY_OFFICER: (r) => expect(codes(r)).toEqual(['FORBIDDEN']),
      ANALYST: (r) => expect(r.data).toEqual({ __schema: { queryType: { name: 'Query' } } }),
      ANONYMOUS: (r) => expect(codes(r)).toEqual(['FORBIDDEN']),
    },
  },
];

describe('role x operation', () => {
  for (const op of OPERATIONS) {
    for (const role of Object.keys(PRINCIPALS) as UserRole[]) {
      it(`${role}: ${op.name}`, async () => {
        const result = await as(role, op.query());
        op.expect[role](result);
        expect(JSON.stringify(result)).not.toMatch(/stacktrace|127\.0\.0\.1|select /i);
      });
    }
  }

  it('another province admin may not change 江苏 records, and an officer not another agency’s', async () => {
    const other = await gql(stack.gateway.url, `mutation { setAssetStatus(input: { assetId: "${facts.officerAsset}", status: IN_USE }) { asset { id } } }`, undefined, {
      token: tokenFor({ role: 'PROVINCE_ADMIN', province: '110000' }),
      assertion: null,
    });
    expect(codes(other)).toEqual(['NOT_FOUND']);
    const officer = await gql(stack.gateway.url, `mutation { offerAssetToPool(input: { assetId: "${facts.bjPooledAsset}" }) { asset { id } } }`, undefined, {
      token: tokenFor(PRINCIPALS.AGENCY_OFFICER!),
      assertion: null,
    });
    expect(codes(officer)).toEqual(['FORBIDDEN']);
    // The refusal names the asset asked about, never its holder (the pool shows no agency id).
    const holder = (await as('NATIONAL_ADMIN', `{ asset(id: "${facts.bjPooledAsset}") { agency { id } } }`)).data!.asset.agency.id as string;
    const admin = await gql(stack.gateway.url, `mutation { withdrawAssetFromPool(input: { assetId: "${facts.bjPooledAsset}" }) { asset { id } } }`, undefined, {
      token: tokenFor(PRINCIPALS.PROVINCE_ADMIN!),
      assertion: null,
    });
    expect(codes(admin)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify([officer, admin])).not.toContain(holder);
  });

  it('suggestions are not given to anonymous callers', async () => {
    const anon = await as('ANONYMOUS', '{ regoins { name } }');
    expect(anon.errors![0].message).not.toContain('Did you mean');
    const admin = await as('NATIONAL_ADMIN', '{ regoins { name } }');
    expect(admin.errors![0].message).toContain('Did you mean');
  });

  it('a refused field in a merged page is reported at its own row, and not at all for rows cut from the page', async () => {
    // A coordinator sees every row of 上海 and 江苏 but not restricted addresses; pages merge both provinces.
    for (const first of [3, 5, 9, 14]) {
      const r = await as('REGION_COORDINATOR', `{ buildings(filter: { region: "YRD" }, first: ${first}) { edges { node { id restricted address } } } }`);
      const edges = r.data!.buildings.edges as { node: { id: string; restricted: boolean; address: string | null } }[];
      const forbidden = (r.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.path!.join('.'));
      const expected = edges.flatMap((e, i) => (e.node.restricted ? [`buildings.edges.${i}.node.address`] : []));
      expect([first, forbidden.sort()]).toEqual([first, expected.sort()]);
      for (const e of edges) expect(e.node.address === null).toBe(e.node.restricted);
    }
  });
});
