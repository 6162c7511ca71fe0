/**
 * Small-cell suppression, decided on parts: one province's share of a figure and the agencies
 * that form it. Breakdown groups and summary figures (gateway/shard/) and the sharing service's
 * statistics are all parts; this module decides which are withheld and knows nothing of them.
 */

import { rowScope } from './auth/policy.js';
import { ErrorCode, userError } from './errors.js';
import { compareKeys, type KeyValue } from './key-order.js';
import type { Principal } from './auth/principal.js';

/** The smallest number of agencies a figure is shown for, to callers who may not read its rows, unless configured otherwise. */
export const DEFAULT_MIN_AGENCIES = 3;

/** One province's part of a figure. */
export interface DisclosurePart {
  province: string;
  /**
   * Its agencies the caller cannot add up itself (0 when it reads the province in full); for a
   * part with figures formed by fewer of them (a group's pooled value), the fewest forming any.
   */
  unknown: number;
  /** How many of those it may know anyway (an officer, its own agency). */
  mayKnow: number;
  /** The lines it lies on: parts that add up to a published total, so one hidden part could be derived from the rest. */
  lines: readonly string[];
  /** A tie-breaker (its province and keys, compared as `compareKeys` does), so the choice never depends on the order answers arrived in, nor on which keys a path lists. */
  order: readonly KeyValue[];
  /** A part that is never published (the rest of a total: vehicles that are not new-energy): hidden from the start. */
  unpublished?: boolean;
}

/** Why a part is withheld. */
export const WITHHELD = {
  small: (n: number) => `fewer than ${n} agencies: withheld so no agency's own figures are disclosed`,
  complementary: 'withheld with a smaller group of the same line, which could otherwise be derived by subtraction',
} as const;

/**
 * The parts withheld from a caller, with the reason for each (unpublished parts are hidden but
 * not listed):
 * - a part with one to `minAgencies - 1` agencies the caller cannot add up itself;
 * - then, on every line that hides a part, its next smallest unknown part, until one hidden
 *   part alone has `minAgencies` agencies the caller does not know: the line's published total
 *   minus the shown parts is the sum of the hidden ones, which must not be one or two agencies'
 *   figures. Parts of a line may share agencies (one agency uses several energy types), so only
 *   the largest hidden part is sure to count that many.
 * - and no withheld part stays alone on a line: the total minus the shown parts would give it
 *   exactly, and a part withheld as a complement on one line could then be subtracted on
 *   another to give back the small part it protects (a month of one category, then the small
 *   month of another). Every hidden part of a table thus has another in each of its lines.
 * Repeated until every line holds.
 */
export function withheldParts<P extends DisclosurePart>(parts: readonly P[], minAgencies: number): Map<P, string> {
  // Only a part with agencies the caller does not know is ever withheld, by either rule below:
  // a caller who reads every province in full (an administrator) is answered without the work.
  if (!parts.some((p) => p.unknown > 0)) return new Map();
  const bySize = (a: P, b: P) => a.unknown - b.unknown || compareKeys(a.order, b.order);
  const hidden = new Set<P>(parts.filter((p) => p.unpublished));
  const withheld = new Map<P, string>();
  for (const part of parts) {
    if (!part.unpublished && part.unknown > 0 && part.unknown - part.mayKnow < minAgencies) {
      withheld.set(part, WITHHELD.small(minAgencies));
      hidden.add(part);
    }
  }
  const byLine = new Map<string, P[]>();
  for (const part of parts) for (const line of part.lines) byLine.set(line, [...(byLine.get(line) ?? []), part]);
  // Lines in a fixed order too: which part a line withholds can depend on what another withheld
  // first. A sub-figure's line that holds the same parts as another line adds nothing.
  const index = new Map(parts.map((p, i) => [p, i]));
  const members = new Set<string>();
  const lines = [...byLine.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, line]) => line)
    .filter((line) => {
      const id = line.map((p) => index.get(p)).join(',');
      return !members.has(id) && members.add(id);
    });
  for (let changed = hidden.size > 0; changed;) {
    changed = false;
    for (const line of lines) {
      const out = line.filter((p) => hidden.has(p) && p.unknown > 0);
      if (out.length === 0) continue;
      // A withheld part alone on a line is the line's total minus its shown parts: however many
      // agencies form it, another line could then subtract it to isolate a small one.
      const alone = out.length === 1 && !out[0].unpublished;
      if (!alone && Math.max(...out.map((p) => p.unknown)) - out[0].mayKnow >= minAgencies) continue;
      const next = line.filter((p) => !hidden.has(p) && p.unknown > 0).sort(bySize)[0];
      if (!next) continue; // every other unknown part of the line is hidden already
      withheld.set(next, WITHHELD.complementary);
      hidden.add(next);
      changed = true;
    }
  }
  return withheld;
}

/** A part of a breakdown group: the group's figure formed in one province (or one pair of provinces). */
export interface GroupPart<G> extends DisclosurePart {
  group: G;
}

