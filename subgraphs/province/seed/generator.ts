import { formatId } from '../../../common/ids.js';
import { findProvince, isMunicipality, round, standardBuildingArea, VEHICLE_CATEGORIES, type AgencyLevel } from '../../../common/standards.js';
import type { AgencyRow, StoredBuildingRow, StoredRows, VehicleRow } from '../db/schema.js';
import { kgceMilli } from '../energy.js';
import { agencyCreditCode } from './credit-code.js';
import { AREA_CODES, CAPITALS, DEMO_DIVISIONS, DEPARTMENTS, GIVEN, STREETS, SURNAMES, type Division } from './places.js';
import { Random } from './random.js';

/** How much demo data to generate per province. Fleets follow each agency's establishment (see generateProvince). */
export interface DemoScale {
  agencies: number;
  buildingsPerAgency: number;
  assetsPerAgency: number;
  years: readonly number[];
}

/** The version of the generator's rules: demo databases seeded by another version are seeded anew (scripts/start.ts). */
export const DEMO_DATA_VERSION = 4;

/** The full demo scale: >= 200 agencies, 1,000 buildings, 50,000 assets, 2,000 vehicles and 5 years per province. */
export const FULL_SCALE: DemoScale = { agencies: 230, buildingsPerAgency: 6, assetsPerAgency: 225, years: [2021, 2022, 2023, 2024, 2025] };
/** A small scale for tests. */
export const TEST_SCALE: DemoScale = { agencies: 6, buildingsPerAgency: 2, assetsPerAgency: 12, years: [2024, 2025] };

/** All rows of one province's demo data, in the stored shape. */
export type ProvinceData = StoredRows;

const NORTHERN = new Set(['110000', '120000', '130000']);

/** Asset kinds drawn from GB/T 14885-2022 sample codes, with value range (yuan), service life (years) and weight. */
const ASSET_KINDS = [
  { code: 'A02010105', name: '台式计算机', min: 4000, max: 8500, life: 6, weight: 30 },
  { code: 'A02010108', name: '便携式计算机', min: 5000, max: 12000, life: 6, weight: 12 },
  { code: 'A02010104', name: '服务器', min: 30000, max: 180000, life: 6, weight: 3 },
  { code: 'A02021000', name: '打印机', min: 1500, max: 6000, life: 6, weight: 8 },
  { code: 'A02061804', name: '空调机', min: 3000, max: 15000, life: 8, weight: 8 },
  { code: 'A05010301', name: '办公椅', min: 300, max: 1500, life: 15, weight: 21 },
  { code: 'A05010502', name: '文件柜', min: 800, max: 3000, life: 15, weight: 17.9 },
  { code: 'A01010100', name: '办公用房', min: 5_000_000, max: 40_000_000, life: 50, weight: 0.1 },
] as const;

const VEHICLE_MODELS = [
  { model: '红旗H5 1.5T', energy: 'GASOLINE', ml: 1498, min: 150_000, max: 180_000 },
  { model: '大众朗逸 1.5L', energy: 'GASOLINE', ml: 1498, min: 110_000, max: 120_000 },
  { model: '吉利帝豪 1.5L', energy: 'GASOLINE', ml: 1498, min: 75_000, max: 95_000 },
  { model: '长安逸动 1.6L', energy: 'GASOLINE', ml: 1598, min: 80_000, max: 100_000 },
  { model: '丰田卡罗拉 1.8L 双擎', energy: 'HYBRID', ml: 1798, min: 130_000, max: 160_000 },
  { model: '比亚迪秦PLUS DM-i', energy: 'PLUG_IN_HYBRID', ml: 1498, min: 100_000, max: 150_000 },
  { model: '比亚迪汉EV', energy: 'BATTERY_ELECTRIC', ml: null, min: 170_000, max: 180_000 },
  { model: '荣威Ei5', energy: 'BATTERY_ELECTRIC', ml: null, min: 120_000, max: 150_000 },
  { model: '北汽EU5', energy: 'BATTERY_ELECTRIC', ml: null, min: 110_000, max: 140_000 },
  { model: '江铃全顺 2.0T 柴油', energy: 'DIESEL', ml: 1996, min: 160_000, max: 240_000 },
] as const;

