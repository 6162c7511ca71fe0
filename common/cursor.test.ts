import { describe, expect, it } from '@jest/globals';
import { compareCursors, decodeCursor, encodeCursor, type Cursor } from './cursor.js';

describe('keyset cursors', () => {
  const c = (value: string | number, id: string, direction: 'ASC' | 'DESC' = 'ASC'): Cursor => ({ order: 'X', direction, value, id });

  it('round-trips through an opaque string', () => {
    const cursor = c(1234567, '320000:AS-0000001', 'DESC');
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    '',
    'not base64 at all!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["X","UP",1,"i"]').toString('base64url'),
    Buffer.from('["X","ASC",{},"i"]').toString('base64url'),
    // Values no database column holds: an infinite number, a NUL in the value or the id.
    Buffer.from('["X","ASC",1e400,"i"]').toString('base64url'),
    Buffer.from('["X","ASC","a\\u0000","i"]').toString('base64url'),
    Buffer.from('["X","ASC",1,"i\\u0000"]').toString('base64url'),
  ])('refuses %j with BAD_CURSOR', (text) => {
    expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_CURSOR' } }));
  });

  it('orders by value, then id, in the direction of the order', () => {
    expect(compareCursors(c(1, 'b'), c(2, 'a'))).toBeLessThan(0);
    expect(compareCursors(c(2, 'a'), c(2, 'b'))).toBeLessThan(0);
    expect(compareCursors(c(2, 'a', 'DESC'), c(1, 'b', 'DESC'))).toBeLessThan(0);
    expect(compareCursors(c(2, 'b', 'DESC'), c(2, 'a', 'DESC'))).toBeLessThan(0);
    expect(compareCursors(c('2025-01-02', 'a'), c('2025-01-10', 'a'))).toBeLessThan(0);
    expect(compareCursors(c(5, 'x'), c(5, 'x'))).toBe(0);
  });

  it('compares ids as SQL compares them byte-wise: province prefix first', () => {
    expect(compareCursors(c(0, '110000:AS-0000009'), c(0, '320000:AS-0000001'))).toBeLessThan(0);
    expect(compareCursors(c(0, '320000:AS-0000010'), c(0, '320000:AS-0000009'))).toBeGreaterThan(0);
  });
});
