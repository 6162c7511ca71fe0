import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { ENERGY_TYPES, type EnergyType } from '../common/standards.js';
import { ACCEPTED_UNITS, ENERGY_COLUMNS, kgceMilli, REPORT_RANGES, STANDARD_DIGITS, type EnergyQuantities } from '../subgraphs/province/energy.js';
import { validateReport, type EnergyReportInput, type ReportValues } from '../subgraphs/province/report-input.js';

/**
 * Property: over validateReport's whole input space, it either refuses with one of the three
 * input codes or returns columns that are finite, integral where the column is, and within
 * REPORT_RANGES. Inputs are biased toward the boundaries so both outcomes are common.
 */

const REFUSAL_CODES = new Set(['BAD_USER_INPUT', 'INVALID_QUANTITY', 'INVALID_UNIT']);
const INTEGER_COLUMNS = ['energy_using_people', 'cost_fen', 'total_kgce_milli'] as const;
const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
];
const ALL_UNITS = [...new Set(Object.values(ACCEPTED_UNITS).flatMap((u) => Object.keys(u)))];
const THIS_YEAR = new Date().getUTCFullYear();

/** Every cap, and the numbers just either side of it, in the standard unit and per accepted unit. */
const EDGES = [
  REPORT_RANGES.buildingArea.max,
  REPORT_RANGES.energyUsingPeople.max,
  REPORT_RANGES.costYuan.max,
  REPORT_RANGES.totalKgce.max,
  ...ENERGY_TYPES.flatMap((t) => Object.values(ACCEPTED_UNITS[t]).map((f) => REPORT_RANGES.quantity[t].max / f)),
].flatMap((v) => [v, v + 0.01, v - 0.01, v * (1 + Number.EPSILON), v + 1]);

/** Numbers a JSON request body can carry: decimal text with any exponent, so 1e400 arrives as Infinity and 1e-400 as 0. */
const jsonNumber = fc
  .tuple(fc.boolean(), fc.nat({ max: 99_999_999 }), fc.nat({ max: 9999 }), fc.integer({ min: -420, max: 420 }))
  .map(([neg, int, frac, exp]) => JSON.parse(`${neg ? '-' : ''}${int}.${frac}e${exp}`) as number);

/** Any double (NaN, ±Infinity, -0, subnormals included), JSON numbers, edges and the classic attack values. */
const anyNumber = fc.oneof(
  fc.double(),
  jsonNumber,
  fc.constantFrom(
    ...EDGES,
    0,
    -0,
    0.004,
    0.005,
    0.01,
    -1e-9,
    1e305,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    2 ** 53 + 2,
    NaN,
    Infinity,
    -Infinity,
  ),
  fc.integer(),
);

/**
 * Values in [0, top]: spread evenly, or evenly over orders of magnitude. (fc.double with bounds
 * picks evenly among representable doubles, so nearly all of its values would be tiny.)
 */
const spread = (top: number) =>
  fc.oneof(
    fc.nat({ max: 1_000_000 }).map((k) => (k / 1_000_000) * top),
    fc.tuple(fc.nat({ max: 1_000_000 }), fc.integer({ min: -4, max: Math.ceil(Math.log10(top)) })).map(([m, e]) => Math.min(top, (m / 100_000) * 10 ** e)),
  );

/** Mostly plausible values up to a little over the cap, sometimes anything. */
const around = (max: number) => fc.oneof({ arbitrary: spread(max * 1.05), weight: 6 }, { arbitrary: anyNumber, weight: 1 });

/** A unit string: mostly an accepted one for the type, else prototype names, other types' units or any text. */
const unitFor = (type: EnergyType) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...Object.keys(ACCEPTED_UNITS[type])), weight: 12 },
    { arbitrary: fc.constantFrom(undefined, null), weight: 3 },
    { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES), weight: 1 },
    { arbitrary: fc.constantFrom(...ALL_UNITS), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  );

/** One quantity line: a type from the enum, a unit and a quantity scaled to that unit's cap. */
const quantityItem = fc.constantFrom(...ENERGY_TYPES).chain((energyType) =>
  unitFor(energyType).chain((unit) => {
    const factor = typeof unit === 'string' && Object.hasOwn(ACCEPTED_UNITS[energyType], unit) ? ACCEPTED_UNITS[energyType][unit] : 1;
    // Kept small so several lines fit under the total-kgce cap and the accepted path is common.
    const typical = spread(REPORT_RANGES.quantity[energyType].max / factor / 8);
    return fc.record({
      energyType: fc.constant(energyType),
      unit: fc.constant(unit),
      quantity: fc.oneof({ arbitrary: typical, weight: 6 }, around(REPORT_RANGES.quantity[energyType].max / factor)),
    });
  }),
);

