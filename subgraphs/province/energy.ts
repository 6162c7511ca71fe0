import { KGCE_PER_UNIT, round, type EnergyType } from '../../common/standards.js';
import { ErrorCode, userError } from '../../common/errors.js';

/** Standard-unit quantities of one report, by energy type. */
export type EnergyQuantities = Record<EnergyType, number>;

/** The standard column of each energy type. */
export const ENERGY_COLUMNS = {
  ELECTRICITY: 'electricity_kwh',
  WATER: 'water_m3',
  COAL: 'coal_kg',
  NATURAL_GAS: 'natural_gas_m3',
  LPG: 'lpg_kg',
  GASOLINE: 'gasoline_l',
  DIESEL: 'diesel_l',
  HEAT: 'heat_mj',
} as const satisfies Record<EnergyType, string>;

/**
 * Total kgce of a report in thousandths (an integer), so province and region totals are
 * exact sums. Each type's quantity times its GB/T 2589 coefficient, added in a fixed order.
 */
export function kgceMilli(q: EnergyQuantities): number {
  let total = 0;
  for (const type of Object.keys(ENERGY_COLUMNS) as EnergyType[]) total += q[type] * KGCE_PER_UNIT[type];
  return Math.round(total * 1000);
}

/** Units accepted on input, as factors to the standard unit of each energy type. */
export const ACCEPTED_UNITS: Record<EnergyType, Record<string, number>> = {
  ELECTRICITY: { kWh: 1, MWh: 1000, '万kWh': 10000 },
  WATER: { m3: 1, t: 1 },
  COAL: { kg: 1, t: 1000 },
  NATURAL_GAS: { m3: 1, '万m3': 10000 },
  LPG: { kg: 1, t: 1000 },
  GASOLINE: { L: 1 },
  DIESEL: { L: 1 },
  HEAT: { MJ: 1, GJ: 1000 },
};

/** Digits kept in the standard unit (electricity to 1 kWh, the rest to 0.01). */
export const STANDARD_DIGITS: Record<EnergyType, number> = {
  ELECTRICITY: 0, WATER: 2, COAL: 2, NATURAL_GAS: 2, LPG: 2, GASOLINE: 2, DIESEL: 2, HEAT: 2,
};

/** Converts a reported quantity to the standard unit, rejecting unknown units and negative or non-finite values. */
export function toStandardQuantity(type: EnergyType, quantity: number, unit?: string | null): number {
  const units = ACCEPTED_UNITS[type];
  const factor = units[unit ?? Object.keys(units)[0]];
  if (factor === undefined) {
    throw userError(ErrorCode.INVALID_UNIT, `Unit "${unit}" is not accepted for ${type}; use one of ${Object.keys(units).join(', ')}.`, {
      energyType: type,
      acceptedUnits: Object.keys(units),
    });
  }
  if (!Number.isFinite(quantity) || quantity < 0) {
    throw userError(ErrorCode.INVALID_QUANTITY, `Quantity of ${type} must be a non-negative number.`, { energyType: type });
  }
  return round(quantity * factor, STANDARD_DIGITS[type]);
}
