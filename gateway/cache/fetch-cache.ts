import type { GraphQLAnswer } from '../../common/post-graphql.js';
import type { DataVersion } from '../transport/caller.js';

/** Settings of a fetch cache. */
export interface FetchCacheOptions {
  /** Longest life of an entry. */
  ttlMs: number;
  maxEntries: number;
}

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
 * Answers with errors are never stored. Bounded: least recently used first out.
 */
export class FetchCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: FetchCacheOptions) {}

  /** The cached answer for `key` under `version` (none: a read about no province), or `load`'s answer (stored when it has no errors). */
  async read(key: string, version: DataVersion | undefined, load: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    const generation = version?.generation ?? 0;
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && entry.generation === generation && entry.expiresAt > now) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return JSON.parse(entry.text) as GraphQLAnswer;
    }
    const answer = await load();
    if (answer.data && !answer.errors?.length) {
      this.entries.delete(key);
      this.entries.set(key, { text: JSON.stringify(answer), generation, expiresAt: now + this.options.ttlMs });
      if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return answer;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }
}
