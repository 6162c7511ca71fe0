import type { ColumnType } from '../../../common/db/dialects.js';

/**
 * The standard (contract) shape of a province database. Every query is written against these
 * types; a province whose local tables differ maps them to this shape (see mapping.ts).
 * Money is stored in fen (integer) so sums are exact; other quantities are in standard units.
 */

/** 机关/公共机构. */
export interface AgencyRow {
  id: string;
  province: string;
  credit_code: string;
  name: string;
  level: string;
  division_code: string;
  established_staff: number;
  actual_staff: number;
  contact_person: string;
  contact_phone: string;
}

/** 办公用房楼栋, as a province stores it. */
export interface StoredBuildingRow {
  id: string;
  province: string;
  agency_id: string;
  name: string;
  address: string;
  restricted: number;
  build_year: number;
  floors: number;
  construction_area: number;
  office_room_usable_area: number;
  staff_count: number;
  established_staff: number;
}

/** 办公用房楼栋 as read: the stored row and what the 2014 standard derives from it and its agency (building-standard.ts). */
export interface BuildingRow extends StoredBuildingRow {
  /** 按标准核定建筑面积, m2; null when the agency is missing. */
  standard_area: number | null;
  /** 1 when construction_area is above standard_area, 0 when not, null when unknown. */
  exceeds_standard: number | null;
}

/** 资产卡片. */
export interface AssetRow {
  id: string;
  province: string;
  agency_id: string;
  building_id: string | null;
  name: string;
  category_code: string;
  original_value_fen: number;
  net_value_fen: number;
  acquired_on: string;
  status: string;
  offered_to_pool: number;
  offered_at: string | null;
}

/** 公务用车. */
export interface VehicleRow {
  id: string;
  province: string;
  agency_id: string;
  plate_number: string;
  model: string;
  category: string;
  energy_type: string;
  price_fen: number;
  displacement_ml: number | null;
  purchased_on: string;
  status: string;
  mileage_km: number;
  assigned_driver: string | null;
}

/** 能源资源消费年报. */
export interface EnergyReportRow {
  id: string;
  province: string;
  agency_id: string;
  year: number;
  building_area: number;
  energy_using_people: number;
  electricity_kwh: number;
  water_m3: number;
  coal_kg: number;
  natural_gas_m3: number;
  lpg_kg: number;
  gasoline_l: number;
  diesel_l: number;
  heat_mj: number;
  cost_fen: number;
  total_kgce_milli: number;
  revision: number;
}

/** 机关运行成本年报. */
export interface OperatingCostRow {
  id: string;
  province: string;
  agency_id: string;
  year: number;
  salaries_fen: number;
  office_expenses_fen: number;
  utilities_fen: number;
  property_management_fen: number;
  travel_fen: number;
  maintenance_fen: number;
  meetings_training_fen: number;
  official_reception_fen: number;
  vehicle_operation_fen: number;
  depreciation_fen: number;
  other_fen: number;
  total_fen: number;
}

/** Results of idempotent mutations, by client key. */
export interface IdempotencyRow {
  key: string;
  operation: string;
  request_hash: string;
  response_json: string;
  created_at: string;
}

/** One side of a 公物仓 transfer at this province: the source card (OUT) or the card it created (IN); at most one per transfer and side. */
export interface AssetTransferRow {
  /** `<transferId>:OUT` or `<transferId>:IN`: a repeated step finds the row its first delivery wrote. */
  id: string;
  transfer_id: string;
  direction: string;
  /** The card at this province. */
  asset_id: string;
  /** OUT: RESERVED, RELEASED or TRANSFERRED_OUT; IN: RECEIVED. */
  state: string;
  /** OUT: the new card's id once transferred out. */
  counterpart_asset_id: string | null;
  /** The source card as reserved (IN rows: provenance). */
  source_asset_id: string;
  name: string;
  category_code: string;
  original_value_fen: number;
  net_value_fen: number;
  acquired_on: string;
  recorded_at: string;
}

/** The stored rows of one province's records (seeded, or read for the data-quality check). */
export interface StoredRows {
  agencies: AgencyRow[];
  buildings: StoredBuildingRow[];
  assets: AssetRow[];
  vehicles: VehicleRow[];
  energy_reports: EnergyReportRow[];
  operating_costs: OperatingCostRow[];
}

/** The standard database, as Kysely sees it. */
export interface StandardDatabase {
  agencies: AgencyRow;
  buildings: BuildingRow;
  assets: AssetRow;
  vehicles: VehicleRow;
  energy_reports: EnergyReportRow;
  operating_costs: OperatingCostRow;
  idempotency_keys: IdempotencyRow;
  asset_transfers: AssetTransferRow;
}
/** Name of a standard table. */
export type StandardTable = keyof StandardDatabase;

/** Storage type of a standard column. */
export type { ColumnType };

