import { describe, expect, it } from '@jest/globals';
import { FetchCache } from './fetch-cache.js';

function counter() {
  let calls = 0;
  return {
    load: (value: unknown) => async () => {
      calls++;
      return { data: { value } };
    },
    calls: () => calls,
  };
}

/** Version `generation` of 上海's data. */
const v = (generation: number) => ({ province: '310000', generation });

describe('FetchCache', () => {
  it('serves a province answer while the data version it was fetched under is the one read', async () => {
    const cache = new FetchCache({ ttlMs: 60_000, maxEntries: 10 });
    const c = counter();
    expect(await cache.read('k', v(0), c.load(1))).toEqual({ data: { value: 1 } });
    expect(await cache.read('k', v(0), c.load(2))).toEqual({ data: { value: 1 } });
    expect(await cache.read('k', v(1), c.load(3))).toEqual({ data: { value: 3 } });
    // An answer fetched under an older version is not served again once a newer one was stored.
    expect(await cache.read('k', v(1), c.load(4))).toEqual({ data: { value: 3 } });
    expect(c.calls()).toBe(2);
  });

  it('gives every reader its own copy, so merging one answer cannot change another', async () => {
    const cache = new FetchCache({ ttlMs: 60_000, maxEntries: 10 });
    const first = await cache.read('k', v(0), async () => ({ data: { list: [1, 2] } }));
    (first.data!.list as number[]).push(3);
    const second = await cache.read('k', v(0), async () => ({ data: { list: [9] } }));
    expect(second).toEqual({ data: { list: [1, 2] } });
    (second.data!.list as number[]).pop();
    expect(await cache.read('k', v(0), async () => ({ data: {} }))).toEqual({ data: { list: [1, 2] } });
  });

  it('never stores answers with errors, and keys never mix', async () => {
    const cache = new FetchCache({ ttlMs: 60_000, maxEntries: 10 });
    await cache.read('a', v(0), async () => ({ data: null, errors: [{ message: 'down' }] }));
    expect(await cache.read('a', v(0), async () => ({ data: { ok: true } }))).toEqual({ data: { ok: true } });
    expect(await cache.read('b', v(0), async () => ({ data: { ok: false } }))).toEqual({ data: { ok: false } });
    expect(cache.size).toBe(2);
  });

  it('expires entries after the TTL, and entries about no province live for it', async () => {
    const cache = new FetchCache({ ttlMs: 30, maxEntries: 10 });
    const c = counter();
    await cache.read('d', undefined, c.load(1));
    expect(await cache.read('d', undefined, c.load(2))).toEqual({ data: { value: 1 } });
    await new Promise((r) => setTimeout(r, 40));
    expect(await cache.read('d', undefined, c.load(3))).toEqual({ data: { value: 3 } });
  });

  it('holds at most maxEntries', async () => {
    const cache = new FetchCache({ ttlMs: 60_000, maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) await cache.read(k, v(0), async () => ({ data: { k } }));
    expect(cache.size).toBe(2);
    expect(await cache.read('a', v(0), async () => ({ data: { k: 'new' } }))).toEqual({ data: { k: 'new' } });
  });

  it('is bounded by bytes: an answer over maxEntryBytes is not kept, and the oldest go when the total is reached', async () => {
    const cache = new FetchCache({ ttlMs: 60_000, maxEntries: 100, maxBytes: 1_000, maxEntryBytes: 300 });
    const c = counter();
    const big = 'x'.repeat(200);
    // {"data":{"value":"x…"}}: 221 characters, 442 bytes: over the entry bound.
    await cache.read('big', v(0), c.load(big));
    await cache.read('big', v(0), c.load(big));
    expect([c.calls(), cache.size]).toEqual([2, 0]);
    // 20- and 21-character answers (40 and 42 bytes): 24 fit in 1,000 bytes; later ones push out the first.
    for (let i = 0; i < 26; i++) await cache.read(`k${i}`, v(0), c.load(i));
    expect(cache.size).toBe(24);
    await cache.read('k0', v(0), c.load(0));
    expect(c.calls()).toBe(2 + 26 + 1);
  });
});
