/**
 * Exact arithmetic for published figures. A province rounds each sum to the field's precision;
 * the gateway adds those in integer units of that precision, so a region total equals the
 * total a single database holding every province would compute. Products and quotients of
 * decimals (a coefficient times a quantity, a ratio of two sums) are computed on the decimals
 * themselves, never on their binary approximations, and rounded once, half away from zero.
 */

/** Adds values that are multiples of 10^-precision, exactly. */
export function sumExact(values: readonly number[], precision = 0): number {
  const f = 10 ** precision;
  let units = 0;
  for (const v of values) units += Math.round(v * f);
  return units / f;
}

/** Rounds a sum to the precision its field declares. */
export function toPrecision(value: number, precision = 0): number {
  const f = 10 ** precision;
  return Math.round(value * f) / f;
}

/** A decimal number as an integer count of 10^-scale: 1.2166785 is { units: 12166785n, scale: 7 }. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

/** The decimal a number is written as (its shortest round-trip form), or a decimal string itself. */
export function decimalOf(value: number | string): Decimal {
  const text = typeof value === 'number' ? String(value) : value;
  const m = DECIMAL.exec(text);
  if (!m) throw new RangeError(`not a finite decimal: ${text}`);
  const [, sign, whole, fraction = '', exponent = '0'] = m;
  let units = BigInt(`${sign}${whole}${fraction}`);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** The exact product of two decimals. */
export function times(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** The exact sum of decimals. */
export function plus(...terms: readonly Decimal[]): Decimal {
  const scale = Math.max(0, ...terms.map((t) => t.scale));
  let units = 0n;
  for (const t of terms) units += t.units * 10n ** BigInt(scale - t.scale);
  return { units, scale };
}

/** numerator / denominator, both positive or zero numerator, rounded half away from zero to an integer. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

/** A decimal rounded half away from zero to `digits` places, as a count of 10^-digits (3 digits: thousandths). */
export function unitsOf(value: Decimal, digits: number): number {
  const units = value.scale <= digits ? value.units * 10n ** BigInt(digits - value.scale) : divideRounded(value.units, 10n ** BigInt(value.scale - digits));
  return Number(units);
}

/** A decimal as the nearest number (for coefficients published as they are defined). */
export function toNumber(value: Decimal): number {
  return Number(`${value.units}e-${value.scale}`);
}

/** Decimal places every published ratio keeps (per capita, per m2, shares). */
export const RATIO_DIGITS = 4;

/**
 * a / b of the decimals a and b are written as, rounded half away from zero to `digits` places
 * (RATIO_DIGITS unless a field says otherwise), or null when b is zero: the one ratio rule
 * shared by provinces and the gateway, so 122.9 / 10 is 12.29 on both paths.
 */
export function ratio(numerator: number, denominator: number, digits = RATIO_DIGITS): number | null {
  if (denominator === 0) return null;
  const n = decimalOf(numerator);
  const d = decimalOf(denominator);
  // n/d = (n.units / 10^n.scale) / (d.units / 10^d.scale); in units of 10^-digits:
  const units = divideRounded(n.units * 10n ** BigInt(d.scale + digits), d.units * 10n ** BigInt(n.scale));
  return Number(units) / 10 ** digits;
}