/** One standard column: its storage type and, for reals, the decimal digits it keeps. */
export interface ColumnDef {
  type: ColumnType;
  nullable?: boolean;
  digits?: number;
}

type Columns<Row> = { [K in keyof Row]-?: ColumnDef };

/** The stored shape of a standard table (what a province keeps; derived columns are computed on read). */
export type StoredRow<T extends StandardTable> = T extends 'buildings' ? StoredBuildingRow : StandardDatabase[T];

const text: ColumnDef = { type: 'text' };
const textNull: ColumnDef = { type: 'text', nullable: true };
const int: ColumnDef = { type: 'integer' };
const real2: ColumnDef = { type: 'real', digits: 2 };

/** Column definitions of every standard table, in storage order; `id` (or `key`) is the primary key. */
export const STANDARD_COLUMNS: { [T in StandardTable]: Columns<StoredRow<T>> } = {
  agencies: {
    id: text,
    province: text,
    credit_code: text,
    name: text,
    level: text,
    division_code: text,
    established_staff: int,
    actual_staff: int,
    contact_person: text,
    contact_phone: text,
  },
  buildings: {
    id: text,
    province: text,
    agency_id: text,
    name: text,
    address: text,
    restricted: int,
    build_year: int,
    floors: int,
    construction_area: real2,
    office_room_usable_area: real2,
    staff_count: int,
    established_staff: int,
  },
  assets: {
    id: text,
    province: text,
    agency_id: text,
    building_id: textNull,
    name: text,
    category_code: text,
    original_value_fen: int,
    net_value_fen: int,
    acquired_on: text,
    status: text,
    offered_to_pool: int,
    offered_at: textNull,
  },
  vehicles: {
    id: text,
    province: text,
    agency_id: text,
    plate_number: text,
    model: text,
    category: text,
    energy_type: text,
    price_fen: int,
    displacement_ml: { type: 'integer', nullable: true },
    purchased_on: text,
    status: text,
    mileage_km: int,
    assigned_driver: textNull,
  },
  energy_reports: {
    id: text,
    province: text,
    agency_id: text,
    year: int,
    building_area: real2,
    energy_using_people: int,
    electricity_kwh: { type: 'real', digits: 0 },
    water_m3: real2,
    coal_kg: real2,
    natural_gas_m3: real2,
    lpg_kg: real2,
    gasoline_l: real2,
    diesel_l: real2,
    heat_mj: real2,
    cost_fen: int,
    total_kgce_milli: int,
    revision: int,
  },
  operating_costs: {
    id: text,
    province: text,
    agency_id: text,
    year: int,
    salaries_fen: int,
    office_expenses_fen: int,
    utilities_fen: int,
    property_management_fen: int,
    travel_fen: int,
    maintenance_fen: int,
    meetings_training_fen: int,
    official_reception_fen: int,
    vehicle_operation_fen: int,
    depreciation_fen: int,
    other_fen: int,
    total_fen: int,
  },
  idempotency_keys: { key: text, operation: text, request_hash: text, response_json: text, created_at: text },
  asset_transfers: {
    id: text,
    transfer_id: text,
    direction: text,
    asset_id: text,
    state: text,
    counterpart_asset_id: textNull,
    source_asset_id: text,
    name: text,
    category_code: text,
    original_value_fen: int,
    net_value_fen: int,
    acquired_on: text,
    recorded_at: text,
  },
};

/** Keys no two rows share: one report and one cost record per agency and year (concurrent submissions then correct, never duplicate). */
export const STANDARD_UNIQUE: { [T in StandardTable]?: string[][] } = {
  energy_reports: [['agency_id', 'year']],
  operating_costs: [['agency_id', 'year']],
};

/** Indexes every province creates (on standard columns; mapped to local names), serving the contract's filters and orders. */
export const STANDARD_INDEXES: { [T in StandardTable]?: string[][] } = {
  agencies: [
    ['province', 'id'],
    ['established_staff', 'id'],
    ['level', 'id'],
  ],
  buildings: [['agency_id'], ['construction_area', 'id']],
  assets: [
    ['agency_id', 'id'],
    ['building_id'],
    ['original_value_fen', 'id'],
    ['net_value_fen', 'id'],
    ['acquired_on', 'id'],
    ['status', 'original_value_fen', 'id'],
    ['offered_to_pool', 'original_value_fen', 'id'],
    ['category_code', 'id'],
  ],
  vehicles: [
    ['agency_id', 'id'],
    ['price_fen', 'id'],
    ['purchased_on', 'id'],
    ['category', 'id'],
    ['status', 'id'],
  ],
  energy_reports: [
    ['agency_id', 'year'],
    ['year', 'id'],
    ['total_kgce_milli', 'id'],
    ['year', 'total_kgce_milli', 'id'],
  ],
  operating_costs: [
    ['agency_id', 'year'],
    ['year', 'id'],
    ['total_fen', 'id'],
    ['year', 'total_fen', 'id'],
  ],
  asset_transfers: [['asset_id']],
};
