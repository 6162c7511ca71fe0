import type { ProvinceDatabase } from '../subgraphs/province/db/database.js';
import { ENERGY_COLUMNS } from '../subgraphs/province/energy.js';

/**
 * The energy breakdown computed in the test from raw rows of one database holding every
 * province, with the coefficients of the reference (../shared/reference/domain-standards.md
 * §8: GB/T 2589-2020; gasoline and diesel per litre at 0.725 and 0.835 kg/L), in integers, never
 * through the code under test.
 */
const COEFFICIENTS: Record<string, string> = {
  ELECTRICITY: '0.1229',
  WATER: '0',
  COAL: '0.7143',
  NATURAL_GAS: '1.2143',
  LPG: '1.7143',
  GASOLINE: '1.066765', // 1.4714 kgce/kg x 0.725 kg/L
  DIESEL: '1.2166785', // 1.4571 kgce/kg x 0.835 kg/L
  HEAT: '0.03412',
};
// Column names are the standard's storage, not a figure: taken from the code; the coefficients above are not.
const COLUMNS: Record<string, string> = ENERGY_COLUMNS;
const UNITS: Record<string, string> = { ELECTRICITY: 'kWh', WATER: 'm3', COAL: 'kg', NATURAL_GAS: 'm3', LPG: 'kg', GASOLINE: 'L', DIESEL: 'L', HEAT: 'MJ' };

/** a / b rounded half away from zero (b > 0). */
const div = (a: bigint, b: bigint) => (a >= 0n ? (2n * a + b) / (2n * b) : -((-2n * a + b) / (2n * b)));
/** A decimal string as an integer of 10^-scale units. */
function units(text: string, scale: number): bigint {
  const [i, f = ''] = text.split('.');
  return BigInt(i + f.padEnd(scale, '0').slice(0, scale));
}
const hundredths = (v: number) => BigInt(Math.round(v * 100));
const asNumber = (u: bigint, scale: number) => Number(u) / 10 ** scale;
/** A ratio of two figures (in milli and 10^-scale units) to 4 places, as the contract publishes ratios. */
const ratio4 = (milli: bigint, den: bigint, denScale: number) => (den === 0n ? null : asNumber(div(milli * 10n ** BigInt(denScale) * 10_000n, den * 1000n), 4));

/** One group as the oracle computes it: the fields an EnergyGroup answers. */
export type OracleGroup = Record<string, unknown>;