/**
 * The lines a group's part lies on, one along each asked dimension: the parts with the same
 * part key (its province) and the same values of every other key, which add up to the part of
 * the group without that dimension, a published figure too. A sub-figure (new-energy vehicles,
 * pooled value) is published for the coarser group as well, but only the parts where it is not
 * zero add up to it, so each such figure the part holds lies on lines of its own: along energy
 * types, the new-energy count is the battery-electric and plug-in hybrid parts' sum, whatever
 * the diesel part hides.
 */
export function linesAlong(dims: readonly string[], partKey: string, keys: Readonly<Record<string, unknown>>, nonZeroFigures: readonly string[] = []): string[] {
  const others = Object.keys(keys)
    .sort()
    .map((k) => [k, keys[k] ?? null] as const);
  return [null, ...nonZeroFigures].flatMap((figure) => dims.map((dim) => JSON.stringify([dim, partKey, figure, others.filter(([k]) => k !== dim)])));
}

/**
 * The groups withheld from a caller, with the reason: a group is shown only when none of its
 * parts is withheld, so a group over some provinces minus one over fewer (another scope) never
 * isolates a withheld part. A group withheld for a small part says so even if another of its
 * parts was withheld as a complement.
 */
export function withheldGroups<G>(parts: readonly GroupPart<G>[], minAgencies: number): Map<G, string> {
  const reasons = new Map<G, string>();
  for (const [part, reason] of withheldParts(parts, minAgencies)) if (reasons.get(part.group) !== WITHHELD.small(minAgencies)) reasons.set(part.group, reason);
  return reasons;
}

/**
 * How many dimensions besides those naming the parts' provinces a breakdown may combine for a
 * caller who cannot add up every part itself. Lines protect one table at a time; a caller who
 * may ask every combination of three or more dimensions gets every margin of the table, and a
 * linear system over the margins gives back some small cells that every line hides.
 */
export const MAX_COMBINED_DIMENSIONS = 1;

/** Refuses (FORBIDDEN) a breakdown combining more dimensions than MAX_COMBINED_DIMENSIONS for a caller who cannot add up every part. */
export function checkCombinedDimensions(dimensions: readonly string[], readsEveryPart: boolean): void {
  const combined = [...new Set(dimensions)];
  if (combined.length <= MAX_COMBINED_DIMENSIONS || readsEveryPart) return;
  throw userError(
    ErrorCode.FORBIDDEN,
    `Grouping by ${combined.join(' and ')} together needs row access to every province in scope; without it a breakdown combines at most ${MAX_COMBINED_DIMENSIONS} dimension besides the provinces (ask one at a time).`,
    { dimensions: combined },
  );
}

/** What deciding a caller's disclosure needs: the threshold, and what it knows of a province's agencies by itself. */
export interface DisclosureCaller {
  minAgencies: number;
  /** All of them when it reads the province in full; else how many it may know (an officer, its own agency). */
  knows: (province: string) => { all: boolean; some: number };
}

/** A principal as a disclosure caller, from the access policy's row scopes. */
export function disclosureCallerOf(principal: Principal, minAgencies: number): DisclosureCaller {
  return {
    minAgencies,
    knows: (province) => {
      const scope = rowScope(principal, province).kind;
      return { all: scope === 'all', some: scope === 'agency' ? 1 : 0 };
    },
  };
}

/** One province's family of an aggregate's figures: the fields a set of agencies forms there. */
export interface FigureFamily {
  province: string;
  /** The fields (none: the unpublished rest of a published total). */
  fields: string[];
  agencyCount: number;
  /** Families adding up to one published total share a line. */
  line: string | null;
  published: boolean;
}

/** The fields withheld from a caller, with the reason for each, from the families of every province an aggregate covers. */
export function withheldFigures(families: readonly FigureFamily[], caller: DisclosureCaller): Map<string, string> {
  const parts = families.map((f): DisclosurePart & { family: FigureFamily } => {
    const known = caller.knows(f.province);
    return {
      family: f,
      province: f.province,
      unknown: known.all ? 0 : f.agencyCount,
      mayKnow: known.all ? 0 : known.some,
      lines: f.line ? [JSON.stringify([f.province, f.line])] : [],
      order: [f.province, f.line, f.fields.join(',')],
      unpublished: !f.published,
    };
  });
  const figures = new Map<string, string>();
  for (const [part, reason] of withheldParts(parts, caller.minAgencies)) {
    for (const field of part.family.fields) if (figures.get(field) !== WITHHELD.small(caller.minAgencies)) figures.set(field, reason);
  }
  return figures;
}

/** An aggregate's figures as a caller may see them: withheld ones null, and listed with their reasons. */
export function withholdFigures<F extends Record<string, unknown>>(figures: F, withheld: Map<string, string>): F & { withheld: { field: string; reason: string }[] } {
  const shown: Record<string, unknown> = { ...figures };
  for (const field of withheld.keys()) if (field in shown) shown[field] = null;
  return { ...(shown as F), withheld: [...withheld].sort(([a], [b]) => (a < b ? -1 : 1)).map(([field, reason]) => ({ field, reason })) };
}
