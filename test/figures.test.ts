import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, NATIONAL_ADMIN, startMixedStack, tokenFor } from './helpers.js';

/**
 * Published figures against values computed here, from the raw rows and the reference
 * (../shared/reference/domain-standards.md), never through the code under test: kgce with the
 * GB/T 2589-2020 coefficients (diesel 1.4571 kgce/kg x 0.835 kg/L, exact), the 2014 office-area
 * standard per building, displacement as stored, and ratios to 4 decimal places, half away from
 * zero. Over PostgreSQL (上海), MariaDB (天津) and SQLite (河北).
 */

// Coefficients in units of 1e-7 kgce per standard unit (reference §1.5).
const KGCE_E7 = {
  electricity_kwh: 1_229_000n, // 0.1229
  coal_kg: 7_143_000n, // 0.7143
  natural_gas_m3: 12_143_000n, // 1.2143
  lpg_kg: 17_143_000n, // 1.7143
  gasoline_l: 14_714n * 725n, // 1.4714 x 0.725
  diesel_l: 14_571n * 835n, // 1.4571 x 0.835 = 1.2166785
  heat_mj: 341_200n, // 0.03412
} as const;

/** A report's total in thousandths of kgce: quantities in hundredths x coefficients in 1e-7, rounded half up once. */
function expectedMilli(row: Record<string, unknown>): bigint {
  let e9 = 0n;
  for (const [column, coefficient] of Object.entries(KGCE_E7)) e9 += BigInt(Math.round(Number(row[column]) * 100)) * coefficient;
  return (e9 + 500_000n) / 1_000_000n;
}

/** numerator / denominator (positive integers) in units of 1e-4, rounded half up, as a number. */
const ratio4 = (numerator: bigint, denominator: bigint) => Number((2n * numerator * 10_000n + denominator) / (2n * denominator)) / 10_000;

// The 2014 standard's building-area figures (reference §3.3): [upper, lower, lower above this establishment].
const GRADES: Record<string, [number, number, number]> = {
  CENTRAL: [30, 26, 400],
  PROVINCIAL: [30, 26, 400],
  MUNICIPAL: [24, 20, 200],
  COUNTY: [18, 16, 100],
  TOWNSHIP: [18, 16, 100],
};
const figureOf = (level: string, establishment: number) => {
  const [upper, lower, above] = GRADES[level];
  return establishment > above ? lower : upper;
};

const PROVINCES = ['310000', '120000', '130000'];
let stack: DemoStack;
const auth = { token: tokenFor(NATIONAL_ADMIN), assertion: null };
const q = async (query: string, variables?: Record<string, unknown>) => {
  const r = await gql(stack.gateway.url, query, variables, auth);
  expect(r.errors).toBeUndefined();
  return r.data as any;
};
const raw = (code: string) => stack.databases.get(code)!.db as unknown as Kysely<any>;
const all = async (query: string, field: string, variables: Record<string, unknown> = {}) => {
  const nodes: any[] = [];
  let after: string | null = null;
  do {
    const d: any = await q(query, { ...variables, after });
    nodes.push(...d[field].edges.map((e: any) => e.node));
    after = d[field].pageInfo.hasNextPage ? d[field].pageInfo.endCursor : null;
  } while (after);
  return nodes;
};

// Hand-computed buildings (an agency of each grade, on both sides of each threshold).
const HAND = [
  // [agency level, agency establishment, building posts, construction area, office area, staff] -> [standard, exceeds, m2 per person]
  { level: 'PROVINCIAL', establishment: 500, posts: 100, construction: 2600.01, office: 122.9, staff: 10, standard: 2600, exceeds: true, perCapita: 12.29 },
  { level: 'PROVINCIAL', establishment: 400, posts: 100, construction: 3000, office: 100, staff: 3, standard: 3000, exceeds: false, perCapita: 33.3333 },
  { level: 'MUNICIPAL', establishment: 201, posts: 201, construction: 4020, office: 200, staff: 6, standard: 4020, exceeds: false, perCapita: 33.3333 },
  { level: 'MUNICIPAL', establishment: 200, posts: 50, construction: 1200.5, office: 200, staff: 3, standard: 1200, exceeds: true, perCapita: 66.6667 },
  { level: 'COUNTY', establishment: 120, posts: 40, construction: 640, office: 0.02, staff: 3, standard: 640, exceeds: false, perCapita: 0.0067 },
  { level: 'TOWNSHIP', establishment: 20, posts: 20, construction: 360.01, office: 1, staff: 8, standard: 360, exceeds: true, perCapita: 0.125 },
];

