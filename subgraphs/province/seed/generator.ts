import { formatId } from '../../../common/ids.js';
import { findProvince, round, standardBuildingArea, type AgencyLevel } from '../../../common/standards.js';
import type { AgencyRow, AssetRow, BuildingRow, EnergyReportRow, OperatingCostRow, VehicleRow } from '../db/schema.js';
import { kgceMilli } from '../energy.js';
import { agencyCreditCode } from './credit-code.js';
import { AREA_CODES, DEMO_DIVISIONS, DEPARTMENTS, GIVEN, STREETS, SURNAMES } from './places.js';
import { Random } from './random.js';

/** How much demo data to generate per province. */
export interface DemoScale {
  agencies: number;
  buildingsPerAgency: number;
  assetsPerAgency: number;
  vehiclesPerAgency: number;
  years: readonly number[];
}

/** The full demo scale: >= 200 agencies, 1,000 buildings, 50,000 assets, 2,000 vehicles and 5 years per province. */
export const FULL_SCALE: DemoScale = { agencies: 220, buildingsPerAgency: 5, assetsPerAgency: 235, vehiclesPerAgency: 10, years: [2021, 2022, 2023, 2024, 2025] };
/** A small scale for tests. */
export const TEST_SCALE: DemoScale = { agencies: 6, buildingsPerAgency: 2, assetsPerAgency: 12, vehiclesPerAgency: 2, years: [2024, 2025] };

/** All rows of one province's demo data, in the standard shape. */
export interface ProvinceData {
  agencies: AgencyRow[];
  buildings: BuildingRow[];
  assets: AssetRow[];
  vehicles: VehicleRow[];
  energy_reports: EnergyReportRow[];
  operating_costs: OperatingCostRow[];
}

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

