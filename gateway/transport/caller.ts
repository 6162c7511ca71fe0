import type { Principal } from '../../common/auth/principal.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import type { GraphQLAnswer } from '../../common/post-graphql.js';
import type { SessionUse } from '../../common/auth/assertion.js';

/**
 * Who a subgraph call is made for: what the gateway's data sources need of a request, and nothing
 * else. The gateway derives it from its request context (`callerOf`), so data sources never read
 * or write that context themselves.
 */
export interface Caller {
  requestId?: string;
  principal: Principal;
  /** The region membership the request is decided by (its assertions carry the same). */
  regions: RegionMembership;
  /** A fresh assertion addressed to one audience (`province:…`, `subgraph:…`), under that receiver's session or offering one. */
  assertionFor?(audience: string, session?: SessionUse): string;
  /** Records that the request reached a province, or a live subgraph as `subgraph:NAME` (the audit trail and the cache read it). */
  reached?(province: string): void;
  /** Records members of a region scope that were left out because they have not joined (the answer names them). */
  notJoined?(region: string, provinces: readonly string[]): void;
  /** Records provinces a row scope named whose rows the caller may not read (the answer names them). */
  notReadable?(region: string | null, provinces: readonly string[]): void;
}

/** A province's data version (its generation counter) as read before a fetch: what the fetch's answer holds under. */
export interface DataVersion {
  province: string;
  generation: number;
}

/** Reuses a read's answer (keyed by the caller's scope and the request) or loads it; `version` ties it to a province's data version. */
export type Reuse = (key: string, version: DataVersion | undefined, load: () => Promise<GraphQLAnswer>) => Promise<GraphQLAnswer>;
