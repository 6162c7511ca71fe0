import { eventHash, GENESIS_HASH } from './chain.js';
import type { AuditEvent } from './event.js';

/** What the verifier reads: a store's events oldest first, and how many were ever appended. */
export interface ChainSource {
  scan(after?: string | null): AsyncIterable<AuditEvent>;
  /** Events ever appended, removed ones included (SQLite's AUTOINCREMENT counter, Redis's entries-added). */
  appended(): Promise<number>;
  /** Whether the store drops its oldest events on purpose (Redis MAXLEN); then a chain may start after genesis. */
  readonly trims: boolean;
}

/** The verdict on a whole chain: intact (with its head), or the first broken link. */
export type ChainVerdict =
  | {
      ok: true;
      /** Chained events checked. */
      events: number;
      /** Hash of the newest event (GENESIS_HASH when there is none): record it to notice a later rewrite of the whole chain. */
      head: string;
      /** The oldest remaining event, when older ones were trimmed away. */
      trimmedBefore: string | null;
      /** Events at the start recorded before the trail was chained (they carry no hash). */
      unchained: number;
    }
  | { ok: false; problem: string };

/**
 * Walks a chain oldest first: every event's hash must be its canonical form's, link to the one
 * before, and take the next sequence; nothing may be missing after the newest. Only the oldest
 * end may be missing, and only from a store that trims.
 */
export async function verifyChain(source: ChainSource): Promise<ChainVerdict> {
  // Read before the scan: events appended while it runs only make the scan longer.
  const appended = await source.appended();
  let prev: (AuditEvent & { sequence: number; hash: string }) | null = null;
  let first: string | null = null;
  let trimmedBefore: string | null = null;
  let unchained = 0;
  let events = 0;
  const broken = (id: string, what: string): ChainVerdict => ({ ok: false, problem: `event ${id}: ${what}` });
  for await (const e of source.scan()) {
    first ??= e.id;
    if (e.hash === null || e.prevHash === null || e.sequence === null) {
      // Unhashed events may only precede the chain (recorded before chaining); later, one is an insertion.
      if (prev) return broken(e.id, 'hash mismatch');
      unchained++;
      continue;
    }
    if (eventHash({ ...e, sequence: e.sequence, prevHash: e.prevHash }) !== e.hash) return broken(e.id, 'hash mismatch');
    if (prev) {
      if (e.sequence > prev.sequence + 1) return broken(e.id, `missing event before it (${e.sequence - prev.sequence - 1})`);
      if (e.prevHash !== prev.hash || e.sequence !== prev.sequence + 1) return broken(e.id, 'prevHash does not link');
    } else {
      const missing = e.sequence - 1 - unchained;
      if (missing > 0 && !source.trims) return broken(e.id, `missing event before it (${missing})`);
      if (missing > 0) trimmedBefore = first;
      // Nothing trimmed: the first chained event must start the chain.
      else if (missing < 0 || e.prevHash !== GENESIS_HASH) return broken(e.id, 'prevHash does not link');
    }
    prev = { ...e, sequence: e.sequence, hash: e.hash };
    events++;
  }
  const seen = prev?.sequence ?? unchained;
  if (seen < appended) return { ok: false, problem: `missing event after ${prev?.id ?? 'the start'} (${appended - seen} appended, not found)` };
  return { ok: true, events, head: prev?.hash ?? GENESIS_HASH, trimmedBefore, unchained };
}

/** The verdict as the CLI prints it: `ok: N events, head H` with notes, or the first broken link. */
export function describeVerdict(v: ChainVerdict): string {
  if (!v.ok) return v.problem;
  const notes = [v.trimmedBefore ? `trimmed before ${v.trimmedBefore}` : null, v.unchained ? `${v.unchained} unchained events recorded before chaining` : null].filter(Boolean);
  return `ok: ${v.events} events, head ${v.head}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}
