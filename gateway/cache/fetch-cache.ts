import { LRUCache } from 'lru-cache';
import type { GraphQLAnswer } from '../../common/post-graphql.js';
import type { DataVersion } from '../transport/caller.js';

/** Settings of a fetch cache. */
export interface FetchCacheOptions {
  /** Longest life of an entry. */
  ttlMs: number;
  maxEntries: number;
  /** Bound on the entries' text, bytes (two per character: what V8 may take for it); default {@link CACHE_BYTES}. */
  maxBytes?: number;
  /** Larger answers are not kept, bytes; default {@link CACHE_BYTES}. */
  maxEntryBytes?: number;
}

/** Default byte bounds of the gateway's caches (this one and the response cache): the whole, and one entry. */
export const CACHE_BYTES = { maxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024 };

interface Entry {
  /** The answer's JSON text: every reader parses its own copy, since merging edits answers in place. */
  text: string;
  generation: number;
  expiresAt: number;
}

/**
 * Answers of single subgraph fetches (one province's part of a query plan, or a plain
 * subgraph's), reused across different operations and variables that need the same fetch: when
 * one province's data changes, a region's dashboard answer is rebuilt from the others' cached
 * parts plus one new province request. The caller's key must separate everything an answer
 * depends on (target, document, variables, the caller's scope); mutations are never cached.
 *
 * An entry about a province is served only while that province's generation counter equals the
 * one read before its fetch was sent (writes through Xietong and detected direct writes raise
 * it): the caller reads it and passes it as `version` (SharedReads does). It is never served after
 * its TTL; an entry about no province (a plain subgraph's reference data) lives for its TTL.
 * Answers with errors are never stored. Bounded by entries and by bytes, least recently used
 * first out; an answer over `maxEntryBytes` is not kept at all (one caller's huge answers would
 * otherwise push out everyone's, or, bounded only by count, fill the heap).
 */
export class FetchCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(private readonly options: FetchCacheOptions) {
    this.entries = new LRUCache<string, Entry>({
      max: options.maxEntries,
      maxSize: options.maxBytes ?? CACHE_BYTES.maxBytes,
      maxEntrySize: options.maxEntryBytes ?? CACHE_BYTES.maxEntryBytes,
      sizeCalculation: (entry) => Math.max(1, 2 * entry.text.length),
    });
  }

  /** The cached answer for `key` under `version` (none: a read about no province), or `load`'s answer (stored when it has no errors). */
  async read(key: string, version: DataVersion | undefined, load: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    const generation = version?.generation ?? 0;
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && entry.generation === generation && entry.expiresAt > now) return JSON.parse(entry.text) as GraphQLAnswer;
    const answer = await load();
    // One over maxEntryBytes is refused by the LRU (and any older entry of the key dropped).
    if (answer.data && !answer.errors?.length) this.entries.set(key, { text: JSON.stringify(answer), generation, expiresAt: now + this.options.ttlMs });
    return answer;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }
}
