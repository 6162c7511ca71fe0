import DataLoader from 'dataloader';
import { Cluster } from 'ioredis';
import { turnEndOf, type RedisClient } from '../shared-state/redis.js';

/**
 * A counter per province that every write through Xietong raises. A cached response records
 * the counters of the provinces it read; it is served only while they are unchanged, so a
 * write makes every response that touched its province stale at once, on every replica.
 */
export interface GenerationStore {
  /** Current counters, in the order asked; throws when they cannot be read (callers then skip the cache). */
  get(provinces: readonly string[]): Promise<number[]>;
  bump(provinces: readonly string[]): Promise<void>;
  /**
   * Records a province's data-version marker and raises its counter when the marker differs
   * from the one recorded before (a first sighting only records); resolves whether it raised.
   * Replicas sharing the store raise once per change, whoever sees it first.
   */
  observe(province: string, marker: string): Promise<boolean>;
}

/** Counters in this process (the embedded default). */
export class LocalGenerations implements GenerationStore {
  private readonly counters = new Map<string, number>();

  async get(provinces: readonly string[]): Promise<number[]> {
    return provinces.map((p) => this.counters.get(p) ?? 0);
  }

  private readonly markers = new Map<string, string>();

  async bump(provinces: readonly string[]): Promise<void> {
    for (const p of provinces) this.counters.set(p, (this.counters.get(p) ?? 0) + 1);
  }

  async observe(province: string, marker: string): Promise<boolean> {
    const before = this.markers.get(province);
    this.markers.set(province, marker);
    if (before === undefined || before === marker) return false;
    await this.bump([province]);
    return true;
  }
}

/**
 * Counters in Redis, shared by every replica. The reads of all requests in one turn of the event
 * loop travel as one MGET of their distinct keys (on a single node; one GET per key in a Cluster,
 * whose keys of several slots cannot share an MGET), gathered at the end of the turn the client's
 * writes leave at (see turnEndOf); for a client connectRedis did not make, the reads of one
 * tick. A read asked for from a setImmediate callback that runs after that end waits for the
 * next turn's: nothing on a request's path asks from one. A batch is sent after the reads that
 * join it were asked for, so no read sees counters older than its request.
 */
export class RedisGenerations implements GenerationStore {
  private readonly loader: DataLoader<string, number>;

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    const turnEnd = turnEndOf(client);
    // Each request's lookup runs in a tick of its own, so batching per tick made an MGET per
    // request. Gathered at the turn's end instead, they leave in the same socket write as before
    // (the turn end sends after it gathers), as one command.
    this.loader = new DataLoader<string, number>((keys) => this.read(keys), { cache: false, ...(turnEnd ? { batchScheduleFn: turnEnd.gather } : {}) });
  }

  async get(provinces: readonly string[]): Promise<number[]> {
    if (provinces.length === 0) return [];
    const values = await this.loader.loadMany(provinces.map((p) => `${this.prefix}${p}`));
    const failed = values.find((v): v is Error => v instanceof Error);
    if (failed) throw failed;
    return values as number[];
  }

  private async read(keys: readonly string[]): Promise<number[]> {
    const distinct = [...new Set(keys)];
    const values = this.client instanceof Cluster ? await Promise.all(distinct.map((k) => this.client.get(k))) : await this.client.mget(distinct);
    const byKey = new Map(distinct.map((k, i) => [k, Number(values[i] ?? 0)]));
    return keys.map((k) => byKey.get(k)!);
  }

  async bump(provinces: readonly string[]): Promise<void> {
    await Promise.all(provinces.map((p) => this.client.incr(`${this.prefix}${p}`)));
  }

  async observe(province: string, marker: string): Promise<boolean> {
    // SET … GET swaps atomically: of replicas seeing one change, only the first reads the old marker.
    const before = await this.client.set(`${this.prefix}marker:${province}`, marker, 'GET');
    if (before === null || before === marker) return false;
    await this.bump([province]);
    return true;
  }
}
