import { provinceOfId } from '../../../common/ids.js';
import { AGENCY_LEVELS, ASSET_CATEGORIES, isMunicipality, VEHICLE_CATEGORIES } from '../../../common/standards.js';
import type { AgencyRow, AssetTransferRow, StoredRows } from '../db/schema.js';
import { kgceMilli } from '../energy.js';
import { isValidCreditCode } from '../seed/credit-code.js';

/**
 * The data-quality rules a province runs over its own data, as one table. Each rule names the
 * table it reads, what a violation is, and where the rule comes from (a section of
 * ../shared/reference/domain-standards.md, or "plausibility [U]" for a bound no standard sets).
 * A rule is a pure predicate over one stored row and the facts of its province (`Facts`).
 */

/** One province's stored rows, the input of every rule. */
export interface QualityData extends StoredRows {
  province: string;
  /** The day the check runs (YYYY-MM-DD): nothing may be dated after it. */
  today: string;
  asset_transfers: AssetTransferRow[];
}

/** What rules look up besides the row itself. */
export interface Facts {
  province: string;
  today: string;
  agencies: ReadonlyMap<string, AgencyRow>;
  /** Vehicles not yet disposed, per agency. */
  fleet: ReadonlyMap<string, number>;
  /** Asset ids with a transfer step recorded at this province. */
  transferred: ReadonlySet<string>;
  /** How many vehicles carry each plate. */
  plates: ReadonlyMap<string, number>;
}

/** The kind of fault a rule finds. */
export type RuleCategory = 'CODE_VALIDITY' | 'PLAUSIBILITY' | 'CONSISTENCY' | 'COMPLETENESS';

/** A table the rules read. */
export type CheckedTable = 'agencies' | 'buildings' | 'assets' | 'vehicles' | 'energy_reports' | 'operating_costs';

/** One rule: an id that stays stable, what it checks, its source, and the predicate (true = violated). */
export interface QualityRule<T extends CheckedTable = CheckedTable> {
  id: string;
  category: RuleCategory;
  table: T;
  title: string;
  source: string;
  violates: (row: QualityData[T][number], facts: Facts) => boolean;
}

/** A rule over one table, typed by it. */
const rule = <T extends CheckedTable>(r: QualityRule<T>) => r as unknown as QualityRule;

const YEAR_MS = 365.25 * 86_400_000;
const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
const missing = (row: object, fields: readonly string[]) => fields.some((f) => blank((row as Record<string, unknown>)[f]));
const levels: readonly string[] = AGENCY_LEVELS;
const topCategories = new Set(ASSET_CATEGORIES.map((c) => c.code));
const vehicleCaps = new Map<string, (typeof VEHICLE_CATEGORIES)[number]>(VEHICLE_CATEGORIES.map((c) => [c.code, c]));
/** Whether a stored value is above a category cap given in another unit (`scale` stored units per cap unit); no cap, no value: not above. */
const aboveCap = (value: number | null, cap: number | null | undefined, scale: number) => value !== null && cap !== null && cap !== undefined && value > cap * scale;
/** Whether a division code has the granularity of an agency level (GB/T 2260: PP CC DD). */
function levelFits(level: string, division: string, province: string): boolean {
  if (division.slice(0, 2) !== province.slice(0, 2)) return false;
  const prefecture = division.endsWith('00');
  if (level === 'PROVINCIAL' || level === 'CENTRAL') return division === province;
  if (level === 'MUNICIPAL') return isMunicipality(province) ? !prefecture : prefecture && division !== province;
  return !prefecture;
}
const isDay = (v: string | null) => v !== null && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

/** The largest office-room allowance of one person in the 2014 standard (部级/省级正职, m2). */
export const MAX_OFFICE_AREA_PER_PERSON = 54;
/** The fewest m2 a floor of an office building plausibly has. */
export const MIN_AREA_PER_FLOOR = 60;
/** At most one vehicle per this many established posts, plus one (plausibility). */
export const MIN_POSTS_PER_VEHICLE = 5;
/** The most kilometres a vehicle plausibly runs in a year. */
export const MAX_KM_PER_YEAR = 60_000;
/** Energy per person and per m2 above 3x the highest institution-type average of Guangdong 2021 are implausible. */
export const MAX_KGCE_PER_PERSON = 3 * 517.33;
export const MAX_KGCE_PER_AREA = 3 * 15.88;

