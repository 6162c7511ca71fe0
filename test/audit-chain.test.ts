import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { Cluster, Redis } from 'ioredis';
import { REPO_ROOT } from '../common/subgraphs.js';
import type { AuditRecord } from '../gateway/audit/event.js';
import { RedisAuditStore } from '../gateway/audit/redis-store.js';
import { SqliteAuditStore } from '../gateway/audit/sqlite-store.js';
import { describeVerdict, verifyChain, type ChainSource } from '../gateway/audit/verify.js';
import { startRedisCluster, TEST_REDIS_URL, testRedisPrefix } from './helpers.js';

const record = (i: number, subject = 'officer'): AuditRecord => ({
  time: new Date(Date.UTC(2025, 2, 1, 8, 0, i)).toISOString(),
  subject: `${subject}-${i}`,
  role: 'PROVINCE_ADMIN',
  binding: '320000',
  operationName: 'ReadBeijing',
  operationHash: 'a'.repeat(64),
  mutation: i % 2 === 0,
  provinces: ['110000'],
  outcome: 'ok',
  errorCodes: [],
});

const verdict = async (source: ChainSource) => describeVerdict(await verifyChain(source));

/** Runs a built CLI script (npm run build first), returning its exit code and output. */
async function cli(script: 'audit-verify' | 'audit-export', args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, `dist/scripts/${script}.js`), ...args]);
    return { code: 0, stdout };
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string };
    return { code, stdout };
  }
}

describe('the audit chain in an SQLite file', () => {
  /** A new audit file holding n events appended concurrently. */
  async function trail(n: number): Promise<string> {
    const file = join(mkdtempSync(join(tmpdir(), 'xietong-audit-chain-')), 'audit.sqlite');
    const store = await SqliteAuditStore.open(file);
    await Promise.all(Array.from({ length: n }, (_, i) => store.append(record(i + 1))));
    await store.close();
    return file;
  }

  async function verifyFile(file: string): Promise<string> {
    const store = await SqliteAuditStore.open(file, { readonly: true });
    try {
      return await verdict(store);
    } finally {
      await store.close();
    }
  }

  /** What someone with the file can do: drop the triggers that make it append-only, then change it. */
  function asAttacker(file: string, change: (db: Database.Database) => void): void {
    const db = new Database(file);
    db.exec('drop trigger audit_events_no_update; drop trigger audit_events_no_delete;');
    change(db);
    db.close();
  }

  it('chains concurrent appends in order; the chain verifies, by library and by CLI', async () => {
    const file = await trail(5);
    const store = await SqliteAuditStore.open(file);
    const { events } = await store.list({ first: 10 });
    await store.close();
    expect(events.map((e) => [e.id, e.sequence])).toEqual([5, 4, 3, 2, 1].map((n) => [String(n), n]));
    for (let i = 0; i < 4; i++) expect(events[i].prevHash).toBe(events[i + 1].hash);
    expect(await verifyFile(file)).toBe(`ok: 5 events, head ${events[0].hash}`);
    expect(await cli('audit-verify', ['--file', file])).toEqual({ code: 0, stdout: `ok: 5 events, head ${events[0].hash}\n` });
    // The triggers still refuse a rewrite from anyone who does not drop them first.
    const db = new Database(file);
    expect(() => db.prepare('delete from audit_events where seq = ?').run(2)).toThrow(/append-only/);
    db.close();
  });

  it('an event altered behind the triggers is a hash mismatch', async () => {
    const file = await trail(5);
    asAttacker(file, (db) => db.prepare("update audit_events set event_json = json_set(event_json, '$.provinces', json(?)) where seq = ?").run('["320000"]', 3));
    expect(await verifyFile(file)).toBe('event 3: hash mismatch');
    expect(await cli('audit-verify', ['--file', file])).toEqual({ code: 1, stdout: 'event 3: hash mismatch\n' });
  });

  it('a deleted event is missing, in the middle and at the newest end, also after later appends', async () => {
    const middle = await trail(5);
    asAttacker(middle, (db) => db.prepare('delete from audit_events where seq = ?').run(3));
    expect(await verifyFile(middle)).toBe('event 4: missing event before it (1)');

    const newest = await trail(5);
    asAttacker(newest, (db) => db.prepare('delete from audit_events where seq = ?').run(5));
    expect(await verifyFile(newest)).toBe('missing event after 4 (1 appended, not found)');
    const store = await SqliteAuditStore.open(newest);
    await store.append(record(6));
    await store.close();
    expect(await verifyFile(newest)).toBe('event 6: missing event before it (1)');

    const oldest = await trail(5);
    asAttacker(oldest, (db) => db.prepare('delete from audit_events where seq = ?').run(1));
    expect(await verifyFile(oldest)).toBe('event 2: missing event before it (1)');
  });
});