const reportInput: fc.Arbitrary<EnergyReportInput> = fc.record({
  agencyId: fc.constant('340000:AG-0000001'),
  year: fc.oneof(
    { arbitrary: fc.integer({ min: 2000, max: THIS_YEAR }), weight: 16 },
    { arbitrary: fc.integer({ min: 1990, max: THIS_YEAR + 5 }), weight: 1 },
    { arbitrary: anyNumber, weight: 1 },
  ),
  buildingArea: around(REPORT_RANGES.buildingArea.max),
  energyUsingPeople: fc.oneof({ arbitrary: fc.integer({ min: -2, max: REPORT_RANGES.energyUsingPeople.max + 2 }), weight: 8 }, { arbitrary: anyNumber, weight: 1 }),
  // Mostly one line per type; sometimes duplicates, which must be refused.
  quantities: fc.oneof(
    { arbitrary: fc.uniqueArray(quantityItem, { selector: (i) => i.energyType, maxLength: 8 }), weight: 4 },
    { arbitrary: fc.array(quantityItem, { maxLength: 10 }), weight: 1 },
  ),
  costYuan: around(REPORT_RANGES.costYuan.max),
});

/** Why stored values break the contract, or an empty list. */
function problems(v: ReportValues): string[] {
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number' || !Number.isFinite(x)) out.push(`${k} is not a finite number: ${x}`);
    else if (Object.is(x, -0)) out.push(`${k} is -0`);
  }
  for (const k of INTEGER_COLUMNS) if (!Number.isSafeInteger(v[k])) out.push(`${k} is not a safe integer: ${v[k]}`);
  const within = (k: string, x: number, min: number, max: number) => {
    if (!(x >= min && x <= max)) out.push(`${k} = ${x} outside [${min}, ${max}]`);
  };
  within('building_area', v.building_area, REPORT_RANGES.buildingArea.min, REPORT_RANGES.buildingArea.max);
  within('energy_using_people', v.energy_using_people, REPORT_RANGES.energyUsingPeople.min, REPORT_RANGES.energyUsingPeople.max);
  within('cost_fen', v.cost_fen, REPORT_RANGES.costYuan.min * 100, REPORT_RANGES.costYuan.max * 100);
  within('total_kgce_milli', v.total_kgce_milli, REPORT_RANGES.totalKgce.min * 1000, REPORT_RANGES.totalKgce.max * 1000);
  const q = {} as EnergyQuantities;
  for (const t of ENERGY_TYPES) {
    const x = v[ENERGY_COLUMNS[t]];
    q[t] = x;
    within(ENERGY_COLUMNS[t], x, REPORT_RANGES.quantity[t].min, REPORT_RANGES.quantity[t].max);
    const units = x * 10 ** STANDARD_DIGITS[t];
    if (Math.abs(units - Math.round(units)) > 1e-6) out.push(`${ENERGY_COLUMNS[t]} = ${x} is finer than its stored resolution`);
  }
  if (v.total_kgce_milli !== kgceMilli(q)) out.push(`total_kgce_milli ${v.total_kgce_milli} is not the kgce of the stored quantities`);
  return out;
}

describe('validateReport over its whole input space', () => {
  it('refuses with an input code or stores finite, in-range, exact values; nothing else', () => {
    const outcomes = { accepted: 0, BAD_USER_INPUT: 0, INVALID_QUANTITY: 0, INVALID_UNIT: 0 };
    fc.assert(
      fc.property(reportInput, (input) => {
        let stored: ReportValues;
        try {
          stored = validateReport(input);
        } catch (e) {
          if (!(e instanceof GraphQLError)) throw new Error(`threw a non-GraphQL error: ${String(e)}`);
          const code = String(e.extensions.code);
          if (!REFUSAL_CODES.has(code)) throw new Error(`refused with unexpected code ${code}: ${e.message}`);
          if (!e.extensions.argumentName && !e.extensions.energyType) throw new Error(`refusal names no input: ${e.message}`);
          outcomes[code as keyof typeof outcomes]++;
          return;
        }
        outcomes.accepted++;
        const found = problems(stored);
        if (found.length) throw new Error(`stored bad values: ${found.join('; ')}`);
      }),
      { numRuns: 4000 },
    );
    // Guards against a vacuous pass: every outcome must actually have been reached.
    for (const [outcome, n] of Object.entries(outcomes)) expect([outcome, n > 40]).toEqual([outcome, true]);
  });
});
