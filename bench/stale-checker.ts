/**
 * The stale-read checker of W2: while the load runs, it flips one 上海 asset's status through the
 * gateway and, after each acknowledged write, reads a figure that depends on it. The read before
 * each write is made twice, so the answer the write must invalidate is in the response cache.
 * A read that does not show the write is stale.
 */
import { post } from './harness.js';
import { STALE_PICK, STALE_READ, STALE_WRITE } from './workloads.js';

/** Pause between write cycles (BENCH_WRITE_INTERVAL_MS): about one write a second, a busy bureau's rate. */
const WRITE_INTERVAL_MS = Number(process.env.BENCH_WRITE_INTERVAL_MS ?? 1000);

/** Counts of the checker since it was created. */
export interface StaleResult {
  writes: number;
  reads: number;
  stale: number;
  errors: number;
}

/** A checker bound to one gateway and token; `runFor` runs it alongside one load run. */
export function staleReadChecker(url: string, token: string) {
  const result: StaleResult = { writes: 0, reads: 0, stale: 0, errors: 0 };
  let assetId: string | undefined;
  const leasedOut = async () => {
    const answer = await post(url, { query: STALE_READ }, token);
    const count = (answer.data?.assets as { totalCount?: number } | undefined)?.totalCount;
    if (answer.errors || typeof count !== 'number') throw new Error(`stale check read failed: ${JSON.stringify(answer).slice(0, 300)}`);
    return count;
  };
  const write = async (status: 'LEASED_OUT' | 'IN_USE') => {
    const answer = await post(url, { query: STALE_WRITE, variables: { assetId, status } }, token);
    if (answer.errors) throw new Error(`stale check write failed: ${JSON.stringify(answer.errors).slice(0, 300)}`);
    result.writes++;
  };
  const check = async (expected: number) => {
    result.reads++;
    if ((await leasedOut()) !== expected) result.stale++;
  };
  return {
    async runFor(ms: number) {
      if (!assetId) {
        const picked = await post(url, { query: STALE_PICK }, token);
        assetId = (picked.data?.assets as { edges: Array<{ node: { id: string } }> }).edges[0].node.id;
      }
      const until = Date.now() + ms;
      while (Date.now() < until) {
        try {
          await leasedOut();
          const before = await leasedOut();
          await write('LEASED_OUT');
          await check(before + 1);
          await leasedOut();
          await write('IN_USE');
          await check(before);
        } catch (error) {
          result.errors++;
          process.stderr.write(`  stale checker: ${(error as Error).message}\n`);
        }
        await new Promise((r) => setTimeout(r, WRITE_INTERVAL_MS));
      }
    },
    result: () => result,
  };
}
