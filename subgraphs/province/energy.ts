import { decimalOf, plus, times, unitsOf } from '../../common/exact.js';
import { KGCE_EXACT, round, type EnergyType } from '../../common/standards.js';
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
 * exact sums. Each type's quantity times its exact GB/T 2589 coefficient, summed as decimals
 * and rounded once, half away from zero. Unchecked: input goes through checkedKgceMilli;
 * seeded quantities are in range by construction.
 */
export function kgceMilli(q: EnergyQuantities): number {
  const terms = (Object.keys(ENERGY_COLUMNS) as EnergyType[]).map((type) => times(decimalOf(q[type]), KGCE_EXACT[type]));
  return unitsOf(plus(...terms), 3);
}

/** A unit table without a prototype, so only the listed units are keys at all. */
function unitTable(factors: Record<string, number>): Readonly<Record<string, number>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, number>, factors));
}

/** Units accepted on input, as factors to the standard unit of each energy type (the first is the standard unit). */
export const ACCEPTED_UNITS: Readonly<Record<EnergyType, Readonly<Record<string, number>>>> = Object.freeze({
  ELECTRICITY: unitTable({ kWh: 1, MWh: 1000, 万kWh: 10000 }),
  WATER: unitTable({ m3: 1, t: 1 }),
  COAL: unitTable({ kg: 1, t: 1000 }),
  NATURAL_GAS: unitTable({ m3: 1, 万m3: 10000 }),
  LPG: unitTable({ kg: 1, t: 1000 }),
  GASOLINE: unitTable({ L: 1 }),
  DIESEL: unitTable({ L: 1 }),
  HEAT: unitTable({ MJ: 1, GJ: 1000 }),
});

/** Digits kept in the standard unit (electricity to 1 kWh, the rest to 0.01). */
export const STANDARD_DIGITS: Record<EnergyType, number> = {
  ELECTRICITY: 0,
  WATER: 2,
  COAL: 2,
  NATURAL_GAS: 2,
  LPG: 2,
  GASOLINE: 2,
  DIESEL: 2,
  HEAT: 2,
};

/** An inclusive range of one stored value, in its standard unit. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/**
 * Ranges of every value one energy report may store, per report, in standard units after
 * unit conversion and rounding (the README cites this table). Why these ceilings: the integer
 * columns (cost_fen, total_kgce_milli) are capped at 1e11 storage units, so even 90 071
 * reports each at the cap (2^53 / 1e11) sum exactly in one province-year; real totals are far
 * lower (all public institutions together: 1.64亿 tce in 2020 = 1.64e14 milli-kgce, reference
 * §1.4 [S08]). Each energy type alone may reach the total-kgce cap and no more, so each type's
 * cap is the total cap over its GB/T 2589 coefficient, rounded down to a round number. The
 * REAL columns, counted in their stored steps (0.01, or 1 kWh), peak at 2.9e11 (heat), so
 * 31 000 reports at the caps still sum below 2^53 steps.
 */
