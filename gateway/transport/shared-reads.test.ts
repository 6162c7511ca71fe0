import { describe, expect, it } from '@jest/globals';
import { LocalGenerations } from '../cache/generations.js';
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
    const reads = new SharedReads({
      generation: async () => 7,
      reuse: async (key, version, load) => {
        seen.push(`${key}@${version ? `${version.province}#${version.generation}` : 'none'}`);
        return key === 'cached' ? { data: { hit: true } } : load();
      },
    });
    expect(await reads.read('cached', '310000', async () => ({ data: { hit: false } }))).toEqual({ data: { hit: true } });
    expect(await reads.read('fresh', undefined, async () => ({ data: { hit: false } }))).toEqual({ data: { hit: false } });
    expect(seen).toEqual(['cached@310000#7', 'fresh@none']);
  });

  it('never lets a read that starts after a write join one sent before it', async () => {
    const generations = new LocalGenerations();
    const reads = new SharedReads({ generation: async (p) => (await generations.get([p]))[0] });
    let sent = 0;
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const send = (value: string) => async (): Promise<GraphQLAnswer> => {
      sent++;
      await slow;
      return { data: { value } };
    };
    const before = reads.read('k', '310000', send('before the write'));
    const alongside = reads.read('k', '310000', send('joined'));
    await new Promise((r) => setTimeout(r, 5));
    // A write through the gateway raises the counter before it answers; a read started now must not see the old answer.
    await generations.bump(['310000']);
    const after = reads.read('k', '310000', send('after the write'));
    await new Promise((r) => setTimeout(r, 5));
    release();
    expect(await before).toEqual({ data: { value: 'before the write' } });
    expect(await alongside).toEqual({ data: { value: 'before the write' } });
    expect(await after).toEqual({ data: { value: 'after the write' } });
    expect(sent).toBe(2);
  });

  it('still shares reads, but never reuses them, when the counter cannot be read', async () => {
    let reused = 0;
    const reads = new SharedReads({
      generation: () => Promise.reject(new Error('redis down')),
      reuse: async (_key, _version, load) => (reused++, load()),
    });
    let sent = 0;
    const send = async (): Promise<GraphQLAnswer> => {
      sent++;
      await new Promise((r) => setTimeout(r, 5));
      return { data: { n: sent } };
    };
    const [a, b] = await Promise.all([reads.read('k', '310000', send), reads.read('k', '310000', send)]);
    expect(sent).toBe(1);
    expect(b).toEqual(a);
    expect(reused).toBe(0);
  });
});
