/** The Redis server tests share (keys under a per-run prefix; never flushed). */
export const TEST_REDIS_URL = process.env.XIETONG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Where every key a test process writes to the shared Redis lives: removed after each test file (test/redis-cleanup.ts). */
export const TEST_REDIS_ROOT = `xietong:test:${process.pid}:`;
