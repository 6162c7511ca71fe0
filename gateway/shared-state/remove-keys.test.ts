import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TEST_REDIS_ROOT, TEST_REDIS_URL } from '../../test/helpers.js';
import { patternUnder, removeKeysUnder } from './remove-keys.js';

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
afterAll(() => redis.disconnect());

describe('removeKeysUnder', () => {
  it('removes every key under the prefix and none beside it, whatever characters the prefix holds', async () => {
    const prefix = `${TEST_REDIS_ROOT}remove:[a*]?:`;
    const beside = `${TEST_REDIS_ROOT}remove:[a*]X`;
    await redis.set(beside, 'kept');
    for (let i = 0; i < 1200; i++) await redis.set(`${prefix}${i}`, String(i));
    await redis.xadd(`${prefix}stream`, '*', 'event', '{}');
    expect(await removeKeysUnder(redis, prefix)).toBe(1201);
    expect(await redis.exists(`${prefix}0`, `${prefix}stream`)).toBe(0);
    expect(await redis.get(beside)).toBe('kept');
    await redis.del(beside);
  });

  it('escapes glob characters', () => {
    expect(patternUnder('a*b?[c]\\:')).toBe('a\\*b\\?\\[c\\]\\\\:*');
  });
});