/** The energy breakdown of some provinces from `from` to `to` by some dimensions, from raw rows. */
export async function energyBreakdownOracle(pdb: ProvinceDatabase, provinces: readonly string[], from: number, to: number, by: readonly string[]): Promise<OracleGroup[]> {
  const rows = (await pdb.db
    .selectFrom('energy_reports as t')
    .innerJoin('agencies as a', 'a.id', 't.agency_id')
    .selectAll('t')
    .select('a.level')
    .where('t.province', 'in', [...provinces])
    .where('t.year', '>=', from)
    .where('t.year', '<=', to)
    .execute()) as unknown as Record<string, number | string>[];
  const types = by.includes('ENERGY_TYPE') ? Object.keys(COLUMNS) : [null];
  const groups = new Map<
    string,
    { key: Record<string, unknown>; agencies: Set<string>; provinces: Set<string>; reports: number; people: bigint; area: bigint; q: bigint; kgceMilli: bigint }
  >();
  // A type group's people, area and reports are those of every report of its other dimensions,
  // in each province where the type was used.
  const byRest = new Map<string, { reports: number; people: bigint; area: bigint }>();
  const restOf = (r: Record<string, number | string>) => JSON.stringify([r.province, by.includes('AGENCY_LEVEL') ? r.level : null, Number(r.year)]);
  for (const r of rows) {
    const t = byRest.get(restOf(r)) ?? { reports: 0, people: 0n, area: 0n };
    t.reports += 1;
    t.people += BigInt(r.energy_using_people);
    t.area += hundredths(Number(r.building_area));
    byRest.set(restOf(r), t);
  }
  for (const r of rows) {
    for (const type of types) {
      if (type && !(Number(r[COLUMNS[type]]) > 0)) continue;
      const key = {
        province: by.includes('PROVINCE') ? r.province : null,
        agencyLevel: by.includes('AGENCY_LEVEL') ? r.level : null,
        energyType: type,
        year: Number(r.year),
      };
      const id = JSON.stringify(key);
      const g = groups.get(id) ?? { key, agencies: new Set(), provinces: new Set(), reports: 0, people: 0n, area: 0n, q: 0n, kgceMilli: 0n };
      g.agencies.add(String(r.agency_id));
      if (!g.provinces.has(String(r.province))) {
        g.provinces.add(String(r.province));
        const rest = byRest.get(restOf(r))!;
        g.reports += rest.reports;
        g.people += rest.people;
        g.area += rest.area;
      }
      if (type) g.q += hundredths(Number(r[COLUMNS[type]]));
      else g.kgceMilli += BigInt(r.total_kgce_milli);
      groups.set(id, g);
    }
  }
  return [...groups.values()].map((g) => {
    const type = g.key.energyType as string | null;
    let kgceMilli = g.kgceMilli;
    if (type) {
      const scale = (COEFFICIENTS[type].split('.')[1] ?? '').length;
      // quantity (hundredths) x coefficient (10^-scale) -> thousandths, rounded once.
      kgceMilli = div(g.q * units(COEFFICIENTS[type], scale) * 1000n, 100n * 10n ** BigInt(scale));
    }
    return {
      ...g.key,
      agencyCount: g.agencies.size,
      provinces: [...g.provinces].sort(),
      withheld: null,
      reportCount: g.reports,
      energyUsingPeople: Number(g.people),
      buildingArea: asNumber(g.area, 2),
      quantity: type ? asNumber(g.q, 2) : null,
      unit: type ? UNITS[type] : null,
      kgcePerUnit: type ? Number(COEFFICIENTS[type]) : null,
      kgce: asNumber(kgceMilli, 3),
      kgcePerCapita: ratio4(kgceMilli, g.people, 0),
      kgcePerArea: ratio4(kgceMilli, g.area, 2),
    };
  });
}

/** The asset breakdown of some provinces by some dimensions, from raw rows (values in fen, as integers). */
export async function assetBreakdownOracle(pdb: ProvinceDatabase, provinces: readonly string[], by: readonly string[]): Promise<OracleGroup[]> {
  const rows = (await pdb.db
    .selectFrom('assets')
    .selectAll()
    .where('province', 'in', [...provinces])
    .execute()) as unknown as Record<string, number | string>[];
  const groups = new Map<
    string,
    { key: Record<string, unknown>; agencies: Set<string>; provinces: Set<string>; n: number; original: bigint; net: bigint; pooled: bigint; idle: bigint }
  >();
  for (const r of rows) {
    if (r.status === 'DISPOSED' || r.status === 'TRANSFERRED_OUT') continue;
    const key = {
      province: by.includes('PROVINCE') ? r.province : null,
      category: by.includes('CATEGORY') ? String(r.category_code).slice(0, 3) : null,
      status: by.includes('STATUS') ? r.status : null,
      pooled: by.includes('POOLED') ? Number(r.offered_to_pool) === 1 : null,
    };
    const id = JSON.stringify(key);
    const g = groups.get(id) ?? { key, agencies: new Set(), provinces: new Set(), n: 0, original: 0n, net: 0n, pooled: 0n, idle: 0n };
    g.agencies.add(String(r.agency_id));
    g.provinces.add(String(r.province));
    g.n += 1;
    g.original += BigInt(r.original_value_fen);
    g.net += BigInt(r.net_value_fen);
    if (Number(r.offered_to_pool) === 1) g.pooled += BigInt(r.original_value_fen);
    if (r.status === 'IDLE') g.idle += BigInt(r.original_value_fen);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => ({
    ...g.key,
    agencyCount: g.agencies.size,
    provinces: [...g.provinces].sort(),
    withheld: null,
    assetCount: g.n,
    originalValue: asNumber(g.original, 2),
    netValue: asNumber(g.net, 2),
    pooledValue: asNumber(g.pooled, 2),
    idleValue: asNumber(g.idle, 2),
  }));
}

