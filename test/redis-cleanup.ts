import { afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { removeKeysUnder } from '../gateway/shared-state/remove-keys.js';
// Only ioredis and the root: this runs after every test file, so it must load little.
import { TEST_REDIS_ROOT, TEST_REDIS_URL } from './redis-root.js';

// After each test file, the keys its process wrote to the shared Redis (all under
// TEST_REDIS_ROOT) are removed: a run leaves nothing behind in a server others use. Jest runs a
// worker's files one after another, so no other file of this process is using them. A Redis
// that cannot be reached is left alone (a test that needs it has failed already).
afterAll(async () => {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await removeKeysUnder(client, TEST_REDIS_ROOT);
  } catch {
    // unreachable: nothing to remove
  } finally {
    client.disconnect();
  }
});
