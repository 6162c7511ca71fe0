import { ErrorCode, userError } from '../../common/errors.js';
import { ENERGY_TYPES, type EnergyType } from '../../common/standards.js';
import type { EnergyReportRow } from './db/schema.js';
import { checkedKgceMilli, describeRange, ENERGY_COLUMNS, REPORT_RANGES, toStandardQuantity, type EnergyQuantities, type ValueRange } from './energy.js';

/** The input of submitEnergyReport, as the contract declares it. */
export interface EnergyReportInput {
  agencyId: string;
  year: number;
  buildingArea: number;
  energyUsingPeople: number;
  quantities: { energyType: EnergyType; quantity: number; unit?: string | null }[];
  costYuan: number;
  idempotencyKey?: string | null;
}

/** The stored columns validateReport produces. */
export type ReportValues = Omit<EnergyReportRow, 'id' | 'province' | 'agency_id' | 'year' | 'revision'>;

/** Whether a value names an energy type of the enum (own membership, not a prototype lookup). */
export function isEnergyType(value: unknown): value is EnergyType {
  return (ENERGY_TYPES as readonly unknown[]).includes(value);
}

/** The INVALID_QUANTITY error for a top-level argument outside its range. */
function outOfRange(argumentName: string, label: string, range: ValueRange, kind = 'a finite number') {
  return userError(ErrorCode.INVALID_QUANTITY, `${label} must be ${kind} ${describeRange(range)}.`, { argumentName, range });
}

/** The building area as stored (0.01 m2); the range applies to the rounded value, so nothing positive stores as 0. */
export function storedBuildingArea(area: number): number {
  const range = REPORT_RANGES.buildingArea;
  const stored = Number.isFinite(area) ? Math.round(area * 100) / 100 : NaN;
  if (!(area > 0 && stored >= range.min && stored <= range.max)) throw outOfRange('buildingArea', 'Building area', range);
  return stored;
}

/** The energy-using people as stored (a whole number; -0 becomes 0). */
export function storedPeople(people: number): number {
  const range = REPORT_RANGES.energyUsingPeople;
  if (!(Number.isInteger(people) && people >= range.min && people <= range.max)) throw outOfRange('energyUsingPeople', 'Energy-using people', range, 'an integer');
  return people + 0;
}

/** The cost as stored, in fen; a negative cost is refused even when it rounds to -0. */
export function storedCostFen(costYuan: number): number {
  const range = REPORT_RANGES.costYuan;
  const fen = Number.isFinite(costYuan) && costYuan >= 0 ? Math.round(costYuan * 100) + 0 : NaN;
  if (!(fen >= range.min * 100 && fen <= range.max * 100)) throw outOfRange('costYuan', 'Cost', range);
  return fen;
}

/** Validates a report and converts it to standard units and stored columns, each finite and within REPORT_RANGES. */
export function validateReport(input: EnergyReportInput): ReportValues {
  const thisYear = new Date().getUTCFullYear();
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > thisYear) {
    throw userError(ErrorCode.BAD_USER_INPUT, `Year must be between 2000 and ${thisYear}.`, { argumentName: 'year' });
  }
  const building_area = storedBuildingArea(input.buildingArea);
  const energy_using_people = storedPeople(input.energyUsingPeople);
  const cost_fen = storedCostFen(input.costYuan);
  const q = Object.fromEntries(ENERGY_TYPES.map((t) => [t, 0])) as EnergyQuantities;
  const seen = new Set<EnergyType>();
  for (const item of input.quantities) {
    // The enum guards this over GraphQL; a direct caller could pass '__proto__' and write into q's prototype.
    if (!isEnergyType(item.energyType)) throw userError(ErrorCode.BAD_USER_INPUT, `Unknown energy type; use one of ${ENERGY_TYPES.join(', ')}.`, { argumentName: 'quantities' });
    if (seen.has(item.energyType)) throw userError(ErrorCode.BAD_USER_INPUT, `${item.energyType} is listed twice.`, { energyType: item.energyType });
    seen.add(item.energyType);
    q[item.energyType] = toStandardQuantity(item.energyType, item.quantity, item.unit);
  }
  const columns = Object.fromEntries(ENERGY_TYPES.map((t) => [ENERGY_COLUMNS[t], q[t]])) as Record<(typeof ENERGY_COLUMNS)[EnergyType], number>;
  return { building_area, energy_using_people, ...columns, cost_fen, total_kgce_milli: checkedKgceMilli(q) };
}