beforeAll(async () => {
  stack = await startMixedStack({ ...TEST_SCALE, agencies: 8 }, PROVINCES);
  // Hand-made agencies and buildings in 上海 (PostgreSQL), and a 1,996 ml vehicle.
  const db = raw('310000');
  for (const [i, h] of HAND.entries()) {
    const agency = `310000:AG-09${String(i).padStart(5, '0')}`;
    await db
      .insertInto('agencies')
      .values({
        id: agency,
        province: '310000',
        credit_code: '12310000MB0000000X',
        name: `手算单位${i}`,
        level: h.level,
        division_code: '310101',
        established_staff: h.establishment,
        actual_staff: h.establishment,
        contact_person: '王伟',
        contact_phone: '021-60000000',
      })
      .execute();
    await db
      .insertInto('buildings')
      .values({
        id: `310000:BD-09${String(i).padStart(5, '0')}`,
        province: '310000',
        agency_id: agency,
        name: `手算楼${i}`,
        address: '上海市黄浦区人民路1号',
        restricted: 0,
        build_year: 2000,
        floors: 2,
        construction_area: h.construction,
        office_room_usable_area: h.office,
        staff_count: h.staff,
        established_staff: h.posts,
      })
      .execute();
  }
  // Reports with diesel and every other fuel, submitted through the gateway to each database kind.
  for (const [i, code] of PROVINCES.entries()) {
    const agency = (await raw(code).selectFrom('agencies').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
    const r = await gql(
      stack.gateway.url,
      `mutation($input: EnergyReportInput!) { submitEnergyReport(input: $input) { report { id } } }`,
      {
        input: {
          agencyId: agency,
          year: 2022,
          buildingArea: 2345.67 + i,
          energyUsingPeople: 97 + i,
          costYuan: 123456.78,
          quantities: [
            { energyType: 'DIESEL', quantity: 1234.56 + 111.11 * i, unit: 'L' },
            { energyType: 'GASOLINE', quantity: 987.65 + i, unit: 'L' },
            { energyType: 'ELECTRICITY', quantity: 123457 + i, unit: 'kWh' },
            { energyType: 'NATURAL_GAS', quantity: 321.09, unit: 'm3' },
            { energyType: 'LPG', quantity: 55.55, unit: 'kg' },
            { energyType: 'COAL', quantity: 77.77, unit: 'kg' },
            { energyType: 'HEAT', quantity: 12.34567, unit: 'GJ' },
            { energyType: 'WATER', quantity: 999.99, unit: 'm3' },
          ],
        },
      },
      auth,
    );
    expect(r.errors).toBeUndefined();
  }
  const [vehicle] = await db.selectFrom('vehicles').selectAll().orderBy('id').limit(1).execute();
  await db
    .insertInto('vehicles')
    .values({ ...vehicle, id: '310000:VH-0900001', plate_number: '沪A99999', energy_type: 'DIESEL', displacement_ml: 1996 })
    .execute();
}, 180_000);
afterAll(() => stack?.stop());

describe('energy figures', () => {
  const REPORTS = `query($filter: YearFilter, $after: String) { energyReports(filter: $filter, first: 100, after: $after) {
    edges { node { id year totalKgce buildingArea energyUsingPeople waterM3 kgcePerCapita kgcePerArea waterPerCapita } } pageInfo { hasNextPage endCursor } } }`;

  it('every report: total kgce with the exact diesel coefficient, and its ratios to 4 places', async () => {
    let diesel = 0;
    let rounding = 0;
    for (const code of PROVINCES) {
      const rows = await raw(code).selectFrom('energy_reports').selectAll().execute();
      const published = new Map((await all(REPORTS, 'energyReports', { filter: { province: code } })).map((n) => [n.id, n]));
      expect(published.size).toBe(rows.length);
      for (const row of rows) {
        const n = published.get(row.id)!;
        const milli = expectedMilli(row);
        expect(n.totalKgce).toBe(Number(milli) / 1000);
        expect(n.kgcePerCapita).toBe(ratio4(milli, 1000n * BigInt(row.energy_using_people)));
        expect(n.kgcePerArea).toBe(ratio4(milli * 100n, 1000n * BigInt(Math.round(row.building_area * 100))));
        expect(n.waterPerCapita).toBe(ratio4(BigInt(Math.round(row.water_m3 * 100)), 100n * BigInt(row.energy_using_people)));
        if (Number(row.diesel_l) > 0) diesel++;
        // The rounded 1.216679 kgce/L would have given another total for this report.
        const rounded = BigInt(Math.round((Number(milli) / 1000 + Number(row.diesel_l) * (1.216679 - 1.2166785)) * 1000));
        if (rounded !== milli) rounding++;
      }
    }
    expect(diesel).toBeGreaterThan(0);
    expect(rounding).toBeGreaterThan(0);
  });

  it('a submitted report with diesel: the total is the exact product, rounded once', async () => {
    const agency = (await raw('130000').selectFrom('agencies').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
    const d = await q(`mutation($input: EnergyReportInput!) { submitEnergyReport(input: $input) { report { totalKgce kgcePerCapita } } }`, {
      input: {
        agencyId: agency,
        year: 2023,
        buildingArea: 1234.56,
        energyUsingPeople: 7,
        costYuan: 1000,
        quantities: [
          { energyType: 'DIESEL', quantity: 1234.56, unit: 'L' },
          { energyType: 'ELECTRICITY', quantity: 3, unit: 'kWh' },
        ],
      },
    });
    // 1234.56 L x 1.2166785 = 1502.06260896; 3 kWh x 0.1229 = 0.3687; total 1502.43130896 -> 1502.431 kgce
    // (the rounded 1.216679 kgce/L would give 1502.43192624 -> 1502.432).
    expect(d.submitEnergyReport.report.totalKgce).toBe(1502.431);
    // 1502.431 / 7 = 214.6330044... -> 214.633
    expect(d.submitEnergyReport.report.kgcePerCapita).toBe(214.633);
  });

  it('the region total and ratio equal the sums of the raw rows (sum / sum)', async () => {
    let milli = 0n;
    let people = 0n;
    for (const code of PROVINCES) {
      for (const row of await raw(code).selectFrom('energy_reports').selectAll().where('year', '=', 2025).execute()) {
        milli += expectedMilli(row);
        people += BigInt(row.energy_using_people);
      }
    }
    const d = await q(`{ energySummary(year: 2025, scope: { provinces: ["310000", "120000", "130000"] }) { totalKgce energyUsingPeople kgcePerCapita } }`);
    expect(d.energySummary.totalKgce).toBe(Number(milli) / 1000);
    expect(d.energySummary.kgcePerCapita).toBe(ratio4(milli, 1000n * people));
  });

  it('publishes the coefficients as defined', async () => {
    const d = await q('{ energyCoefficients { energyType kgcePerUnit } }');
    const of = (t: string) => d.energyCoefficients.find((c: any) => c.energyType === t).kgcePerUnit;
    expect(of('DIESEL')).toBe(1.2166785);
    expect(of('GASOLINE')).toBe(1.066765);
  });
});

describe('office space over the 2014 standard', () => {
  const BUILDINGS = `query($filter: BuildingFilter, $after: String) { buildings(filter: $filter, first: 100, after: $after) {
    edges { node { id establishedStaff constructionArea officeAreaPerCapita standardConstructionArea exceedsStandard } } pageInfo { hasNextPage endCursor } } }`;

  it('hand-computed buildings: posts x the grade figure of the agency, the lower figure above the threshold', async () => {
    const nodes = new Map((await all(BUILDINGS, 'buildings', { filter: { province: '310000' } })).map((n) => [n.id, n]));
    for (const [i, h] of HAND.entries()) {
      const n = nodes.get(`310000:BD-09${String(i).padStart(5, '0')}`)!;
      expect({ standard: n.standardConstructionArea, exceeds: n.exceedsStandard, perCapita: n.officeAreaPerCapita }).toEqual({
        standard: h.standard,
        exceeds: h.exceeds,
        perCapita: h.perCapita,
      });
    }
  });

  it('every building, the filter and the summary count follow the same rule', async () => {
    let over = 0;
    for (const code of PROVINCES) {
      const agencies = new Map((await raw(code).selectFrom('agencies').selectAll().execute()).map((a: any) => [a.id, a]));
      const rows = await raw(code).selectFrom('buildings').selectAll().execute();
      const nodes = new Map((await all(BUILDINGS, 'buildings', { filter: { province: code } })).map((n) => [n.id, n]));
      const exceeding = new Set<string>();
      for (const row of rows) {
        const agency = agencies.get(row.agency_id);
        const standard = row.established_staff * figureOf(agency.level, agency.established_staff);
        expect(nodes.get(row.id)!.standardConstructionArea).toBe(standard);
        expect(nodes.get(row.id)!.exceedsStandard).toBe(Number(row.construction_area) > standard);
        if (Number(row.construction_area) > standard) exceeding.add(row.id);
      }
      const filtered = await all(BUILDINGS, 'buildings', { filter: { province: code, exceedsStandard: true } });
      expect(new Set(filtered.map((n) => n.id))).toEqual(exceeding);
      const d = await q(`{ officeSpaceSummary(scope: { province: "${code}" }) { exceedingCount buildingCount } }`);
      expect(d.officeSpaceSummary).toEqual({ exceedingCount: exceeding.size, buildingCount: rows.length });
      over += exceeding.size;
    }
    expect(over).toBeGreaterThan(HAND.filter((h) => h.exceeds).length);
  });
});

describe('a building whose agency is missing (a data fault)', () => {
  it('stays in lists with no standard, and the rest of the page is whole', async () => {
    const db = raw('310000');
    const [row] = await db.selectFrom('buildings').selectAll().orderBy('id').limit(1).execute();
    await db
      .insertInto('buildings')
      .values({ ...row, id: '310000:BD-0999999', agency_id: '310000:AG-0999999' })
      .execute();
    try {
      const r = await gql(
        stack.gateway.url,
        `{ buildings(filter: { province: "310000" }, orderBy: CONSTRUCTION_AREA_DESC, first: 100) { totalCount edges { node { id standardConstructionArea exceedsStandard } } } }`,
        undefined,
        auth,
      );
      const nodes = (r.data as any).buildings.edges.map((e: any) => e.node);
      expect(nodes.find((n: any) => n.id === '310000:BD-0999999')).toEqual({ id: '310000:BD-0999999', standardConstructionArea: null, exceedsStandard: null });
      expect(nodes.filter((n: any) => n.standardConstructionArea === null)).toHaveLength(1);
      expect((r.data as any).buildings.totalCount).toBe(nodes.length);
    } finally {
      await db.deleteFrom('buildings').where('id', '=', '310000:BD-0999999').execute();
    }
  });
});

describe('vehicles', () => {
  it('publish the displacement as stored: millilitres / 1000', async () => {
    const d = await q(`{ vehicle(id: "310000:VH-0900001") { displacementL } }`);
    expect(d.vehicle.displacementL).toBe(1.996);
    for (const code of PROVINCES) {
      const rows = await raw(code).selectFrom('vehicles').select(['id', 'displacement_ml']).execute();
      const nodes = await all(
        `query($filter: VehicleFilter, $after: String) { vehicles(filter: $filter, first: 100, after: $after) { edges { node { id displacementL } } pageInfo { hasNextPage endCursor } } }`,
        'vehicles',
        { filter: { province: code } },
      );
      const byId = new Map(nodes.map((n) => [n.id, n.displacementL]));
      for (const r of rows) expect(byId.get(r.id)).toBe(r.displacement_ml === null ? null : Number(`${r.displacement_ml}e-3`));
    }
  });
});