/** Departments whose fleets are mostly 执法执勤 vehicles (front-line enforcement, 中办发〔2017〕71号). */
const ENFORCEMENT = new Set(['公安', '司法', '自然资源', '生态环境', '交通运输', '水利', '农业农村', '市场监督管理', '应急管理', '林业', '综合行政执法队']);

/**
 * Established posts per vehicle: the 2011 办法 allowed one general vehicle per 20 staff
 * (reference §4.2 [S51]); after the 2017 reform the general vehicles went, and what stays is
 * 机要, 应急 and special vehicles (about one per 25 posts here) or, in enforcement
 * departments, 执法执勤 vehicles (about one per 8 posts). Neither ratio is sourced [U].
 */
const POSTS_PER_VEHICLE = { enforcement: 8, other: 25 } as const;

/** Category weights of a fleet. */
const FLEET_MIX = {
  enforcement: [
    ['LAW_ENFORCEMENT', 72],
    ['EMERGENCY', 10],
    ['CONFIDENTIAL_COMMUNICATION', 5],
    ['OTHER', 8],
    ['SPECIAL_TECHNICAL', 5],
  ],
  other: [
    ['CONFIDENTIAL_COMMUNICATION', 30],
    ['EMERGENCY', 25],
    ['OTHER', 40],
    ['SPECIAL_TECHNICAL', 5],
  ],
} as const;

/** Kilometres a vehicle runs in a year. */
const KM_PER_YEAR = { min: 8_000, max: 20_000 } as const;

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

/** A date as YYYY-MM-DD. */
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Splits a whole number into n whole parts as equal as possible (larger parts first), summing to the total. */
function split(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => base + (i < total - base * n ? 1 : 0));
}

/** A plate not yet given in this province. */
function uniquePlate(given: Set<string>, draw: () => string): string {
  let plate = draw();
  while (given.has(plate)) plate = draw();
  given.add(plate);
  return plate;
}

/**
 * Where an agency of a level sits, by GB/T 2260 code: a provincial one at the province, a city's
 * at its prefecture-level city (in a municipality, at a district), a county's at a district or
 * county of a city, a town's office under a county (in a municipality, under a district).
 */
function placeOf(level: AgencyLevel, provinceCode: string, divisions: readonly Division[], rnd: Random): { code: string; name: string } {
  if (level === 'PROVINCIAL' || level === 'CENTRAL') return { code: provinceCode, name: '' };
  const division = rnd.pick(divisions);
  if (level === 'MUNICIPAL' || !division.counties?.length) return { code: division.code, name: division.name };
  const county = rnd.pick(division.counties);
  return { code: county.code, name: `${division.name}${county.name}` };
}

/**
 * Generates one province's demo data. The same province, seed and scale always give the same
 * rows. The rows follow the reference's rules, so the data-quality rules (data-quality/rules.ts)
 * find nothing: codes valid, areas consistent (office rooms within the building, floors of a
 * plausible plate), dates ordered (a pooled asset offered after it was acquired), vehicles
 * within their category's price and displacement caps, fleets sized from the establishment,
 * mileage growing with age, and energy use from the buildings and the fleet.
 */
