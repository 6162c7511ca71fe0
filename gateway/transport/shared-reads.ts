import type { GraphQLAnswer } from '../../common/post-graphql.js';
import type { Reuse } from './caller.js';
import { InFlight } from './in-flight.js';

/**
 * Reads that callers of one scope share, for province and plain subgraph fetches alike:
 * identical concurrent reads go out once, and with a fetch cache an answer is reused while it is
 * valid. The key must separate everything an answer depends on (target, document, variables, the
 * caller's scope and the region table's version). Merging edits answers in place, so a caller
 * that joined another's read gets its own copy.
 */
export class SharedReads {
  private readonly inFlight = new InFlight<GraphQLAnswer>();

  constructor(private readonly reuse?: Reuse) {}

  /** The answer of the read `key`: shared while in flight, else reused or sent; tied to `province`'s data version when given. */
  async read(key: string, province: string | undefined, send: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    const reuse = this.reuse;
    const { result, joined } = this.inFlight.run(key, reuse ? () => reuse(key, province, send) : send);
    return joined ? structuredClone(await result) : result;
  }
}
