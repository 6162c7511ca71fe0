/**
 * One order of group keys for every path that sorts them, so two paths that decide the same
 * groups (a breakdown and the statistics built from it) never break a tie differently.
 */

/** A value of a key: a province code, a year, a month, a flag, or null for a dimension not asked. */
export type KeyValue = string | number | boolean | null | undefined;

/**
 * Compares two key tuples element by element: null (and missing) first, numbers by value (month
 * 2 before 10), anything else as text. A shorter tuple that is a prefix of a longer one whose
 * rest is null compares equal, so the keys a path leaves out never change the order.
 */
export function compareKeys(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? null, b[i] ?? null];
    if (x === y) continue;
    if (x === null || y === null) return x === null ? -1 : 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const [s, t] = [String(x), String(y)];
    if (s !== t) return s < t ? -1 : 1;
  }
  return 0;
}
