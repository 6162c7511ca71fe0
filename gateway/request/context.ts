import type { BaseContext } from '@apollo/server';
import type { AuthContext } from '../auth/context.js';

/** A province a request's scope named but could not be asked, and why: it has not joined, or the caller may not read its rows. */
export interface MissingProvince {
  code: string;
  /** The region whose member it is, when the scope named a region. */
  region: string | null;
  reason: 'NOT_REGISTERED' | 'NOT_READABLE';
}

/**
 * The provinces one request reached, and the live subgraphs (as `subgraph:NAME`: workflow state
 * that changes without a write through the gateway). The shard router (for each province it
 * calls), live subgraph sources and the response cache (for the provinces a cached answer was
 * read from) add to it; once the answer is ready, the audit trail and the cache read it (an
 * answer that reached a live subgraph is never cached). It also records the provinces a scope
 * named that were not asked (members that have not joined, provinces whose rows the caller may
 * not read), which the answer then names.
 * Adding is the only write.
 */
export class ProvinceLedger {
  private readonly reached = new Set<string>();
  private readonly absent = new Map<string, MissingProvince>();

  /** Records that the request reached these provinces. */
  add(codes: Iterable<string>): void {
    for (const code of codes) this.reached.add(code);
  }

  /** Records that a region's members were left out because they have not joined this gateway. */
  notJoined(region: string, codes: Iterable<string>): void {
    for (const code of codes) this.absent.set(`${region} ${code}`, { code, region, reason: 'NOT_REGISTERED' });
  }

  /** Records provinces a row scope named (itself, or by its region) whose rows the caller may not read: not asked, and named in the answer. */
  notReadable(region: string | null, codes: Iterable<string>): void {
    for (const code of codes) this.absent.set(`${region ?? ''} ${code}`, { code, region, reason: 'NOT_READABLE' });
  }

  /** The provinces left out, by region then code. */
  missing(): MissingProvince[] {
    return [...this.absent.values()].sort((a, b) => (a.region ?? '').localeCompare(b.region ?? '') || a.code.localeCompare(b.code));
  }

  /** The provinces reached, sorted. */
  list(): string[] {
    return [...this.reached].sort();
  }

  /** How many provinces were reached. */
  get size(): number {
    return this.reached.size;
  }
}

/**
 * One gateway request as the gateway's parts see it, declared here and nowhere else: who asks
 * (verified once by the HTTP layer), how to tell a subgraph so, the request id, and the ledger
 * of provinces reached. Modules keep their own per-request state to themselves.
 */
export interface GatewayContext extends BaseContext, AuthContext {
  requestId: string;
  /** The client's address as the socket sees it (what anonymous callers are limited by). */
  clientAddress: string;
  provinces: ProvinceLedger;
}
