import { describe, expect, it } from '@jest/globals';
import type { Principal } from '../../common/auth/principal.js';
import { VerifiedTokens } from './verified-tokens.js';

const alice: Principal = { sub: 'alice', role: 'REGION_COORDINATOR', region: 'YRD' };
const bob: Principal = { sub: 'bob', role: 'PROVINCE_ADMIN', province: '320000' };

describe('VerifiedTokens', () => {
  it('serves a verified token until it expires', () => {
    const cache = new VerifiedTokens();
    cache.set('t1', alice, 10_000, 0);
    expect(cache.get('t1', 9_999)).toEqual(alice);
    expect(cache.get('t1', 10_000)).toBeUndefined();
    expect(cache.get('t1', 5_000)).toBeUndefined();
  });

  it('serves an entry at most maxAgeMs after verification, even if the token lives longer', () => {
    const cache = new VerifiedTokens(10, 1_000);
    cache.set('t1', alice, 3_600_000, 0);
    expect(cache.get('t1', 999)).toEqual(alice);
    expect(cache.get('t1', 1_000)).toBeUndefined();
  });

  it('never confuses two tokens, and does not store one already expired', () => {
    const cache = new VerifiedTokens();
    cache.set('t1', alice, 10_000, 0);
    cache.set('t2', bob, 10_000, 0);
    cache.set('t3', bob, 100, 200);
    expect(cache.get('t1', 1)).toEqual(alice);
    expect(cache.get('t2', 1)).toEqual(bob);
    expect(cache.get('t1x', 1)).toBeUndefined();
    expect(cache.get('t3', 201)).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new VerifiedTokens(2);
    cache.set('a', alice, 10_000, 0);
    cache.set('b', bob, 10_000, 0);
    expect(cache.get('a', 1)).toEqual(alice);
    cache.set('c', bob, 10_000, 1);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 2)).toBeUndefined();
    expect(cache.get('a', 2)).toEqual(alice);
    expect(cache.get('c', 2)).toEqual(bob);
  });
});
