/**
 * Small-cell suppression, decided on parts: one province's share of a figure and the agencies
 * that form it. Breakdown groups (breakdown.ts) and summary figures (summary-disclosure.ts) are
 * both parts; this module decides which are withheld and knows nothing of either.
 */

/** One province's part of a figure. */
export interface DisclosurePart {
  province: string;
  /** Its agencies the caller cannot add up itself (0 when it reads the province in full). */
  unknown: number;
  /** How many of those it may know anyway (an officer, its own agency). */
  mayKnow: number;
  /** The lines it lies on: parts that add up to a published total, so one hidden part could be derived from the rest. */
  lines: readonly string[];
  /** A tie-breaker, so the choice never depends on the order answers arrived in. */
  order: string;
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
 *   the largest hidden part is sure to count that many. Repeated until every line holds.
 */
export function withheldParts<P extends DisclosurePart>(parts: readonly P[], minAgencies: number): Map<P, string> {
  const bySize = (a: P, b: P) => a.unknown - b.unknown || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0);
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
  // Lines in a fixed order too: which part a line withholds can depend on what another withheld first.
  const lines = [...byLine.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, line]) => line);
  for (let changed = hidden.size > 0; changed;) {
    changed = false;
    for (const line of lines) {
      const out = line.filter((p) => hidden.has(p) && p.unknown > 0);
      if (out.length === 0 || Math.max(...out.map((p) => p.unknown)) - out[0].mayKnow >= minAgencies) continue;
      const next = line.filter((p) => !hidden.has(p) && p.unknown > 0).sort(bySize)[0];
      if (!next) continue; // every other unknown part of the line is hidden already
      withheld.set(next, WITHHELD.complementary);
      hidden.add(next);
      changed = true;
    }
  }
  return withheld;
}
