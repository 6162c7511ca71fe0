import type { GraphQLAnswer } from '../../common/post-graphql.js';
import type { DataVersion, Reuse } from './caller.js';
import { InFlight } from './in-flight.js';
import { copyJson } from '../../common/json-copy.js';

/**
 * What SharedReads reads with: a province's current generation counter and, optionally, a fetch
 * cache (which needs the counter: it keeps an answer only while its province's counter holds).
 */
export type SharedReadsOptions = { generation?: undefined; reuse?: undefined } | { generation: (province: string) => Promise<number>; reuse?: Reuse };

/**
 * Reads that callers of one scope share, for province and plain subgraph fetches alike:
 * identical concurrent reads go out once, and with a fetch cache an answer is reused while it is
 * valid. The key must separate everything an answer depends on (target, document, variables, the
 * caller's scope and the region table's version). Merging edits answers in place, so a caller
 * that joined another's read gets its own copy.
 *
 * A read about a province first reads that province's generation counter, which every write
 * through Xietong raises before it answers (writeVersionsPlugin): a read joins only a read sent
 * under the same counter, so a request that starts after a write never receives an answer
 * fetched before it. When the counter cannot be read (Redis down, when writes cannot raise it
 * either), reads are still shared but never reused from, nor stored in, the fetch cache.
 */
export class SharedReads {
  private readonly inFlight = new InFlight<GraphQLAnswer>();

  constructor(private readonly options: SharedReadsOptions = {}) {}

  /** The answer of the read `key`: shared while in flight, else reused or sent; tied to `province`'s data version when given. */
  async read(key: string, province: string | undefined, send: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    const { generation, reuse } = this.options;
    let version: DataVersion | undefined;
    if (province !== undefined && generation) {
      try {
        version = { province, generation: await generation(province) };
      } catch {
        return this.share(`${key}\nunknown`, send);
      }
    }
    return this.share(version ? `${key}\n${version.generation}` : key, reuse ? () => reuse(key, version, send) : send);
  }

  private async share(key: string, send: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    const { result, joined } = this.inFlight.run(key, send);
    return joined ? copyJson(await result) : result;
  }
}
