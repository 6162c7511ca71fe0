/**
 * Exact arithmetic for figures combined across provinces. A province rounds each sum to the
 * field's precision; the gateway adds those in integer units of that precision, so a region
 * total equals the total a single database holding every province would compute.
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

/** a / b, or null when b is zero: the one ratio rule shared by provinces and the gateway. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
