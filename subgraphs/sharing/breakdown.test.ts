import { describe, expect, it } from '@jest/globals';
import { breakdownOfFacts, type Fact } from './breakdown.js';
import type { DisclosureCaller } from '../../common/disclosure.js';

const analyst: DisclosureCaller = { minAgencies: 3, knows: () => ({ all: false, some: 0 }) };

/** Trips of one year between one pair of provinces: `agencies` bookers in each month, one trip each. */
function trips(byMonth: Record<number, number>): Fact<'tripCount'>[] {
  return Object.entries(byMonth).flatMap(([month, agencies]) =>
    Array.from({ length: agencies }, (_, i) => ({
      keys: { year: 2026, month: Number(month) },
      pair: ['510000', '500000'] as const,
      sides: [`500000-A${i}`, null],
      figures: { tripCount: 1 },
    })),
  );
}

const withheldMonths = (groups: { keys: Record<string, unknown>; withheld: string | null }[]) =>
  groups
    .filter((g) => g.withheld)
    .map((g) => g.keys.month)
    .sort((a, b) => Number(a) - Number(b));

describe('breakdownOfFacts', () => {
  it('withholds the same complement whichever keys a path lists (the statistics key months by year and month only)', () => {
    // November is small; January and October tie as its complement, and the tie is broken by month, not by text.
    const facts = trips({ 1: 5, 2: 9, 10: 5, 11: 1 });
    const short = breakdownOfFacts(facts, { keys: ['year', 'month'], lineDims: ['month'], caller: analyst, descending: true });
    const long = breakdownOfFacts(facts, {
      keys: ['year', 'month', 'vehicleProvince', 'agencyProvince', 'vehicleKind', 'category'],
      lineDims: ['month'],
      caller: analyst,
      descending: true,
    });
    expect(withheldMonths(short)).toEqual([1, 11]);
    expect(withheldMonths(long)).toEqual([1, 11]);
  });

  it('orders withheld groups last by key under every measure, their agency count too, and names none', () => {
    const groups = breakdownOfFacts(trips({ 1: 5, 2: 9, 10: 4, 11: 1, 12: 7 }), {
      keys: ['year', 'month'],
      lineDims: ['month'],
      caller: analyst,
      orderBy: 'agencyCount',
      descending: true,
    });
    expect(groups.map((g) => [g.keys.month, g.agencyCount])).toEqual([
      [2, 9],
      [12, 7],
      [1, 5],
      [10, null],
      [11, null],
    ]);
  });

  it('counts a side only where it has agencies: a trip on a rental vehicle is its bookers’ figure alone', () => {
    const [group] = breakdownOfFacts(trips({ 3: 3 }), { keys: ['year'], lineDims: [], caller: analyst, descending: true });
    expect([group.withheld, group.agencyCount]).toEqual([null, 3]);
    const owned = trips({ 3: 3 }).map((f) => ({ ...f, sides: [f.sides[0], '510000-OWNER'] }));
    const [small] = breakdownOfFacts(owned, { keys: ['year'], lineDims: [], caller: analyst, descending: true });
    expect(small.withheld).toMatch(/fewer than 3 agencies/);
  });
});