/** Every rule, in the order reports list them. */
export const QUALITY_RULES: readonly QualityRule[] = [
  // Code validity.
  rule({
    id: 'agency.credit-code',
    category: 'CODE_VALIDITY',
    table: 'agencies',
    title: 'The unified social credit code has 18 characters and a valid GB 32100 check character.',
    source: 'GB 32100-2015; the unit key of the energy survey since 2022 (§0, §1.1 [S02])',
    violates: (a) => !isValidCreditCode(a.credit_code),
  }),
  rule({
    id: 'agency.division-code',
    category: 'CODE_VALIDITY',
    table: 'agencies',
    title: "The division code is a 6-digit GB/T 2260 code inside the agency's province.",
    source: 'GB/T 2260 (§6 [S70])',
    violates: (a, f) => !/^\d{6}$/.test(a.division_code) || a.division_code.slice(0, 2) !== f.province.slice(0, 2),
  }),
  rule({
    id: 'agency.level',
    category: 'CODE_VALIDITY',
    table: 'agencies',
    title: 'The level is one of the five classes of organ (中央, 省, 市, 县, 乡).',
    source: '发改投资〔2014〕2674号 (§3.1 [S31])',
    violates: (a) => !levels.includes(a.level),
  }),
  rule({
    id: 'agency.level-division',
    category: 'CODE_VALIDITY',
    table: 'agencies',
    title:
      "The division code fits the level: the province itself for a provincial organ, a prefecture-level city for a city's (a district in a municipality), a district or county below that for a county's or a town's.",
    source: 'GB/T 2260 code structure, province (2) + prefecture (2) + county (2) (§6 [S70][S73])',
    violates: (a, f) => !levelFits(a.level, a.division_code, f.province),
  }),
  rule({
    id: 'asset.category-code',
    category: 'CODE_VALIDITY',
    table: 'assets',
    title: 'The category is a GB/T 14885-2022 code (a letter and 8 digits) under one of the 8 top-level categories.',
    source: 'GB/T 14885-2022 (§2.2 [S24])',
    violates: (a) => !/^A\d{8}$/.test(a.category_code) || !topCategories.has(a.category_code.slice(0, 3)),
  }),
  rule({
    id: 'vehicle.category',
    category: 'CODE_VALIDITY',
    table: 'vehicles',
    title: 'The establishment category is one of the five of 2017.',
    source: '中办发〔2017〕71号 (§4.1 [S47])',
    violates: (v) => !vehicleCaps.has(v.category),
  }),
  ...(['agencies', 'buildings', 'assets', 'vehicles', 'energy_reports', 'operating_costs'] as const).map((table) =>
    rule({
      id: `${table}.own-province`,
      category: 'CODE_VALIDITY' as const,
      table,
      title: 'The record is of this province: its id carries the province code, and so does its province column.',
      source: 'the contract: every id is global, prefixed by the owning province (schema/province.graphql)',
      violates: (r: { id: string; province: string }, f: Facts) => r.province !== f.province || provinceOfId(r.id) !== f.province,
    }),
  ),

  // Physical plausibility.
  rule({
    id: 'building.area-per-floor',
    category: 'PLAUSIBILITY',
    table: 'buildings',
    title: `A floor has at least ${MIN_AREA_PER_FLOOR} m2 of construction area (construction area / floors).`,
    source: 'plausibility [U]: no standard sets a floor plate',
    violates: (b) => !(b.floors >= 1) || b.construction_area / b.floors < MIN_AREA_PER_FLOOR,
  }),
  rule({
    id: 'building.office-area-per-person',
    category: 'PLAUSIBILITY',
    table: 'buildings',
    title: `Office-room usable area per person working there is at most ${MAX_OFFICE_AREA_PER_PERSON} m2, the largest single allowance of the 2014 standard.`,
    source: '发改投资〔2014〕2674号, 部级/省级正职 54 m2 (§3.2 [S32])',
    violates: (b) => b.staff_count > 0 && b.office_room_usable_area / b.staff_count > MAX_OFFICE_AREA_PER_PERSON,
  }),
  rule({
    id: 'vehicle.price-cap',
    category: 'PLAUSIBILITY',
    table: 'vehicles',
    title: "The purchase price is within its category's cap (机要 12万, 应急/执法/其他 18万 yuan).",
    source: '中办发〔2017〕71号 price standards (§4.2 [S49])',
    violates: (v) => aboveCap(v.price_fen, vehicleCaps.get(v.category)?.maxPriceYuan, 100),
  }),
  rule({
    id: 'vehicle.displacement-cap',
    category: 'PLAUSIBILITY',
    table: 'vehicles',
    title: "The displacement is within its category's cap (机要 1.6 L, 应急/执法/其他 1.8 L).",
    source: '中办发〔2017〕71号 displacement standards (§4.2 [S49])',
    violates: (v) => aboveCap(v.displacement_ml, vehicleCaps.get(v.category)?.maxDisplacementL, 1000),
  }),
  rule({
    id: 'vehicle.fleet-size',
    category: 'PLAUSIBILITY',
    table: 'agencies',
    title: `An agency has at most one vehicle (not disposed) per ${MIN_POSTS_PER_VEHICLE} established posts, plus one.`,
    source: 'plausibility [U], from the 2011 rule of one vehicle per 20 staff (§4.2 [S51]) with room for enforcement fleets',
    violates: (a, f) => (f.fleet.get(a.id) ?? 0) > a.established_staff / MIN_POSTS_PER_VEHICLE + 1,
  }),
  rule({
    id: 'vehicle.mileage-for-age',
    category: 'PLAUSIBILITY',
    table: 'vehicles',
    title: `The odometer shows at most ${MAX_KM_PER_YEAR.toLocaleString('en-US')} km per year since purchase (a vehicle counts as at least a month old).`,
    source: 'plausibility [U]',
    violates: (v, f) => isDay(v.purchased_on) && v.mileage_km > Math.max(1 / 12, (Date.parse(f.today) - Date.parse(v.purchased_on)) / YEAR_MS) * MAX_KM_PER_YEAR,
  }),
  rule({
    id: 'energy.kgce-per-person',
    category: 'PLAUSIBILITY',
    table: 'energy_reports',
    title: `kgce per energy-using person is at most ${MAX_KGCE_PER_PERSON.toFixed(2)} (3x the highest 机关 average).`,
    source: 'Guangdong 2021 averages, 省级以上机关 517.33 kgce/人 (§1.4 [S13])',
    violates: (r) => r.energy_using_people > 0 && r.total_kgce_milli / 1000 / r.energy_using_people > MAX_KGCE_PER_PERSON,
  }),
  rule({
    id: 'energy.kgce-per-area',
    category: 'PLAUSIBILITY',
    table: 'energy_reports',
    title: `kgce per m2 is at most ${MAX_KGCE_PER_AREA.toFixed(2)} (3x the highest institution-type average).`,
    source: 'Guangdong 2021 averages, 医院 15.88 kgce/m2 (§1.4 [S13])',
    violates: (r) => r.building_area > 0 && r.total_kgce_milli / 1000 / r.building_area > MAX_KGCE_PER_AREA,
  }),

  // Consistency.
  rule({
    id: 'building.usable-within-construction',
    category: 'CONSISTENCY',
    table: 'buildings',
    title: 'Office-room usable area is not above construction area.',
    source: '办公用房 = 办公室 + 服务 + 设备 + 附属用房 (§3.1 [S35][S39])',
    violates: (b) => b.office_room_usable_area > b.construction_area,
  }),
  rule({
    id: 'building.staff-within-establishment',
    category: 'CONSISTENCY',
    table: 'buildings',
    title: "The posts housed in a building are not more than its agency's establishment.",
    source: '编制人数 per building return (§3.4 [S43])',
    violates: (b, f) => {
      const agency = f.agencies.get(b.agency_id);
      return agency !== undefined && b.established_staff > agency.established_staff;
    },
  }),
  ...(['buildings', 'assets', 'vehicles', 'energy_reports', 'operating_costs'] as const).map((table) =>
    rule({
      id: `${table}.agency-exists`,
      category: 'CONSISTENCY' as const,
      table,
      title: 'The agency the record belongs to exists in this province.',
      source: 'the contract: every record belongs to an agency (schema/province.graphql)',
      violates: (r: { agency_id: string }, f: Facts) => !f.agencies.has(r.agency_id),
    }),
  ),
  rule({
    id: 'asset.pooled-is-idle',
    category: 'CONSISTENCY',
    table: 'assets',
    title: 'An asset offered to the 公物仓 pool is idle (闲置).',
    source: '公物仓 pools idle assets (§2.4 [S27][S28])',
    violates: (a) => a.offered_to_pool === 1 && a.status !== 'IDLE',
  }),
  rule({
    id: 'asset.dates-in-order',
    category: 'CONSISTENCY',
    table: 'assets',
    title: 'Acquired on a real day, not after today; offered to the pool (if at all) on or after that day and not after today.',
    source: 'the asset card: 购置日期 (§2.3 [S26])',
    violates: (a, f) =>
      !isDay(a.acquired_on) || a.acquired_on > f.today || (a.offered_at !== null && (!isDay(a.offered_at) || a.offered_at < a.acquired_on || a.offered_at > f.today)),
  }),
  rule({
    id: 'asset.net-within-original',
    category: 'CONSISTENCY',
    table: 'assets',
    title: 'Net book value is between 0 and the original value.',
    source: 'the asset card: 原值, 累计折旧, 账面净值 (§2.3 [S26])',
    violates: (a) => a.net_value_fen < 0 || a.net_value_fen > a.original_value_fen,
  }),
  rule({
    id: 'asset.transfer-status',
    category: 'CONSISTENCY',
    table: 'assets',
    title: 'An asset is TRANSFER_PENDING or TRANSFERRED_OUT only with a transfer step recorded for it.',
    source: 'the 公物仓 transfer workflow (subgraphs/sharing/transfers.ts)',
    violates: (a, f) => (a.status === 'TRANSFER_PENDING' || a.status === 'TRANSFERRED_OUT') && !f.transferred.has(a.id),
  }),
  rule({
    id: 'vehicle.plate-unique',
    category: 'CONSISTENCY',
    table: 'vehicles',
    title: 'No two vehicles of the province carry the same plate.',
    source: '号牌号码 identifies a vehicle (§4.3)',
    violates: (v, f) => (f.plates.get(v.plate_number) ?? 0) > 1,
  }),
  rule({
    id: 'vehicle.purchased-not-after-today',
    category: 'CONSISTENCY',
    table: 'vehicles',
    title: 'Purchased on a real day, not after today.',
    source: '购置日期 (§4.3)',
    violates: (v, f) => !isDay(v.purchased_on) || v.purchased_on > f.today,
  }),
  rule({
    id: 'energy.total-matches-quantities',
    category: 'CONSISTENCY',
    table: 'energy_reports',
    title: 'The stored total kgce equals the quantities times the GB/T 2589-2020 coefficients.',
    source: 'GB/T 2589-2020 (§1.4, §1.5 [S17][S18])',
    violates: (r) =>
      r.total_kgce_milli !==
      kgceMilli({
        ELECTRICITY: r.electricity_kwh,
        WATER: r.water_m3,
        COAL: r.coal_kg,
        NATURAL_GAS: r.natural_gas_m3,
        LPG: r.lpg_kg,
        GASOLINE: r.gasoline_l,
        DIESEL: r.diesel_l,
        HEAT: r.heat_mj,
      }),
  }),
  rule({
    id: 'cost.total-is-sum',
    category: 'CONSISTENCY',
    table: 'operating_costs',
    title: 'The total operating cost is the sum of its parts.',
    source: '机关运行成本 components (§5 [S65])',
    violates: (c) =>
      c.total_fen !==
      c.salaries_fen +
        c.office_expenses_fen +
        c.utilities_fen +
        c.property_management_fen +
        c.travel_fen +
        c.maintenance_fen +
        c.meetings_training_fen +
        c.official_reception_fen +
        c.vehicle_operation_fen +
        c.depreciation_fen +
        c.other_fen,
  }),

  // Completeness.
  rule({
    id: 'agency.complete',
    category: 'COMPLETENESS',
    table: 'agencies',
    title: 'Name, credit code, division, contact person and phone are filled in; the establishment is at least one post.',
    source: '单位基本信息 (§1.2 [S06]; §3.4 [S43])',
    violates: (a) => missing(a, ['name', 'credit_code', 'division_code', 'contact_person', 'contact_phone']) || !(a.established_staff >= 1),
  }),
  rule({
    id: 'building.complete',
    category: 'COMPLETENESS',
    table: 'buildings',
    title: 'Name and address are filled in; construction area, floors and build year are given.',
    source: 'building return fields (§3.4 [S43])',
    violates: (b) => missing(b, ['name', 'address']) || !(b.construction_area > 0) || !(b.floors >= 1) || !(b.build_year >= 1900),
  }),
  rule({
    id: 'asset.complete',
    category: 'COMPLETENESS',
    table: 'assets',
    title: 'Name, category, acquisition date and status are filled in; the original value is positive.',
    source: 'the asset card (§2.3 [S26])',
    violates: (a) => missing(a, ['name', 'category_code', 'acquired_on', 'status']) || !(a.original_value_fen > 0),
  }),
  rule({
    id: 'vehicle.complete',
    category: 'COMPLETENESS',
    table: 'vehicles',
    title: 'Plate, model, category, energy type and purchase date are filled in; a fuel vehicle has a displacement.',
    source: 'suggested Vehicle fields (§4.3)',
    violates: (v) => missing(v, ['plate_number', 'model', 'category', 'energy_type', 'purchased_on']) || (v.energy_type !== 'BATTERY_ELECTRIC' && v.displacement_ml === null),
  }),
  rule({
    id: 'energy.complete',
    category: 'COMPLETENESS',
    table: 'energy_reports',
    title: 'Building area and energy-using people are given.',
    source: '建筑面积, 用能人数 (§1.2 [S06])',
    violates: (r) => !(r.building_area > 0) || !(r.energy_using_people > 0),
  }),
];