export function generateProvince(provinceCode: string, scale: DemoScale, seed = 'xietong-demo'): ProvinceData {
  const province = findProvince(provinceCode);
  if (!province) throw new Error(`unknown province ${provinceCode}`);
  const rnd = new Random(`${seed}:${provinceCode}`);
  // Outside the demo provinces: the capital's city-level agencies only (no county codes are known here).
  const divisions = DEMO_DIVISIONS[provinceCode] ?? (CAPITALS[provinceCode] ? [CAPITALS[provinceCode]] : [{ code: provinceCode, name: province.name }]);
  const hasCounties = divisions.some((d) => d.counties?.length);
  const data: ProvinceData = { agencies: [], buildings: [], assets: [], vehicles: [], energy_reports: [], operating_costs: [] };
  const counters = { building: 0, asset: 0, vehicle: 0, report: 0, cost: 0 };
  const today = Date.UTC(2025, 11, 31);
  const dayBetween = (from: number, to: number) => from + rnd.int(0, Math.max(0, Math.floor((to - from) / DAY_MS))) * DAY_MS;

  const municipality = isMunicipality(provinceCode);
  // One provincial department of each kind: never two 教育厅 in one province.
  const provincial = Math.min(DEPARTMENTS.length, Math.max(1, Math.round(scale.agencies * 0.15)));
  const usedDepartments = new Map<string, Set<number>>();
  const plates = new Set<string>();
  for (let a = 1; a <= scale.agencies; a++) {
    // A municipality's district bureaus rank as a city's (二级); elsewhere cities, counties and towns.
    const level: AgencyLevel =
      a <= provincial
        ? 'PROVINCIAL'
        : municipality
          ? rnd.weighted([
              ['MUNICIPAL', 9],
              ['TOWNSHIP', 1],
            ] as const)
          : hasCounties
            ? rnd.weighted([
                ['MUNICIPAL', 5],
                ['COUNTY', 4],
                ['TOWNSHIP', 1],
              ] as const)
            : 'MUNICIPAL';
    const division = placeOf(level, provinceCode, divisions, rnd);
    const key = `${level}:${division.code}`;
    const used = usedDepartments.get(key) ?? new Set<number>();
    usedDepartments.set(key, used);
    let d = (a - 1) % DEPARTMENTS.length;
    for (let tries = 0; used.has(d) && tries < DEPARTMENTS.length; tries++) d = (d + 1) % DEPARTMENTS.length;
    used.add(d);
    const [departmentName, provSuffix, localSuffix] = DEPARTMENTS[d];
    const township = level === 'TOWNSHIP' ? rnd.pick(['党政办公室', '综合行政执法队', '便民服务中心']) : '';
    const dept = township || departmentName;
    const prefix = level === 'PROVINCIAL' ? province.name : level === 'TOWNSHIP' ? `${division.name}${rnd.pick(['城关镇', '新城街道', '东湖街道', '临江镇'])}` : division.name;
    const name = level === 'TOWNSHIP' ? `${prefix}人民政府${township}` : `${prefix}${dept}${level === 'PROVINCIAL' ? provSuffix : localSuffix}`;
    const established = level === 'PROVINCIAL' ? rnd.int(80, 520) : level === 'MUNICIPAL' ? rnd.int(40, 260) : level === 'COUNTY' ? rnd.int(20, 140) : rnd.int(10, 60);
    const actual = Math.round(established * rnd.between(0.92, 1.25));
    const orgBody = String(rnd.int(10_000_000, 99_999_999));
    const agency: AgencyRow = {
      id: formatId(provinceCode, 'agency', a),
      province: provinceCode,
      credit_code: agencyCreditCode(division.code, orgBody),
      name: data.agencies.some((x) => x.name === name) ? `${name}(${a})` : name,
      level,
      division_code: division.code,
      established_staff: established,
      actual_staff: actual,
      contact_person: `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}`,
      contact_phone: `${AREA_CODES[provinceCode] ?? '010'}-${rnd.int(6000_0000, 8999_9999)}`,
    };
    data.agencies.push(agency);

    // Buildings: the establishment and the people spread over the agency's buildings (small
    // agencies have fewer); each building's area around its own standard (posts x the grade figure).
    const nBuildings = Math.max(1, Math.min(scale.buildingsPerAgency + rnd.int(-1, 1), Math.ceil(established / 20)));
    const figure = standardBuildingArea(level, established) / established;
    const postsOf = split(established, nBuildings);
    const peopleOf = split(actual, nBuildings);
    const agencyBuildings: StoredBuildingRow[] = [];
    for (let b = 0; b < nBuildings; b++) {
      const standard = postsOf[b] * figure;
      const construction = round(
        standard *
          rnd.weighted([
            [rnd.between(0.85, 1.0), 75],
            [rnd.between(1.0, 1.3), 25],
          ] as const),
        2,
      );
      // A floor plate of 150-700 m2 (larger buildings, larger plates), never under 80 m2 a floor, at most 30 floors.
      const plate = rnd.between(150, 350) + Math.min(350, construction / 20);
      const floors = Math.max(1, Math.min(30, Math.floor(construction / 80), Math.round(construction / plate)));
      // Office rooms: 9-13 m2 a person (the 2014 allowances, mostly 科级以下 9 m2), within two thirds of the building.
      const office = round(Math.min(peopleOf[b] * rnd.between(9, 13), construction * 0.65), 2);
      const building: StoredBuildingRow = {
        id: formatId(provinceCode, 'building', ++counters.building),
        province: provinceCode,
        agency_id: agency.id,
        name: `${agency.name}${b === 0 ? '办公楼' : `${b + 1}号楼`}`,
        address: `${province.name}${division.name}${rnd.pick(STREETS)}${rnd.int(1, 399)}号`,
        // Public-security and state-security premises are restricted (涉密).
        restricted: dept === '公安' || dept === '国家安全' || rnd.chance(0.03) ? 1 : 0,
        // The main building stands before the first reported year; later ones may be newer.
        build_year: b === 0 ? rnd.int(1978, 2015) : rnd.int(1985, 2024),
        floors,
        construction_area: construction,
        office_room_usable_area: office,
        staff_count: peopleOf[b],
        established_staff: postsOf[b],
      };
      agencyBuildings.push(building);
      data.buildings.push(building);
    }

    // Assets: equipment and furniture cards, straight-line depreciation to the end of 2025.
    // Cards follow the people: assetsPerAgency is the count for an agency of 150.
    const nAssets = Math.max(1, Math.round(((scale.assetsPerAgency * actual) / 150) * rnd.between(0.8, 1.2)));
    for (let i = 0; i < nAssets; i++) {
      const kind = rnd.weighted(ASSET_KINDS.map((k) => [k, k.weight] as const));
      const original = Math.round(rnd.between(kind.min, kind.max) * 100);
      const acquired = Date.UTC(rnd.int(2010, 2025), rnd.int(0, 11), rnd.int(1, 28));
      const ageYears = (today - acquired) / YEAR_MS;
      const net = Math.max(0, Math.round(original * (1 - ageYears / kind.life)));
      const status = rnd.weighted([
        ['IN_USE', 84],
        ['IDLE', 7],
        ['LEASED_OUT', 1],
        ['LENT_OUT', 1],
        ['PENDING_DISPOSAL', 4],
        ['DISPOSED', 3],
      ] as const);
      const pooled = status === 'IDLE' && rnd.chance(0.4);
      data.assets.push({
        id: formatId(provinceCode, 'asset', ++counters.asset),
        province: provinceCode,
        agency_id: agency.id,
        building_id: rnd.chance(0.95) ? rnd.pick(agencyBuildings).id : null,
        name: kind.name,
        category_code: kind.code,
        original_value_fen: original,
        net_value_fen: net,
        acquired_on: isoDay(acquired),
        status,
        offered_to_pool: pooled ? 1 : 0,
        // Offered after it was acquired, in the pool's first two years.
        offered_at: pooled ? isoDay(dayBetween(Math.max(acquired, Date.UTC(2024, 0, 1)), today)) : null,
      });
    }

    // Vehicles: the fleet follows the establishment; each vehicle within its category's caps.
    const enforcement = ENFORCEMENT.has(dept);
    const perVehicle = enforcement ? POSTS_PER_VEHICLE.enforcement : POSTS_PER_VEHICLE.other;
    const nVehicles = Math.max(level === 'TOWNSHIP' ? 0 : 1, Math.round((established / perVehicle) * rnd.between(0.7, 1.3)));
    const fleet: VehicleRow[] = [];
    for (let i = 0; i < nVehicles; i++) {
      const year = rnd.weighted([2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025].map((y) => [y, y >= 2018 ? 10 : 5] as const));
      const purchased = Date.UTC(year, rnd.int(0, 11), rnd.int(1, 28));
      const category = rnd.weighted(FLEET_MIX[enforcement ? 'enforcement' : 'other']);
      const caps = VEHICLE_CATEGORIES.find((c) => c.code === category)!;
      const nevShare = year >= 2023 ? 0.45 : year >= 2020 ? 0.25 : 0.08;
      const wantNev = rnd.chance(nevShare);
      const fits = (m: (typeof VEHICLE_MODELS)[number]) =>
        (caps.maxDisplacementL === null || m.ml === null || m.ml <= caps.maxDisplacementL * 1000) && (caps.maxPriceYuan === null || m.min <= caps.maxPriceYuan);
      // Diesel vans carry special equipment; only that category has them.
      const candidates = VEHICLE_MODELS.filter(
        (m) =>
          fits(m) &&
          (m.energy === 'DIESEL') === (category === 'SPECIAL_TECHNICAL' && rnd.chance(0.6)) &&
          (m.energy === 'BATTERY_ELECTRIC' || m.energy === 'PLUG_IN_HYBRID') === wantNev,
      );
      const m = rnd.pick(candidates.length ? candidates : VEHICLE_MODELS.filter((x) => fits(x) && x.energy !== 'DIESEL'));
      const nev = m.energy === 'BATTERY_ELECTRIC' || m.energy === 'PLUG_IN_HYBRID';
      const maxPrice = Math.min(m.max, caps.maxPriceYuan ?? m.max);
      const price = Math.floor(rnd.between(Math.min(m.min, maxPrice), maxPrice) / 100) * 100;
      const vehicle: VehicleRow = {
        id: formatId(provinceCode, 'vehicle', ++counters.vehicle),
        province: provinceCode,
        agency_id: agency.id,
        plate_number: uniquePlate(
          plates,
          () => `${province.plate}${String.fromCharCode(65 + rnd.int(0, 5))}${nev ? rnd.pick(['D', 'F']) : ''}${String(rnd.int(0, 99999)).padStart(5, '0')}`,
        ),
        model: m.model,
        category,
        energy_type: m.energy,
        price_fen: price * 100,
        displacement_ml: m.ml,
        purchased_on: isoDay(purchased),
        status:
          year < 2018
            ? rnd.weighted([
                ['IN_SERVICE', 60],
                ['PENDING_DISPOSAL', 25],
                ['SEALED', 10],
                ['DISPOSED', 5],
              ] as const)
            : rnd.weighted([
                ['IN_SERVICE', 95],
                ['SEALED', 5],
              ] as const),
        mileage_km: 0,
        assigned_driver: rnd.chance(0.6) ? `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}` : null,
      };
      // A vehicle out of service stopped running when it was taken out (six years after purchase at most).
      const retired = vehicle.status === 'IN_SERVICE' ? today : Math.min(today, purchased + 6 * YEAR_MS);
      vehicle.mileage_km = Math.round(((retired - purchased) / YEAR_MS) * rnd.between(KM_PER_YEAR.min, KM_PER_YEAR.max));
      fleet.push(vehicle);
      data.vehicles.push(vehicle);
    }
    /** Vehicles running in a year: bought by then, and not yet out of service (six years after purchase at most). */
    const runningIn = (year: number) =>
      fleet.filter((v) => {
        const bought = Number(v.purchased_on.slice(0, 4));
        return bought <= year && (v.status === 'IN_SERVICE' || year <= bought + 6);
      });

    // Energy reports: buildings at kgce/m2 around the Guangdong 2021 机关 averages, falling about
    // 1.5 % a year, plus the fleet's fuel (about 0.6-1.5 thousand litres a vehicle a year).
    const intensity = rnd.between(9, 15);
    for (const year of scale.years) {
      // The area in use that year: buildings completed by then.
      const area = round(
        agencyBuildings.filter((b) => b.build_year <= year).reduce((s, b) => s + b.construction_area, 0),
        2,
      );
      const running = runningIn(year);
      const burning = (energies: readonly string[]) => running.filter((v) => energies.includes(v.energy_type)).length;
      const trend = 1 - 0.015 * (year - 2021);
      const people = Math.round(actual * rnd.between(1.0, 1.15));
      const kgce = area * intensity * trend * rnd.between(0.93, 1.07);
      const heat = NORTHERN.has(provinceCode) ? round((kgce * 0.25) / 0.03412, 2) : 0;
      const coal = provinceCode === '130000' && level === 'TOWNSHIP' ? round((kgce * 0.1) / 0.7143, 2) : 0;
      const gas = rnd.chance(0.6) ? round((kgce * 0.12) / 1.2143, 2) : 0;
      const gasoline = round((burning(['GASOLINE', 'HYBRID']) + 0.4 * burning(['PLUG_IN_HYBRID'])) * rnd.between(600, 1_500), 2);
      const diesel = round(burning(['DIESEL']) * rnd.between(900, 2_000), 2);
      const lpg = round(rnd.chance(0.25) ? rnd.between(100, 1500) : 0, 2);
      const electricity = Math.round((Math.max(0, kgce - heat * 0.03412 - coal * 0.7143 - gas * 1.2143) / 0.1229) * 0.9);
      const water = round(people * rnd.between(18, 45), 2);
      const quantities = { ELECTRICITY: electricity, WATER: water, COAL: coal, NATURAL_GAS: gas, LPG: lpg, GASOLINE: gasoline, DIESEL: diesel, HEAT: heat };
      const cost = electricity * 0.78 + water * 4.6 + gas * 3.4 + gasoline * 7.9 + diesel * 7.6 + lpg * 6.5 + heat * 0.045 + coal * 0.9;
      data.energy_reports.push({
        id: formatId(provinceCode, 'energyReport', ++counters.report),
        province: provinceCode,
        agency_id: agency.id,
        year,
        building_area: area,
        energy_using_people: people,
        electricity_kwh: electricity,
        water_m3: water,
        coal_kg: coal,
        natural_gas_m3: gas,
        lpg_kg: lpg,
        gasoline_l: gasoline,
        diesel_l: diesel,
        heat_mj: heat,
        cost_fen: Math.round(cost * 100),
        total_kgce_milli: kgceMilli(quantities),
        revision: 0,
      });

      const fen = (yuan: number) => Math.round(yuan * 100);
      const parts = {
        salaries_fen: fen(actual * rnd.between(120_000, 210_000)),
        office_expenses_fen: fen(actual * rnd.between(2_000, 6_000)),
        utilities_fen: fen(cost * rnd.between(0.95, 1.05)),
        property_management_fen: fen(area * rnd.between(25, 60)),
        travel_fen: fen(actual * rnd.between(1_500, 5_000)),
        maintenance_fen: fen(area * rnd.between(8, 30)),
        meetings_training_fen: fen(actual * rnd.between(800, 3_000)),
        official_reception_fen: fen(actual * rnd.between(100, 800)),
        vehicle_operation_fen: fen(running.length * rnd.between(12_000, 25_000)),
        depreciation_fen: fen(area * rnd.between(20, 45)),
        other_fen: fen(actual * rnd.between(500, 2_500)),
      };
      data.operating_costs.push({
        id: formatId(provinceCode, 'operatingCost', ++counters.cost),
        province: provinceCode,
        agency_id: agency.id,
        year,
        ...parts,
        total_fen: Object.values(parts).reduce((s, v) => s + v, 0),
      });
    }
  }
  return data;
}
