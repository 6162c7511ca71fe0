import { createHash } from 'node:crypto';
import type { AuditRecord, ChainedRecord, ChainLink } from './event.js';

/** prevHash of the first chained event of a store. */
export const GENESIS_HASH = '0'.repeat(64);

/** First element of the canonical form; a different form would get a different tag. */
const FORM = 'xietong-audit/1';

/** The head a store appends after: the last event's hash (null if none is chained) and how many events were ever appended. */
export interface ChainHead {
  hash: string | null;
  sequence: number;
}

/**
 * The canonical form of an event, the one place it is defined: JSON.stringify of the array
 *
 *   ["xietong-audit/1", sequence, prevHash, time, subject, role, binding, operationName,
 *    operationHash, mutation, provinces, outcome, errorCodes]
 *
 * in that order, hashed as UTF-8. An array of strings, numbers, booleans, nulls and string
 * arrays has exactly one JSON.stringify output (no whitespace, no key order to agree on), so an
 * auditor can recompute it in any language. The store's id is not part of it: a Redis entry id
 * is only known after the append, and order is already fixed by prevHash and sequence. A field
 * added to AuditRecord must be added here too, under a new FORM tag, or it goes unprotected.
 */
export function canonicalForm(e: AuditRecord & Omit<ChainLink, 'hash'>): string {
  return JSON.stringify([FORM, e.sequence, e.prevHash, e.time, e.subject, e.role, e.binding, e.operationName, e.operationHash, e.mutation, e.provinces, e.outcome, e.errorCodes]);
}

/** SHA-256 (hex) of an event's canonical form. */
export function eventHash(e: AuditRecord & Omit<ChainLink, 'hash'>): string {
  return createHash('sha256').update(canonicalForm(e), 'utf8').digest('hex');
}

/** Chains records, in order, after a head: each gets the next sequence and the hash of the one before. */
export function link(records: AuditRecord[], head: ChainHead): ChainedRecord[] {
  let prevHash = head.hash ?? GENESIS_HASH;
  return records.map((r, i) => {
    // Fields by name, not by spreading the record: spreading cost a quarter of an append's CPU
    // (13 against 17 µs measured); the type requires every field. The canonical form takes its
    // fields by name too, so the empty `hash` is not part of it.
    const event: ChainedRecord = {
      time: r.time,
      subject: r.subject,
      role: r.role,
      binding: r.binding,
      operationName: r.operationName,
      operationHash: r.operationHash,
      mutation: r.mutation,
      provinces: r.provinces,
      outcome: r.outcome,
      errorCodes: r.errorCodes,
      sequence: head.sequence + i + 1,
      prevHash,
      hash: '',
    };
    event.hash = prevHash = eventHash(event);
    return event;
  });
}
