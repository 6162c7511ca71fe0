import type { RedisClient } from '../shared-state/redis.js';
import { matches, type AuditEvent, type AuditQuery, type AuditStore } from './event.js';

/**
 * The audit trail in a Redis stream shared by every replica (durable as far as the Redis
 * server persists: run it with appendonly). Entries are only ever added (XADD).
 */
export class RedisAuditStore implements AuditStore {
  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
  ) {}

  async append(event: Omit<AuditEvent, 'id'>): Promise<void> {
    await this.client.xadd(this.key, '*', 'event', JSON.stringify(event));
  }

  async list(q: AuditQuery): Promise<{ events: AuditEvent[]; hasNextPage: boolean }> {
    const events: AuditEvent[] = [];
    let end = q.after ? `(${q.after}` : '+';
    for (;;) {
      const batch = (await this.client.xrevrange(this.key, end, '-', 'COUNT', 500)) as [string, string[]][];
      for (const [id, fields] of batch) {
        const event = { ...(JSON.parse(fields[1]) as Omit<AuditEvent, 'id'>), id };
        if (matches(event, q)) events.push(event);
        if (events.length > q.first) return { events: events.slice(0, q.first), hasNextPage: true };
      }
      if (batch.length < 500) return { events, hasNextPage: false };
      end = `(${batch.at(-1)![0]}`;
    }
  }

  async close(): Promise<void> {}
}
