import { ErrorsAreMissesCache, PrefixingKeyValueCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Logger } from '../../common/logger.js';
import type { RedisClient } from './redis.js';

/** Apollo's KeyValueCache over ioredis; TTLs in seconds as Apollo passes them. */
class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(private readonly client: RedisClient) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (options?.ttl) await this.client.set(key, value, 'EX', Math.ceil(options.ttl));
    else await this.client.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }
}

/**
 * A shared cache under a key prefix. While Redis is down every read is a miss and every write
 * is dropped (Apollo's ErrorsAreMissesCache), so requests still succeed, only slower.
 */
export function redisCache(client: RedisClient, prefix: string, logger: Logger): KeyValueCache<string> {
  const miss = (error: unknown) => logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'shared cache unavailable; treated as a miss');
  return new PrefixingKeyValueCache(new ErrorsAreMissesCache(new RedisKeyValueCache(client), { debug: miss, info: miss, warn: miss, error: miss }), prefix);
}