export const REPORT_RANGES = {
  // 0.01 m2 is the stored resolution (less stores 0 and breaks kgce/m2); 1e7 m2 is several times the largest campus's floor area [U].
  buildingArea: { min: 0.01, max: 10_000_000, unit: 'm2' },
  // The largest institutions (universities) count ~1e5 people [U]; 1e6 leaves a tenfold margin and fits GraphQL Int.
  energyUsingPeople: { min: 0, max: 1_000_000, unit: 'people' },
  // 1e9 yuan = 1e11 fen: the total-kgce cap bought as electricity or fuel (~6-8 yuan/kgce [U]) costs less; 1e11 keeps sums exact.
  costYuan: { min: 0, max: 1_000_000_000, unit: 'yuan' },
  // 1e8 kgce = 10万 tce: ~2x the largest institution (1e5 people [U] x 517 kgce/人 [S13], or a few million m2 [U] x 18.48 kgce/m2 [S08], §1.4); 1e11 milli keeps sums exact.
  totalKgce: { min: 0, max: 100_000_000, unit: 'kgce' },
  quantity: {
    // 8e8 kWh x 0.1229 = 9.8e7 kgce, under the total cap (§1.5 [S14]).
    ELECTRICITY: { min: 0, max: 800_000_000, unit: 'kWh' },
    // Not counted in kgce: 1e8 m3 is ~14x 1e5 people x 69.99 m3/人, the highest type average (§1.4 [S13]).
    WATER: { min: 0, max: 100_000_000, unit: 'm3' },
    // 1e8 kg x 0.7143 = 7.1e7 kgce (1.4e8 kg would pass the total cap) (§1.5 [S17]).
    COAL: { min: 0, max: 100_000_000, unit: 'kg' },
    // 8e7 m3 x 1.2143 = 9.7e7 kgce (§1.5 [S18]).
    NATURAL_GAS: { min: 0, max: 80_000_000, unit: 'm3' },
    // 5e7 kg x 1.7143 = 8.6e7 kgce (§1.5 [S17]).
    LPG: { min: 0, max: 50_000_000, unit: 'kg' },
    // 9e7 L x 1.4714 kgce/kg x 0.725 kg/L = 9.6e7 kgce (density unsourced, common/standards.ts).
    GASOLINE: { min: 0, max: 90_000_000, unit: 'L' },
    // 8e7 L x 1.4571 kgce/kg x 0.835 kg/L = 9.7e7 kgce (density unsourced, common/standards.ts).
    DIESEL: { min: 0, max: 80_000_000, unit: 'L' },
    // 2.9e9 MJ x 0.03412 = 9.9e7 kgce (§1.5 [S17][S18]).
    HEAT: { min: 0, max: 2_900_000_000, unit: 'MJ' },
  },
} as const satisfies {
  buildingArea: ValueRange;
  energyUsingPeople: ValueRange;
  costYuan: ValueRange;
  totalKgce: ValueRange;
  quantity: Record<EnergyType, ValueRange>;
};

/** A number for messages: grouped digits, at most two decimals. */
export function formatAmount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** "between MIN and MAX UNIT", the wording every range error shares. */
export function describeRange(range: ValueRange): string {
  return `between ${formatAmount(range.min)} and ${formatAmount(range.max)} ${range.unit}`;
}

/** The factor of an accepted unit to the standard unit, or undefined; only the table's own keys count. */
export function unitFactor(type: EnergyType, unit: string): number | undefined {
  const units = ACCEPTED_UNITS[type];
  return Object.hasOwn(units, unit) ? units[unit] : undefined;
}

/**
 * Converts a reported quantity to the standard unit, rounded to the stored digits. Refuses
 * unknown units (INVALID_UNIT) and negative, non-finite or out-of-range results (INVALID_QUANTITY);
 * the range applies after scaling, where a huge quantity in 万kWh would otherwise become Infinity.
 */
export function toStandardQuantity(type: EnergyType, quantity: number, unit?: string | null): number {
  const accepted = Object.keys(ACCEPTED_UNITS[type]);
  const unitName = unit ?? accepted[0];
  const factor = unitFactor(type, unitName);
  if (factor === undefined) {
    // The unit is client text: quoted and cut short before it goes into the message.
    throw userError(ErrorCode.INVALID_UNIT, `Unit ${JSON.stringify(unitName.slice(0, 32))} is not accepted for ${type}; use one of ${accepted.join(', ')}.`, {
      energyType: type,
      acceptedUnits: accepted,
    });
  }
  const range = REPORT_RANGES.quantity[type];
  // Negative input is refused even when it would round to -0; + 0 turns an accepted -0 into 0.
  const stored = Number.isFinite(quantity) && quantity >= 0 ? round(quantity * factor, STANDARD_DIGITS[type]) + 0 : NaN;
  if (!(stored >= range.min && stored <= range.max)) {
    const inUnit = factor === 1 ? '' : ` (${formatAmount(range.max / factor)} ${unitName})`;
    throw userError(ErrorCode.INVALID_QUANTITY, `Quantity of ${type} must be a finite number ${describeRange(range)}${inUnit} after conversion to ${range.unit}.`, {
      argumentName: 'quantities',
      energyType: type,
      range,
    });
  }
  return stored;
}

/** The total kgce of a report in thousandths, refused (INVALID_QUANTITY) above REPORT_RANGES.totalKgce. */
export function checkedKgceMilli(q: EnergyQuantities): number {
  const milli = kgceMilli(q);
  const range = REPORT_RANGES.totalKgce;
  if (!(milli >= range.min * 1000 && milli <= range.max * 1000)) {
    throw userError(ErrorCode.INVALID_QUANTITY, `The report's total energy must be ${describeRange(range)} (GB/T 2589 coefficients).`, {
      argumentName: 'quantities',
      range,
    });
  }
  return milli;
}
