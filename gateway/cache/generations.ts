import { Cluster } from 'ioredis';
import type { RedisClient } from '../shared-state/redis.js';

/**
 * A counter per province that every write through Xietong raises. A cached response records
 * the counters of the provinces it read; it is served only while they are unchanged, so a
 * write makes every response that touched its province stale at once, on every replica.
 */
export interface GenerationStore {
  /** Current counters, in the order asked; throws when they cannot be read (callers then skip the cache). */
  get(provinces: readonly string[]): Promise<number[]>;
  bump(provinces: readonly string[]): Promise<void>;
}

/** Counters in this process (the embedded default). */
export class LocalGenerations implements GenerationStore {
  private readonly counters = new Map<string, number>();

  async get(provinces: readonly string[]): Promise<number[]> {
    return provinces.map((p) => this.counters.get(p) ?? 0);
  }

  async bump(provinces: readonly string[]): Promise<void> {
    for (const p of provinces) this.counters.set(p, (this.counters.get(p) ?? 0) + 1);
  }
}

/** Counters in Redis, shared by every replica. */
export class RedisGenerations implements GenerationStore {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async get(provinces: readonly string[]): Promise<number[]> {
    if (provinces.length === 0) return [];
    const keys = provinces.map((p) => `${this.prefix}${p}`);
    // One MGET on a single node; one GET per key in a Cluster (keys of several slots cannot share an MGET).
    const values = this.client instanceof Cluster ? await Promise.all(keys.map((k) => this.client.get(k))) : await this.client.mget(keys);
    return values.map((v) => Number(v ?? 0));
  }

  async bump(provinces: readonly string[]): Promise<void> {
    await Promise.all(provinces.map((p) => this.client.incr(`${this.prefix}${p}`)));
  }
}
