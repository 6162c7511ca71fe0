import { describe, expect, it } from '@jest/globals';
import { startRedisServer } from '../../test/helpers.js';
import { createLogger } from '../../common/logger.js';
import { connectRedis, REDIS_COMMAND_TIMEOUT_MS, whenReady } from './redis.js';

describe('a Redis that stops answering', () => {
  it('costs one command timeout, then commands fail at once until it answers again', async () => {
    const server = await startRedisServer();
    const client = connectRedis({ url: server.url }, createLogger('test'), 'hung-test');
    const timed = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      const outcome: { value?: unknown; error?: string } = await run().then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );
      return { ...outcome, ms: performance.now() - started };
    };
    try {
      await whenReady(client);
      expect(await client.set('k', 'v')).toBe('OK');
      server.pause();
      const first = await timed(() => client.get('k'));
      expect(first).toMatchObject({ error: 'Command timed out' });
      expect(first.ms).toBeGreaterThanOrEqual(REDIS_COMMAND_TIMEOUT_MS - 50);
      const next = await timed(() => client.get('k'));
      expect(next.error).toBeDefined();
      expect(next.ms).toBeLessThan(100);
      server.resume();
      // The dropped connection is made again, and used again, once the server answers.
      let again: string | null | undefined;
      for (let waited = 0; waited < 10_000 && again !== 'v'; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        again = await client.get('k').catch(() => undefined);
      }
      expect(again).toBe('v');
    } finally {
      server.resume();
      client.disconnect();
      await server.stop();
    }
  });
});