/** The outcome of one rule over a province's rows. */
export interface RuleOutcome {
  rule: QualityRule;
  checked: number;
  violations: number;
  /** The first ids (in id order) of the rows that violate it. */
  sampleIds: string[];
}

/** How many violating ids a report names per rule. */
export const SAMPLE_SIZE = 10;

/** The facts rules look up, from a province's rows. */
export function factsOf(data: QualityData): Facts {
  const fleet = new Map<string, number>();
  const plates = new Map<string, number>();
  for (const v of data.vehicles) {
    if (v.status !== 'DISPOSED') fleet.set(v.agency_id, (fleet.get(v.agency_id) ?? 0) + 1);
    plates.set(v.plate_number, (plates.get(v.plate_number) ?? 0) + 1);
  }
  return {
    province: data.province,
    today: data.today,
    agencies: new Map(data.agencies.map((a) => [a.id, a])),
    fleet,
    transferred: new Set(data.asset_transfers.map((t) => t.asset_id)),
    plates,
  };
}

/** Runs every rule (or the given ones) over a province's rows. */
export function checkData(data: QualityData, rules: readonly QualityRule[] = QUALITY_RULES): RuleOutcome[] {
  const facts = factsOf(data);
  return rules.map((r) => {
    const rows = data[r.table] as { id: string }[];
    const bad = rows.filter((row) => r.violates(row as never, facts)).map((row) => row.id);
    bad.sort();
    return { rule: r, checked: rows.length, violations: bad.length, sampleIds: bad.slice(0, SAMPLE_SIZE) };
  });
}
