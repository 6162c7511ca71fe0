import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalForm, eventHash, GENESIS_HASH, link } from './chain.js';
import type { AuditEvent, AuditRecord } from './event.js';
import { describeVerdict, verifyChain, type ChainSource } from './verify.js';

const record = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  time: `2025-03-0${n}T08:00:00.000Z`,
  subject: `officer-${n}`,
  role: 'PROVINCE_ADMIN',
  binding: '320000',
  operationName: 'ReadBeijing',
  operationHash: 'a'.repeat(64),
  mutation: false,
  provinces: ['110000'],
  outcome: 'ok',
  errorCodes: [],
  ...extra,
});

/** A store's events as the verifier reads them (ids "1", "2", … unless given). */
function source(events: AuditEvent[], appended = events.length, trims = false): ChainSource {
  return {
    trims,
    appended: async () => appended,
    async *scan() {
      yield* events;
    },
  };
}

const chained = (records: AuditRecord[], head = { hash: null as string | null, sequence: 0 }): AuditEvent[] => link(records, head).map((e) => ({ ...e, id: String(e.sequence) }));

describe('canonical form', () => {
  it('is the JSON array of the fields in their fixed order, and its SHA-256 is the hash', () => {
    const e = { ...record(1, { subject: null, provinces: ['110000', '320000'], errorCodes: ['FORBIDDEN'] }), sequence: 7, prevHash: GENESIS_HASH };
    const expected = `["xietong-audit/1",7,"${GENESIS_HASH}","2025-03-01T08:00:00.000Z",null,"PROVINCE_ADMIN","320000","ReadBeijing","${'a'.repeat(64)}",false,["110000","320000"],"ok",["FORBIDDEN"]]`;
    expect(canonicalForm(e)).toBe(expected);
    expect(eventHash(e)).toBe(createHash('sha256').update(expected).digest('hex'));
    // Pinned (computed independently with Python's hashlib): a change of the form must be deliberate.
    expect(eventHash(e)).toBe('102ab9819526a79dc941b8193e3190aece4bb2cac4b36a3abd6d10138d03279d');
  });

  it('does not depend on key order or on fields outside the form, and changes with every field in it', () => {
    const e = { ...record(1), sequence: 1, prevHash: GENESIS_HASH };
    const reordered = Object.fromEntries(Object.entries(e).reverse()) as typeof e;
    expect(eventHash(reordered)).toBe(eventHash(e));
    expect(eventHash({ ...e, id: 'anything' } as typeof e)).toBe(eventHash(e));
    const variants: Partial<typeof e>[] = [
      { sequence: 2 },
      { prevHash: 'f'.repeat(64) },
      { time: 'x' },
      { subject: 'other' },
      { role: 'ANALYST' },
      { binding: null },
      { operationName: null },
      { operationHash: 'b' },
      { mutation: true },
      { provinces: ['110000', '310000'] },
      { outcome: 'error' },
      { errorCodes: ['X'] },
    ];
    const hashes = new Set(variants.map((v) => eventHash({ ...e, ...v })));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(eventHash(e))).toBe(false);
  });
});

describe('chain linking', () => {
  it('gives each record the next sequence and the previous hash, starting at genesis', () => {
    const [a, b, c] = link([record(1), record(2), record(3)], { hash: null, sequence: 0 });
    expect([a.sequence, b.sequence, c.sequence]).toEqual([1, 2, 3]);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    expect(c.prevHash).toBe(b.hash);
    for (const e of [a, b, c]) expect(e.hash).toBe(eventHash(e));
  });

  it('continues after a head', () => {
    const [a] = link([record(1)], { hash: 'c'.repeat(64), sequence: 41 });
    expect(a).toMatchObject({ sequence: 42, prevHash: 'c'.repeat(64) });
  });
});

describe('verifyChain', () => {
  const events = chained([record(1), record(2), record(3), record(4)]);

  it('accepts an intact chain and names its head', async () => {
    const verdict = await verifyChain(source(events));
    expect(verdict).toEqual({ ok: true, events: 4, head: events[3].hash, trimmedBefore: null, unchained: 0 });
    expect(describeVerdict(verdict)).toBe(`ok: 4 events, head ${events[3].hash}`);
    expect(describeVerdict(await verifyChain(source([])))).toBe(`ok: 0 events, head ${GENESIS_HASH}`);
  });

  it('reports an altered event as a hash mismatch', async () => {
    const altered = events.map((e, i) => (i === 1 ? { ...e, provinces: ['320000'] } : e));
    expect(describeVerdict(await verifyChain(source(altered)))).toBe('event 2: hash mismatch');
  });

  it('reports an altered event whose hash was recomputed as a broken link', async () => {
    const forged = { ...events[1], provinces: ['320000'] };
    forged.hash = eventHash({ ...forged, sequence: forged.sequence!, prevHash: forged.prevHash! });
    const verdict = await verifyChain(source(events.map((e, i) => (i === 1 ? forged : e))));
    expect(describeVerdict(verdict)).toBe('event 3: prevHash does not link');
  });

  it('reports a removed event, in the middle and at the newest end', async () => {
    expect(describeVerdict(await verifyChain(source([events[0], events[2], events[3]], 4)))).toBe('event 3: missing event before it (1)');
    expect(describeVerdict(await verifyChain(source(events.slice(0, 3), 4)))).toBe('missing event after 3 (1 appended, not found)');
    expect(describeVerdict(await verifyChain(source([], 4)))).toBe('missing event after the start (4 appended, not found)');
  });

  it('reports a removed oldest event, unless the store trims (then notes where the trail starts)', async () => {
    expect(describeVerdict(await verifyChain(source(events.slice(2), 4)))).toBe('event 3: missing event before it (2)');
    const verdict = await verifyChain(source(events.slice(2), 4, true));
    expect(verdict).toMatchObject({ ok: true, events: 2, trimmedBefore: '3' });
    expect(describeVerdict(verdict)).toBe(`ok: 2 events, head ${events[3].hash} (trimmed before 3)`);
    // Trimming does not excuse a broken link after the first remaining event.
    expect(describeVerdict(await verifyChain(source([events[1], events[3]], 4, true)))).toBe('event 4: missing event before it (1)');
  });

  it('refuses a first event that claims to start the chain but does not link to genesis', async () => {
    const [fake] = chained([record(9)], { hash: 'e'.repeat(64), sequence: 0 });
    expect(describeVerdict(await verifyChain(source([fake, ...events.slice(1)])))).toBe('event 1: prevHash does not link');
  });

  it('accepts events recorded before chaining at the start only', async () => {
    const legacy = (id: string): AuditEvent => ({ ...record(5), id, sequence: null, prevHash: null, hash: null });
    const after = chained([record(1), record(2)], { hash: null, sequence: 2 });
    expect(await verifyChain(source([legacy('1'), legacy('2'), ...after], 4))).toMatchObject({ ok: true, events: 2, unchained: 2 });
    const [a, b] = chained([record(1), record(2)]);
    expect(describeVerdict(await verifyChain(source([a, legacy('x'), b], 3)))).toBe('event x: hash mismatch');
  });
});