/** Generates one province's demo data. The same province, seed and scale always give the same rows. */
export function generateProvince(provinceCode: string, scale: DemoScale, seed = 'xietong-demo'): ProvinceData {
  const province = findProvince(provinceCode);
  if (!province) throw new Error(`unknown province ${provinceCode}`);
  const rnd = new Random(`${seed}:${provinceCode}`);
  const divisions = DEMO_DIVISIONS[provinceCode] ?? [{ code: provinceCode, name: province.name }];
  const municipality = provinceCode.endsWith('0000') && ['11', '12', '31', '50'].includes(provinceCode.slice(0, 2));
  const data: ProvinceData = { agencies: [], buildings: [], assets: [], vehicles: [], energy_reports: [], operating_costs: [] };
  const counters = { building: 0, asset: 0, vehicle: 0, report: 0, cost: 0 };
  const today = new Date('2025-12-31');

  for (let a = 1; a <= scale.agencies; a++) {
    const level: AgencyLevel =
      a <= Math.max(1, Math.round(scale.agencies * 0.15))
        ? 'PROVINCIAL'
        : rnd.weighted([
            ['MUNICIPAL', 5],
            ['COUNTY', 4],
            ['TOWNSHIP', 1],
          ] as const);
    const division = level === 'PROVINCIAL' ? { code: provinceCode, name: '' } : rnd.pick(divisions);
    const [dept, provSuffix, localSuffix] = DEPARTMENTS[(a - 1) % DEPARTMENTS.length];
    const prefix =
      level === 'PROVINCIAL'
        ? municipality
          ? province.name
          : province.name
        : level === 'TOWNSHIP'
          ? `${division.name}${rnd.pick(['城关镇', '新城街道', '东湖街道', '临江镇'])}`
          : division.name;
    const name =
      level === 'TOWNSHIP'
        ? `${prefix}人民政府${rnd.pick(['党政办公室', '综合行政执法队', '便民服务中心'])}`
        : `${prefix}${dept}${level === 'PROVINCIAL' ? provSuffix : localSuffix}`;
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

    // Buildings: the agency's staff spread over its buildings; areas around the 2014 grade figure.
    const nBuildings = Math.max(1, scale.buildingsPerAgency + rnd.int(-1, 1));
    const agencyBuildings: BuildingRow[] = [];
    for (let b = 0; b < nBuildings; b++) {
      const share = 1 / nBuildings;
      const staff = Math.max(1, Math.round(actual * share));
      const est = Math.max(1, Math.round(established * share));
      const std = round(standardBuildingArea(level, established) * share, 2);
      const construction = round(
        std *
          rnd.weighted([
            [rnd.between(0.7, 1.0), 80],
            [rnd.between(1.0, 1.45), 20],
          ] as const),
        2,
      );
      const building: BuildingRow = {
        id: formatId(provinceCode, 'building', ++counters.building),
        province: provinceCode,
        agency_id: agency.id,
        name: `${agency.name}${b === 0 ? '办公楼' : `${b + 1}号楼`}`,
        address: `${province.name}${division.name}${rnd.pick(STREETS)}${rnd.int(1, 399)}号`,
        // Public-security and state-security premises are restricted (涉密).
        restricted: dept === '公安' || dept === '国家安全' || rnd.chance(0.03) ? 1 : 0,
        build_year: rnd.int(1978, 2022),
        floors: rnd.int(3, 24),
        construction_area: construction,
        office_room_usable_area: round(staff * rnd.between(8.5, 15.5), 2),
        staff_count: staff,
        established_staff: est,
        standard_area: std,
        exceeds_standard: construction > std ? 1 : 0,
      };
      agencyBuildings.push(building);
      data.buildings.push(building);
    }

    // Assets: equipment and furniture cards, straight-line depreciation to the end of 2025.
    const nAssets = Math.max(1, Math.round(scale.assetsPerAgency * rnd.between(0.8, 1.2)));
    for (let i = 0; i < nAssets; i++) {
      const kind = rnd.weighted(ASSET_KINDS.map((k) => [k, k.weight] as const));
      const original = Math.round(rnd.between(kind.min, kind.max) * 100);
      const acquired = new Date(Date.UTC(rnd.int(2010, 2025), rnd.int(0, 11), rnd.int(1, 28)));
      const ageYears = (today.getTime() - acquired.getTime()) / (365.25 * 86400_000);
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
        acquired_on: acquired.toISOString().slice(0, 10),
        status,
        offered_to_pool: pooled ? 1 : 0,
        offered_at: pooled ? `2025-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}` : null,
      });
    }

    // Vehicles: the five 2017 categories; new-energy share rising with the purchase year.
    const nVehicles = Math.max(0, scale.vehiclesPerAgency + rnd.int(-2, 2));
    for (let i = 0; i < nVehicles; i++) {
      const year = rnd.int(2015, 2025);
      const nevShare = year >= 2023 ? 0.45 : year >= 2020 ? 0.25 : 0.08;
      const wantNev = rnd.chance(nevShare);
      const candidates = VEHICLE_MODELS.filter((m) => (m.energy === 'BATTERY_ELECTRIC' || m.energy === 'PLUG_IN_HYBRID') === wantNev);
      const m = rnd.pick(candidates);
      const category =
        m.energy === 'DIESEL'
          ? 'SPECIAL_TECHNICAL'
          : rnd.weighted([
              ['LAW_ENFORCEMENT', 45],
              ['EMERGENCY', 15],
              ['CONFIDENTIAL_COMMUNICATION', 12],
              ['OTHER', 20],
              ['SPECIAL_TECHNICAL', 3],
            ] as const);
      const nev = m.energy === 'BATTERY_ELECTRIC' || m.energy === 'PLUG_IN_HYBRID';
      const maxPrice = category === 'CONFIDENTIAL_COMMUNICATION' ? Math.min(m.max, 120_000) : m.max;
      const price = Math.round(rnd.between(Math.min(m.min, maxPrice), maxPrice) / 100) * 100;
      data.vehicles.push({
        id: formatId(provinceCode, 'vehicle', ++counters.vehicle),
        province: provinceCode,
        agency_id: agency.id,
        plate_number: `${province.plate}${String.fromCharCode(65 + rnd.int(0, 5))}${nev ? rnd.pick(['D', 'F']) : ''}${String(rnd.int(0, 99999)).padStart(5, '0')}`,
        model: m.model,
        category,
        energy_type: m.energy,
        price_fen: price * 100,
        displacement_ml: m.ml,
        purchased_on: `${year}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
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
        mileage_km: rnd.int(3000, 25000) * (2026 - year),
        assigned_driver: rnd.chance(0.6) ? `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}` : null,
      });
    }

    // Energy reports: kgce/m2 around the Guangdong 2021 机关 averages, falling about 1.5 % a year.
    const area = round(
      agencyBuildings.reduce((s, b) => s + b.construction_area, 0),
      2,
    );
    const intensity = rnd.between(9, 15);
    for (const year of scale.years) {
      const trend = 1 - 0.015 * (year - 2021);
      const people = Math.round(actual * rnd.between(1.0, 1.15));
      const kgce = area * intensity * trend * rnd.between(0.93, 1.07);
      const heat = NORTHERN.has(provinceCode) ? round((kgce * 0.25) / 0.03412, 2) : 0;
      const coal = provinceCode === '130000' && level === 'TOWNSHIP' ? round((kgce * 0.1) / 0.7143, 2) : 0;
      const gas = rnd.chance(0.6) ? round((kgce * 0.12) / 1.2143, 2) : 0;
      const gasoline = round(nVehicles * rnd.between(800, 2200), 2);
      const diesel = round(rnd.chance(0.2) ? rnd.between(200, 3000) : 0, 2);
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
        vehicle_operation_fen: fen(nVehicles * rnd.between(12_000, 25_000)),
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