describe('the audit chain in a Redis stream', () => {
  const clients: (Redis | Cluster)[] = [];
  const keys: string[] = [];
  const client = () => {
    const c = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };
  // Connected only when a test of this block runs: a filtered-out block must not keep Jest alive.
  let admin: Redis;
  beforeAll(() => {
    admin = client();
  });
  const prefix = () => {
    const p = testRedisPrefix('audit-chain');
    keys.push(`${p}audit`);
    return p;
  };
  afterAll(async () => {
    if (keys.length) await admin.del(...keys);
    for (const c of clients) c.disconnect();
  });

  const entryIds = async (key: string) => ((await admin.xrange(key, '-', '+')) as [string, string[]][]).map(([id]) => id);

  it('verifies, by library and by CLI; a deleted entry or a forged one is found', async () => {
    const p = prefix();
    const store = new RedisAuditStore(client(), `${p}audit`);
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.append(record(i + 1))));
    const ok = await verdict(store);
    expect(ok).toMatch(/^ok: 6 events, head [0-9a-f]{64}$/);
    expect(await cli('audit-verify', ['--redis', TEST_REDIS_URL, '--prefix', p])).toEqual({ code: 0, stdout: `${ok}\n` });

    const ids = await entryIds(`${p}audit`);
    await admin.xdel(`${p}audit`, ids[2]);
    expect(await verdict(store)).toBe(`event ${ids[3]}: missing event before it (1)`);
    expect(await cli('audit-verify', ['--redis', TEST_REDIS_URL, '--prefix', p])).toEqual({ code: 1, stdout: `event ${ids[3]}: missing event before it (1)\n` });

    // A forged entry: an earlier event's JSON, hash and all, with other provinces.
    const q = prefix();
    const other = new RedisAuditStore(client(), `${q}audit`);
    for (let i = 1; i <= 3; i++) await other.append(record(i));
    const [[, fields]] = (await admin.xrange(`${q}audit`, '-', '+', 'COUNT', 1)) as [string, string[]][];
    const forgedId = await admin.xadd(`${q}audit`, '*', 'event', JSON.stringify({ ...JSON.parse(fields[1]), provinces: ['320000'] }));
    expect(await verdict(other)).toBe(`event ${forgedId}: hash mismatch`);
  });

  it('two replicas appending at once keep one linear chain', async () => {
    const p = prefix();
    const a = new RedisAuditStore(client(), `${p}audit`);
    const b = new RedisAuditStore(client(), `${p}audit`);
    await Promise.all(Array.from({ length: 100 }, (_, i) => [a.append(record(i, 'replica-a')), b.append(record(i, 'replica-b'))]).flat());
    expect(await verifyChain(a)).toMatchObject({ ok: true, events: 200, trimmedBefore: null });
    const events = [];
    for await (const e of a.scan()) events.push(e);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.subject)).size).toBe(200);
  });

  it('retention caps the stream; the trimmed chain still verifies and the export archives it from an id', async () => {
    const p = prefix();
    const store = new RedisAuditStore(client(), `${p}audit`, { maxEvents: 50 });
    for (let i = 0; i < 4; i++) await Promise.all(Array.from({ length: 100 }, (_, j) => store.append(record(i * 100 + j))));
    const ids = await entryIds(`${p}audit`);
    expect(ids.length).toBeGreaterThanOrEqual(50);
    expect(ids.length).toBeLessThan(400);
    const v = await verifyChain(store);
    expect(v).toMatchObject({ ok: true, events: ids.length, trimmedBefore: ids[0] });
    expect(describeVerdict(v)).toMatch(new RegExp(`^ok: ${ids.length} events, head [0-9a-f]{64} \\(trimmed before ${ids[0]}\\)$`));

    const exported = await cli('audit-export', ['--redis', TEST_REDIS_URL, '--prefix', p, '--since', ids[9]]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; sequence: number; prevHash: string; hash: string });
    expect(lines.map((l) => l.id)).toEqual(ids.slice(10));
    for (let i = 1; i < lines.length; i++) expect(lines[i].prevHash).toBe(lines[i - 1].hash);
    expect(lines.at(-1)!.sequence).toBe(400);

    // Trimming excuses only the oldest end.
    await admin.xdel(`${p}audit`, ids[20]);
    expect(await verdict(store)).toBe(`event ${ids[21]}: missing event before it (1)`);
  });

  it('stays one chain on a Redis Cluster (the append script touches one key)', async () => {
    const cluster = await startRedisCluster();
    try {
      const nodes = () => {
        const c = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
        clients.push(c);
        return c;
      };
      const a = new RedisAuditStore(nodes(), 'xietong:audit');
      const b = new RedisAuditStore(nodes(), 'xietong:audit');
      await Promise.all(Array.from({ length: 30 }, (_, i) => [a.append(record(i, 'a')), b.append(record(i, 'b'))]).flat());
      expect(await verifyChain(b)).toMatchObject({ ok: true, events: 60 });
    } finally {
      for (const c of clients.splice(-2)) c.disconnect();
      await cluster.stop();
    }
  });
});
