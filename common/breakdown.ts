/**
 * What every breakdown shares, wherever its groups are formed (the shard router for province
 * breakdowns, the sharing service for its workflows): the year range it covers and the order of
 * its groups.
 */

import { ErrorCode, userError } from './errors.js';
import { compareKeys, type KeyValue } from './key-order.js';

/** The widest year range one breakdown covers. */
export const MAX_YEARS = 20;

/** Refuses a year outside 2000–2100 (BAD_USER_INPUT naming the argument). */
export function checkYear(year: number, argumentName = 'year'): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw userError(ErrorCode.BAD_USER_INPUT, `${argumentName} must be a year between 2000 and 2100.`, { argumentName });
}

/** Refuses a year range that is reversed, outside 2000–2100 or wider than MAX_YEARS (BAD_USER_INPUT). */
export function checkYearRange(from: number, to: number): void {
  const bad = (message: string) => userError(ErrorCode.BAD_USER_INPUT, message, { argumentName: 'from' });
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 2000 || to > 2100) throw bad('from and to must be years between 2000 and 2100.');
  if (from > to) throw bad(`from (${from}) is after to (${to}).`);
  if (to - from + 1 > MAX_YEARS) throw bad(`A breakdown covers at most ${MAX_YEARS} years; ${from}–${to} is ${to - from + 1}.`);
}

/** The field a dimension or measure enum value names: AGENCY_LEVEL -> agencyLevel. */
export function fieldOfEnum(value: string): string {
  return value.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** How to order groups: by a measure (withheld groups, whose measure is null, last), ties by key. */
export interface GroupOrder<G> {
  /** The value of a field of a group. */
  read: (group: G, field: string) => unknown;
  /** The fields that identify a group. */
  keys: readonly string[];
  /** The measure's field, if any. */
  measure?: string;
  descending: boolean;
}

/** Sorts groups in place by a measure, then by key, so the order never depends on the order rows arrived in. */
export function orderGroups<G>(groups: G[], order: GroupOrder<G>): G[] {
  const keyOf = (g: G) => order.keys.map((k) => order.read(g, k) as KeyValue);
  return groups.sort((a, b) => {
    if (order.measure) {
      const [x, y] = [order.read(a, order.measure), order.read(b, order.measure)] as (number | null)[];
      if (x == null || y == null) {
        if ((x == null) !== (y == null)) return x == null ? 1 : -1;
      } else if (x !== y) return order.descending ? y - x : x - y;
    }
    return compareKeys(keyOf(a), keyOf(b));
  });
}
