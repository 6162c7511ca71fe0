import { describe, expect, it } from '@jest/globals';
import { ReplayGuard } from './replay-guard.js';

describe('ReplayGuard', () => {
  it('accepts an id once until it expires, then forgets it', () => {
    let now = 1_000;
    const guard = new ReplayGuard(10, () => now);
    expect(guard.accept('a', 2_000)).toBe(true);
    expect(guard.accept('a', 2_000)).toBe(false);
    expect(guard.accept('b', 2_500)).toBe(true);
    now = 2_001;
    expect(guard.accept('c', 3_000)).toBe(true);
    expect(guard.size).toBe(2);
    expect(guard.accept('b', 2_500)).toBe(false);
  });

  it('fails closed when full of unexpired ids', () => {
    const guard = new ReplayGuard(2, () => 0);
    expect(guard.accept('a', 10)).toBe(true);
    expect(guard.accept('b', 10)).toBe(true);
    expect(guard.accept('c', 10)).toBe(false);
  });
});
