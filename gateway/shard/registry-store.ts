import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import type { Logger } from '../../common/logger.js';
import type { RedisClient } from '../shared-state/redis.js';
import type { ProvinceEndpoint, ProvinceRegistry } from './registry.js';

/**
 * Where registrations are kept. Every replica routes from its own in-memory ProvinceRegistry;
 * the store makes a registration made through one replica reach all of them.
 */
export interface RegistryStore {
  register(endpoint: ProvinceEndpoint): Promise<void>;
  unregister(code: string): Promise<void>;
  close(): Promise<void>;
}

/** The embedded default: registrations live in this process only. */
export class LocalRegistryStore implements RegistryStore {
  constructor(private readonly registry: ProvinceRegistry) {}

  async register(endpoint: ProvinceEndpoint) {
    this.registry.register(endpoint);
  }

  async unregister(code: string) {
    this.registry.unregister(code);
  }

  async close() {}
}

/** What the registry file holds: provinces registered at run time, and configured ones removed at run time. */
interface RegistryFile {
  registered: ProvinceEndpoint[];
  removed: string[];
}

/**
 * Registrations in a JSON file: without Redis, provinces joined through the admin API stay
 * joined across restarts (and configured ones removed stay removed). One gateway process owns
 * the file (several workers need Redis); each change is written whole and renamed into place,
 * so a crash leaves the old file or the new one, never half of one.
 */
export class FileRegistryStore implements RegistryStore {
  private constructor(
    private readonly registry: ProvinceRegistry,
    private readonly file: string,
    private state: RegistryFile,
  ) {}

  /** Loads the file (if any) over the configured provinces. A file that cannot be read is an error, not an empty registry. */
  static open(registry: ProvinceRegistry, file: string, configured: readonly ProvinceEndpoint[]): FileRegistryStore {
    let state: RegistryFile = { registered: [], removed: [] };
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RegistryFile>;
        state = { registered: parsed.registered ?? [], removed: parsed.removed ?? [] };
      } catch (error) {
        throw new Error(`cannot read the province registry ${file}: ${(error as Error).message}`);
      }
    }
    const byCode = new Map(configured.filter((e) => !state.removed.includes(e.code)).map((e) => [e.code, e]));
    for (const e of state.registered) byCode.set(e.code, e);
    registry.replaceAll([...byCode.values()]);
    return new FileRegistryStore(registry, file, state);
  }

  async register(endpoint: ProvinceEndpoint) {
    this.save({ registered: [...this.state.registered.filter((e) => e.code !== endpoint.code), endpoint], removed: this.state.removed.filter((c) => c !== endpoint.code) });
    this.registry.register(endpoint);
  }

  async unregister(code: string) {
    this.save({ registered: this.state.registered.filter((e) => e.code !== code), removed: [...new Set([...this.state.removed, code])] });
    this.registry.unregister(code);
  }

  async close() {}

  private save(next: RegistryFile) {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
    renameSync(temporary, this.file);
    this.state = next;
  }
}

/**
 * Registrations in a Redis hash, with a pub/sub message on every change. Each replica reloads
 * the hash when told, when Redis comes back after an outage, and every `resyncMs` as a safety
 * net for a missed message. While Redis is down, replicas keep routing with what they have.
 */
export class RedisRegistryStore implements RegistryStore {
  private readonly hash: string;
  private readonly channel: string;
  private readonly subscriber: RedisClient;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly registry: ProvinceRegistry,
    private readonly client: RedisClient,
    private readonly logger: Logger,
    prefix: string,
    resyncMs: number,
  ) {
    this.hash = `${prefix}provinces`;
    this.channel = `${prefix}provinces:changed`;
    // A subscriber connection may queue its SUBSCRIBE until Redis is reachable; ioredis resubscribes after reconnects.
    this.subscriber = client instanceof Cluster ? client.duplicate(undefined, { enableOfflineQueue: true }) : client.duplicate({ enableOfflineQueue: true });
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (channel: string) => {
      if (channel === this.channel) void this.reload();
    });
    client.on('ready', () => void this.reload());
    this.timer = setInterval(() => void this.reload(), resyncMs);
    this.timer.unref();
  }

  /** Connects the store: adds the configured provinces to the shared hash, then loads it. */
  static async start(registry: ProvinceRegistry, client: RedisClient, logger: Logger, options: { prefix: string; initial: readonly ProvinceEndpoint[]; resyncMs?: number }) {
    const store = new RedisRegistryStore(registry, client, logger, options.prefix, options.resyncMs ?? 10_000);
    await store.subscriber.subscribe(store.channel).catch(() => undefined);
    try {
      if (options.initial.length) await client.hset(store.hash, Object.fromEntries(options.initial.map((e) => [e.code, e.url])));
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'could not publish configured provinces to redis; routing to them locally');
    }
    await store.reload();
    return store;
  }

  /** Reloads the registry from Redis; keeps the current one when Redis cannot answer. */
  async reload(): Promise<void> {
    let entries: Record<string, string>;
    try {
      entries = await this.client.hgetall(this.hash);
    } catch {
      return;
    }
    if (Object.keys(entries).length === 0 && this.registry.list().length > 0) {
      // An emptied Redis (restart without persistence) must not empty the routing table: republish it.
      await this.client.hset(this.hash, Object.fromEntries(this.registry.list().map((e) => [e.code, e.url]))).catch(() => undefined);
      return;
    }
    this.registry.replaceAll(Object.entries(entries).map(([code, url]) => ({ code, url })));
  }

  async register(endpoint: ProvinceEndpoint): Promise<void> {
    await this.client.hset(this.hash, endpoint.code, endpoint.url);
    await this.client.publish(this.channel, endpoint.code);
    this.registry.register(endpoint);
    this.logger.info({ code: endpoint.code }, 'province registered in the shared registry');
  }

  async unregister(code: string): Promise<void> {
    await this.client.hdel(this.hash, code);
    await this.client.publish(this.channel, code);
    this.registry.unregister(code);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.subscriber.disconnect();
  }
}