/** The vehicle breakdown of some provinces by some dimensions, from raw rows. */
export async function vehicleBreakdownOracle(pdb: ProvinceDatabase, provinces: readonly string[], by: readonly string[]): Promise<OracleGroup[]> {
  const vehicles = (await pdb.db
    .selectFrom('vehicles')
    .selectAll()
    .where('province', 'in', [...provinces])
    .execute()) as unknown as Record<string, number | string>[];
  const agencies = (await pdb.db
    .selectFrom('agencies')
    .selectAll()
    .where('province', 'in', [...provinces])
    .execute()) as unknown as Record<string, number | string>[];
  const staffOf = new Map<string, number>();
  for (const a of agencies) staffOf.set(String(a.province), (staffOf.get(String(a.province)) ?? 0) + Number(a.established_staff));
  const groups = new Map<string, { key: Record<string, unknown>; agencies: Set<string>; provinces: Set<string>; n: number; ne: number; price: bigint }>();
  for (const v of vehicles) {
    if (v.status === 'DISPOSED') continue;
    const key = {
      province: by.includes('PROVINCE') ? v.province : null,
      category: by.includes('CATEGORY') ? v.category : null,
      energyType: by.includes('ENERGY_TYPE') ? v.energy_type : null,
    };
    const id = JSON.stringify(key);
    const g = groups.get(id) ?? { key, agencies: new Set(), provinces: new Set(), n: 0, ne: 0, price: 0n };
    g.agencies.add(String(v.agency_id));
    g.provinces.add(String(v.province));
    g.n += 1;
    if (v.energy_type === 'BATTERY_ELECTRIC' || v.energy_type === 'PLUG_IN_HYBRID') g.ne += 1;
    g.price += BigInt(v.price_fen);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => {
    const staff = [...g.provinces].reduce((n, p) => n + (staffOf.get(p) ?? 0), 0);
    return {
      ...g.key,
      agencyCount: g.agencies.size,
      provinces: [...g.provinces].sort(),
      withheld: null,
      vehicleCount: g.n,
      newEnergyCount: g.ne,
      newEnergyShare: asNumber(div(BigInt(g.ne) * 10_000n, BigInt(g.n)), 4),
      establishedStaff: staff,
      staffHundreds: staff / 100,
      vehiclesPerHundredStaff: staff === 0 ? null : asNumber(div(BigInt(g.n) * 100n * 10_000n, BigInt(staff)), 4),
      totalPriceYuan: asNumber(g.price, 2),
    };
  });
}

/**
 * The 2014 office-building standard's per-capita building area, m² per established post
 * (reference §3.3 [S35][S34]): the grade's upper figure, or its lower one when the agency's
 * establishment is above the grade's threshold. 乡级 figures are the province's, capped at
 * 县级's (reference §3.2): judged at the cap, as the contract states.
 */
const GRADES: Record<string, { upper: number; lower: number; above: number }> = {
  CENTRAL: { upper: 30, lower: 26, above: 400 },
  PROVINCIAL: { upper: 30, lower: 26, above: 400 },
  MUNICIPAL: { upper: 24, lower: 20, above: 200 },
  COUNTY: { upper: 18, lower: 16, above: 100 },
  TOWNSHIP: { upper: 18, lower: 16, above: 100 },
};

