import type { RedisClient } from '../shared-state/redis.js';
import { link, type ChainHead } from './chain.js';
import { matches, readEvent, type AuditEvent, type AuditQuery, type AuditRecord, type AuditStore } from './event.js';

/** How much of the audit stream Redis keeps (archive older events with `npm run audit:export`). */
export interface AuditRetention {
  /** Events kept, approximately (XADD MAXLEN ~): the oldest go first. */
  maxEvents: number;
}

/** Default retention: about a million events. */
export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxEvents: 1_000_000 };

/** Name under which the append script is defined on the client. */
const APPEND = 'xietongAuditAppend';

/**
 * Appends chained events only if the stream's head is still the one they were chained to:
 * the last entry's hash and the stream's count of entries ever added (XINFO entries-added,
 * Redis 7+, which XDEL and trimming do not lower). Otherwise it appends nothing and answers
 * the current head, for the caller to chain again. Reading and adding in one script makes the
 * compare-and-append atomic across replicas; the hashing stays in Node because Lua in Redis
 * has no SHA-256. One key, so it also runs on a Redis Cluster.
 * KEYS[1] stream; ARGV[1] head hash ('' for none), ARGV[2] entries added, ARGV[3] MAXLEN, ARGV[4..] events.
 */
const APPEND_LUA = `
local head, added = '', nil
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'entries-added' then added = info[i + 1]
    elseif info[i] == 'last-entry' and info[i + 1] then
      local fields = info[i + 1][2]
      for j = 1, #fields, 2 do
        if fields[j] == 'event' then
          local ok, event = pcall(cjson.decode, fields[j + 1])
          if ok and type(event) == 'table' and type(event.hash) == 'string' then head = event.hash end
        end
      end
    end
  end
  if added == nil then return redis.error_reply('the audit hash chain needs Redis 7 or later (XINFO entries-added)') end
else
  added = 0
end
if head ~= ARGV[1] or added ~= tonumber(ARGV[2]) then return {0, head, added} end
for i = 4, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[i])
end
return {1}
`;

/** Appends offered to one script call at most. */
const MAX_BATCH = 200;
/** Times a batch is chained again after another replica appended first, before giving up. */
const MAX_ATTEMPTS = 50;

type AppendCommand = Record<typeof APPEND, (key: string, head: string, added: number, maxLen: number, ...events: string[]) => Promise<[0, string, number] | [1]>>;

/**
 * The audit trail in a Redis stream shared by every replica (durable as far as the Redis
 * server persists: run it with appendonly). Entries are only ever added (XADD), each chained
 * to the one before (see chain.ts); the stream is capped at `retention.maxEvents`.
 *
 * Replicas keep one linear chain by optimistic concurrency: a replica chains its events to the
 * head it last saw and the script appends them only if that is still the head. Within a
 * replica appends are queued and sent in batches, one script call at a time, so they never
 * race each other; a replica that lost to another rechains its batch to the head the script
 * answered and tries again.
 */
export class RedisAuditStore implements AuditStore {
  /** MAXLEN drops the oldest events, so the chain may start after genesis. */
  readonly trims = true;
  private readonly maxEvents: number;
  private queue: { record: AuditRecord; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private sending: Promise<void> | null = null;
  /** The head after this replica's last append or conflict; null until the first. */
  private head: ChainHead | null = null;

  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    retention: Partial<AuditRetention> = {},
  ) {
    this.maxEvents = retention.maxEvents ?? DEFAULT_AUDIT_RETENTION.maxEvents;
    client.defineCommand(APPEND, { numberOfKeys: 1, lua: APPEND_LUA });
  }

  append(record: AuditRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.sending ??= this.send();
    });
  }

  private async send(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.commit(batch.map((p) => p.record));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.sending = null;
  }

  private async commit(records: AuditRecord[]): Promise<void> {
    // Without a head yet, an impossible expectation (sequence -1) makes the script answer the real one.
    this.head ??= (await this.tryAppend({ hash: null, sequence: -1 }, []))!;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const events = link(records, this.head);
      const current = await this.tryAppend(
        this.head,
        events.map((e) => JSON.stringify(e)),
      );
      this.head = current ?? { hash: events.at(-1)!.hash, sequence: events.at(-1)!.sequence };
      if (!current) return;
    }
    throw new Error(`audit stream ${this.key}: the chain head kept moving; ${records.length} events not appended`);
  }

  /** Appends events chained to `head` if it is still the head: null when appended, else the current head. */
  private async tryAppend(head: ChainHead, events: string[]): Promise<ChainHead | null> {
    const run = (this.client as unknown as AppendCommand)[APPEND].bind(this.client);
    const reply = await run(this.key, head.hash ?? '', head.sequence, this.maxEvents, ...events);
    return reply[0] === 1 ? null : { hash: reply[1] || null, sequence: Number(reply[2]) };
  }

  /** How many events were ever added to the stream, trimmed and deleted ones included. */
  async appended(): Promise<number> {
    if (!(await this.client.exists(this.key))) return 0;
    const info = (await this.client.xinfo('STREAM', this.key)) as unknown[];
    const i = info.indexOf('entries-added');
    if (i < 0) throw new Error('the audit hash chain needs Redis 7 or later (XINFO entries-added)');
    return Number(info[i + 1]);
  }

  /** Every event after `after` (a stream entry id), oldest first. */
  async *scan(after?: string | null): AsyncIterable<AuditEvent> {
    let start = after ? `(${after}` : '-';
    for (;;) {
      const batch = (await this.client.xrange(this.key, start, '+', 'COUNT', 500)) as [string, string[]][];
      for (const [id, fields] of batch) yield readEvent(id, fields[1]);
      if (batch.length < 500) return;
      start = `(${batch.at(-1)![0]}`;
    }
  }

  async list(q: AuditQuery): Promise<{ events: AuditEvent[]; hasNextPage: boolean }> {
    const events: AuditEvent[] = [];
    let end = q.after ? `(${q.after}` : '+';
    for (;;) {
      const batch = (await this.client.xrevrange(this.key, end, '-', 'COUNT', 500)) as [string, string[]][];
      for (const [id, fields] of batch) {
        const event = readEvent(id, fields[1]);
        if (matches(event, q)) events.push(event);
        if (events.length > q.first) return { events: events.slice(0, q.first), hasNextPage: true };
      }
      if (batch.length < 500) return { events, hasNextPage: false };
      end = `(${batch.at(-1)![0]}`;
    }
  }

  /** Waits for queued appends (the client is the caller's to close). */
  async close(): Promise<void> {
    await this.sending;
  }
}
