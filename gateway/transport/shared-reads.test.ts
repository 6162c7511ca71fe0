import { describe, expect, it } from '@jest/globals';
import { SharedReads } from './shared-reads.js';
import type { GraphQLAnswer } from '../../common/post-graphql.js';

describe('SharedReads', () => {
  it('sends identical concurrent reads once and gives each joiner its own copy', async () => {
    const reads = new SharedReads();
    let sent = 0;
    const send = async (): Promise<GraphQLAnswer> => {
      sent++;
      await new Promise((r) => setTimeout(r, 5));
      return { data: { n: [1, 2] } };
    };
    const [a, b, c] = await Promise.all([reads.read('k', undefined, send), reads.read('k', undefined, send), reads.read('other', undefined, send)]);
    expect(sent).toBe(2);
    expect(b).toEqual(a);
    (a.data!.n as number[]).push(3);
    expect(b.data!.n).toEqual([1, 2]);
    expect(c).toEqual({ data: { n: [1, 2] } });
  });

  it('reuses through the fetch cache when one is given, with the province the answer is tied to', async () => {
    const seen: (string | undefined)[] = [];
    const reads = new SharedReads(async (key, province, load) => {
      seen.push(`${key}@${province}`);
      return key === 'cached' ? { data: { hit: true } } : load();
    });
    expect(await reads.read('cached', '310000', async () => ({ data: { hit: false } }))).toEqual({ data: { hit: true } });
    expect(await reads.read('fresh', undefined, async () => ({ data: { hit: false } }))).toEqual({ data: { hit: false } });
    expect(seen).toEqual(['cached@310000', 'fresh@undefined']);
  });
});
