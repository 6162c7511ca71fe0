import type { GraphQLAnswer } from '../../common/post-graphql.js';
import type { DataVersion, Reuse } from './caller.js';
import { InFlight } from './in-flight.js';

/** What SharedReads reads with: a province's current generation counter, and a fetch cache. */
export interface SharedReadsOptions {
  /** A province's generation counter now (throws when it cannot be read). */
  generation?: (province: string) => Promise<number>;
  reuse?: Reuse;
}

/**
 * Reads that callers of one scope share, for province and plain subgraph fetches alike:
 * identical concurrent reads go out once, and with a fetch cache an answer is reused while it is
 * valid. The key must separate everything an answer depends on (target, document, variables, the
 * caller's scope and the region table's version). Merging edits answers in place, so a caller
 * that joined another's read gets its own copy.
 *
 * A read about a province first reads that province's generation counter, which every write
 * through Xietong raises before it answers: a read joins only a read sent under the same
 * counter, so a request that starts after a write never receives an answer fetched before it,
 * nor stores one under the new counter. When the counter cannot be read, the fetch goes out on
 * its own, neither shared nor reused.
 */
export class SharedReads {
  private readonly inFlight = new InFlight<GraphQLAnswer>();

  constructor(private readonly options: SharedReadsOptions = {}) {}

  /** The answer of the read `key`: shared while in flight, else reused or sent; tied to `province`'s data version when given. */
  async read(key: string, province: string | undefined, send: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    let version: DataVersion | undefined;
    if (province !== undefined && this.options.generation) {
      try {
        version = { province, generation: await this.options.generation(province) };
      } catch {
        return send();
      }
    }
    const { reuse } = this.options;
    const { result, joined } = this.inFlight.run(version ? `${key}\n${version.generation}` : key, reuse ? () => reuse(key, version, send) : send);
    return joined ? structuredClone(await result) : result;
  }
}