/** The office-space breakdown of some provinces by some dimensions, from raw rows (areas in hundredths of a m²). */
export async function officeSpaceBreakdownOracle(pdb: ProvinceDatabase, provinces: readonly string[], by: readonly string[]): Promise<OracleGroup[]> {
  const buildings = (await pdb.db
    .selectFrom('buildings')
    .selectAll()
    .where('province', 'in', [...provinces])
    .execute()) as unknown as Record<string, number | string>[];
  const agencies = new Map(
    (
      (await pdb.db
        .selectFrom('agencies')
        .selectAll()
        .where('province', 'in', [...provinces])
        .execute()) as unknown as Record<string, number | string>[]
    ).map((a) => [a.id, a]),
  );
  // Each agency's buildings, summed.
  const perAgency = new Map<string, { agency: Record<string, number | string>; n: number; area: bigint; usable: bigint; staff: number; standard: bigint | null }>();
  for (const b of buildings) {
    const agency = agencies.get(b.agency_id);
    if (!agency) continue;
    const grade = GRADES[String(agency.level)];
    const figure = grade ? (Number(agency.established_staff) > grade.above ? grade.lower : grade.upper) : null;
    const a = perAgency.get(String(b.agency_id)) ?? { agency, n: 0, area: 0n, usable: 0n, staff: 0, standard: figure === null ? null : 0n };
    a.n += 1;
    a.area += hundredths(Number(b.construction_area));
    a.usable += hundredths(Number(b.office_room_usable_area));
    a.staff += Number(b.staff_count);
    if (a.standard !== null && figure !== null) a.standard += BigInt(Number(b.established_staff) * figure) * 100n;
    perAgency.set(String(b.agency_id), a);
  }
  const groups = new Map<
    string,
    {
      key: Record<string, unknown>;
      provinces: Set<string>;
      agencies: number;
      n: number;
      area: bigint;
      usable: bigint;
      staff: number;
      judged: number;
      standard: bigint;
      over: number;
      excess: bigint;
    }
  >();
  for (const a of perAgency.values()) {
    const key = { province: by.includes('PROVINCE') ? a.agency.province : null, agencyLevel: by.includes('AGENCY_LEVEL') ? a.agency.level : null };
    const id = JSON.stringify(key);
    const g = groups.get(id) ?? { key, provinces: new Set(), agencies: 0, n: 0, area: 0n, usable: 0n, staff: 0, judged: 0, standard: 0n, over: 0, excess: 0n };
    g.provinces.add(String(a.agency.province));
    g.agencies += 1;
    g.n += a.n;
    g.area += a.area;
    g.usable += a.usable;
    g.staff += a.staff;
    if (a.standard !== null) {
      g.judged += 1;
      g.standard += a.standard;
      if (a.area > a.standard) {
        g.over += 1;
        g.excess += a.area - a.standard;
      }
    }
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => ({
    ...g.key,
    agencyCount: g.agencies,
    provinces: [...g.provinces].sort(),
    withheld: null,
    buildingCount: g.n,
    constructionArea: asNumber(g.area, 2),
    officeRoomUsableArea: asNumber(g.usable, 2),
    staffCount: g.staff,
    officeAreaPerCapita: g.staff === 0 ? null : asNumber(div(g.usable * 10_000n, BigInt(g.staff) * 100n), 4),
    judgedAgencyCount: g.judged,
    standardArea: asNumber(g.standard, 2),
    overStandardAgencyCount: g.over,
    overStandardShare: g.judged === 0 ? null : asNumber(div(BigInt(g.over) * 10_000n, BigInt(g.judged)), 4),
    overStandardArea: asNumber(g.excess, 2),
  }));
}

/** The cost components as the record stores them (GB/T 44889-2024 blocks), by CostComponent value. */
const COMPONENT_COLUMNS: Record<string, string> = {
  SALARIES: 'salaries_fen',
  OFFICE_EXPENSES: 'office_expenses_fen',
  UTILITIES: 'utilities_fen',
  PROPERTY_MANAGEMENT: 'property_management_fen',
  TRAVEL: 'travel_fen',
  MAINTENANCE: 'maintenance_fen',
  MEETINGS_AND_TRAINING: 'meetings_training_fen',
  OFFICIAL_RECEPTION: 'official_reception_fen',
  VEHICLE_OPERATION: 'vehicle_operation_fen',
  DEPRECIATION: 'depreciation_fen',
  OTHER: 'other_fen',
};

