/**
 * Breakdowns of the sharing workflows' records, formed here from one database's rows and withheld
 * by the same decision as the province breakdowns (common/disclosure.ts), on different parts.
 *
 * A record joins two provinces (a transfer's source and receiver; a trip's booking agency and the
 * vehicle's province) and a caller who reads either province's rows reads the record. A group's
 * figure is therefore split into parts by pair of provinces: a part is unknown to the caller
 * unless it reads one of the two in full. A part counts its agencies on each side that must count
 * (givers and receivers; bookers and the agencies whose own vehicles were driven) and stands for
 * the fewest, so a figure of many receivers from one giver is that giver's. Every group is one
 * year (its callers key it so): no total over years is published, and lines run per pair along
 * the asked dimensions (months within a year), for each figure where it is not zero.
 */

import { linesAlong, withheldGroups, type DisclosureCaller, type GroupPart } from '../../common/disclosure.js';
import { orderGroups } from '../../common/breakdown.js';

type Key = string | number | boolean | null;

/** One record as a breakdown sees it. */
export interface Fact<F extends string> {
  /** Its group: the values of the group's keys (null for a dimension not asked). */
  keys: Readonly<Record<string, Key>>;
  /** The two provinces it joins (the same one twice within a province). */
  pair: readonly [string, string];
  /**
   * The agency forming it on each side that must count (a transfer's source and receiver; a
   * trip's booker and its vehicle's owning agency); null where the side has none (a rental
   * company's vehicle is no agency's figure). A part's side with no agency does not count.
   */
  sides: readonly (string | null)[];
  /** Its additive figures, in whole units (fen, km, records). */
  figures: Readonly<Record<F, number>>;
}

/** One group: its keys, the agencies forming it, its summed and derived figures, and why it is withheld (figures and agencies then null). */
export interface FactGroup {
  keys: Record<string, Key>;
  agencyCount: number | null;
  figures: Record<string, number | null> | null;
  withheld: string | null;
}

/** How to form the groups. */
export interface FactBreakdownOptions {
  /** The key fields, in the order ties are broken by. */
  keys: readonly string[];
  /** The asked dimensions that lines run along (never the year). */
  lineDims: readonly string[];
  caller: DisclosureCaller;
  /** A figure to order by, and the direction. */
  orderBy?: string;
  descending: boolean;
  /** Figures derived from the sums (ratios, yuan), which ordering may use. */
  derive?: (sums: Record<string, number>) => Record<string, number | null>;
}

/** A group's facts between one pair of provinces: the agencies of each side, and the figures not zero. */
interface Cell {
  pair: readonly [string, string];
  sides: Set<string>[];
  nonZero: Set<string>;
}

interface Accumulated<F extends string> {
  keys: Record<string, Key>;
  agencies: Set<string>;
  sums: Record<F, number>;
  /** By pair of provinces. */
  cells: Map<string, Cell>;
}

/** Facts grouped by their keys, figures summed, withheld as the caller may see them, and ordered. */
export function breakdownOfFacts<F extends string>(facts: readonly Fact<F>[], options: FactBreakdownOptions): FactGroup[] {
  const groups = new Map<string, Accumulated<F>>();
  for (const fact of facts) {
    const id = JSON.stringify(options.keys.map((k) => fact.keys[k] ?? null));
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { keys: { ...fact.keys }, agencies: new Set(), sums: {} as Record<F, number>, cells: new Map() }));
    for (const [field, value] of Object.entries(fact.figures) as [F, number][]) g.sums[field] = (g.sums[field] ?? 0) + value;
    const pairId = JSON.stringify(fact.pair);
    let cell = g.cells.get(pairId);
    if (!cell) g.cells.set(pairId, (cell = { pair: fact.pair, sides: fact.sides.map(() => new Set<string>()), nonZero: new Set() }));
    fact.sides.forEach((agency, i) => {
      if (agency === null) return;
      cell.sides[i].add(agency);
      g.agencies.add(agency);
    });
    for (const [field, value] of Object.entries(fact.figures) as [F, number][]) if (value !== 0) cell.nonZero.add(field);
  }
  const all = [...groups.values()];
  const parts = all.flatMap((g) => [...g.cells].map(([pairId, cell]) => partOf(g, pairId, cell, options)));
  const reasons = withheldGroups(parts, options.caller.minAgencies);
  const shaped = all.map((g) => ({ group: g, derived: { ...g.sums, ...options.derive?.(g.sums) } as Record<string, number | null> }));
  // A withheld group orders by no measure, its agency count included: only its keys place it.
  const read = (s: (typeof shaped)[number], field: string) =>
    options.keys.includes(field) ? (s.group.keys[field] ?? null) : reasons.has(s.group) ? null : (s.derived[field] ?? (field === 'agencyCount' ? s.group.agencies.size : null));
  return orderGroups(shaped, { read, keys: options.keys, measure: options.orderBy, descending: options.descending }).map(({ group, derived }) => ({
    keys: group.keys,
    // How few agencies form a withheld group is the start of guessing which.
    agencyCount: reasons.has(group) ? null : group.agencies.size,
    figures: reasons.has(group) ? null : derived,
    withheld: reasons.get(group) ?? null,
  }));
}

/** A group's part between one pair of provinces: unknown unless the caller reads either in full; the fewest agencies of any side that has some. */
function partOf<F extends string>(group: Accumulated<F>, pairId: string, cell: Cell, options: FactBreakdownOptions): GroupPart<Accumulated<F>> {
  const [a, b] = cell.pair.map(options.caller.knows);
  const fewest = Math.min(...cell.sides.map((s) => s.size).filter((n) => n > 0));
  const known = a.all || b.all;
  return {
    group,
    province: pairId,
    unknown: known ? 0 : fewest,
    mayKnow: known ? 0 : Math.max(a.some, b.some),
    lines: linesAlong(options.lineDims, pairId, group.keys, [...cell.nonZero].sort()),
    order: [pairId, ...options.keys.map((k) => group.keys[k] ?? null)],
  };
}

/** The calendar year and month (1–12) of an instant in Beijing time. */
export function beijingMonth(ms: number): { year: number; month: number } {
  const d = new Date(ms + 8 * 3_600_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/** The instant a calendar month starts in Beijing time (month 13 is the next year's January). */
export function beijingMonthStart(year: number, month: number): number {
  return Date.UTC(year, month - 1, 1) - 8 * 3_600_000;
}