/** The operating-cost breakdown of some provinces from `from` to `to` by some dimensions, from raw rows (fen, as integers). */
export async function operatingCostBreakdownOracle(pdb: ProvinceDatabase, provinces: readonly string[], from: number, to: number, by: readonly string[]): Promise<OracleGroup[]> {
  const costs = (await pdb.db
    .selectFrom('operating_costs as t')
    .innerJoin('agencies as a', 'a.id', 't.agency_id')
    .selectAll('t')
    .select('a.level')
    .where('t.province', 'in', [...provinces])
    .where('t.year', '>=', from)
    .where('t.year', '<=', to)
    .execute()) as unknown as Record<string, number | string>[];
  const reports = await pdb.db
    .selectFrom('energy_reports')
    .select(['agency_id', 'year', 'energy_using_people'])
    .where('province', 'in', [...provinces])
    .execute();
  const people = new Map(reports.map((r) => [`${r.agency_id}|${r.year}`, Number(r.energy_using_people)]));
  const components = by.includes('COMPONENT') ? Object.keys(COMPONENT_COLUMNS) : [null];
  const groups = new Map<
    string,
    { key: Record<string, unknown>; provinces: Set<string>; agencies: number; amount: bigint; total: bigint; staffed: number; staff: number; staffedAmount: bigint }
  >();
  for (const r of costs) {
    // The total is the record's components, summed here rather than read from its total column.
    const total = Object.values(COMPONENT_COLUMNS).reduce((n, c) => n + BigInt(r[c]), 0n);
    const heads = people.get(`${r.agency_id}|${r.year}`);
    for (const component of components) {
      const key = {
        province: by.includes('PROVINCE') ? r.province : null,
        agencyLevel: by.includes('AGENCY_LEVEL') ? r.level : null,
        component,
        year: Number(r.year),
      };
      const id = JSON.stringify(key);
      const g = groups.get(id) ?? { key, provinces: new Set(), agencies: 0, amount: 0n, total: 0n, staffed: 0, staff: 0, staffedAmount: 0n };
      const amount = component ? BigInt(r[COMPONENT_COLUMNS[component]]) : total;
      g.provinces.add(String(r.province));
      g.agencies += 1;
      g.amount += amount;
      g.total += total;
      if (heads !== undefined) {
        g.staffed += 1;
        g.staff += heads;
        g.staffedAmount += amount;
      }
      groups.set(id, g);
    }
  }
  return [...groups.values()].map((g) => ({
    ...g.key,
    agencyCount: g.agencies,
    provinces: [...g.provinces].sort(),
    withheld: null,
    amount: asNumber(g.amount, 2),
    total: asNumber(g.total, 2),
    share: g.total === 0n ? null : asNumber(div(g.amount * 10_000n, g.total), 4),
    staffedAgencyCount: g.staffed,
    staffCount: g.staff,
    staffedAmount: asNumber(g.staffedAmount, 2),
    // yuan per person: fen / 100 / people, to 4 places.
    costPerCapita: g.staff === 0 ? null : asNumber(div(g.staffedAmount * 100n, BigInt(g.staff)), 4),
  }));
}

/** Every subset of some dimensions, the empty one included. */
export function subsets<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((s) => [...s, item])], [[]]);
}

/** Groups in a stable order (by their key fields, of either breakdown), for comparing two answers as sets. */
export function byKey(groups: OracleGroup[]): OracleGroup[] {
  const key = (g: OracleGroup) =>
    JSON.stringify([g.province ?? null, g.agencyLevel ?? null, g.energyType ?? null, g.component ?? null, g.year ?? null, g.category ?? null, g.status ?? null, g.pooled ?? null]);
  return [...groups].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
