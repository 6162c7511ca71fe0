import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testRedisPrefix } from '../../test/helpers.js';
import { createLogger } from '../../common/logger.js';
import { connectRedis, whenReady } from '../shared-state/redis.js';
import { LocalGenerations, RedisGenerations, type GenerationStore } from './generations.js';

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
// A client as the gateway makes it: its reads are gathered at the turn end its writes leave at.
const gateway = connectRedis({ url: TEST_REDIS_URL }, createLogger('test'), 'generations-test');
beforeAll(() => whenReady(gateway));
afterAll(() => {
  redis.disconnect();
  gateway.disconnect();
});
const prefix = () => testRedisPrefix('gen');

describe.each([
  ['in-process', () => new LocalGenerations()],
  ['Redis', () => new RedisGenerations(redis, prefix())],
  ['Redis, gathered per turn', () => new RedisGenerations(gateway, prefix())],
])('%s generations', (_, make: () => GenerationStore) => {
  it('reads unknown counters as 0 and raises them per province', async () => {
    const g = make();
    expect(await g.get(['310000', '320000'])).toEqual([0, 0]);
    await g.bump(['320000']);
    await g.bump(['320000', '330000']);
    expect(await g.get(['310000', '320000', '330000', '320000'])).toEqual([0, 2, 1, 2]);
    expect(await g.get([])).toEqual([]);
  });

  it('concurrent reads share a batch yet each sees counters no older than its request', async () => {
    const g = make();
    const early = g.get(['310000']);
    await g.bump(['310000']);
    const late = g.get(['310000', '320000']);
    expect(await early).toEqual([expect.any(Number)]);
    expect(await late).toEqual([1, 0]);
  });

  it('observing a data version raises the counter only when the marker changes', async () => {
    const g = make();
    expect(await g.observe('310000', 'a')).toBe(false);
    expect(await g.observe('310000', 'a')).toBe(false);
    expect(await g.get(['310000'])).toEqual([0]);
    expect(await g.observe('310000', 'b')).toBe(true);
    expect(await g.get(['310000'])).toEqual([1]);
  });
});

it('replicas sharing Redis raise a counter once per observed change', async () => {
  const shared = prefix();
  const a = new RedisGenerations(redis, shared);
  const b = new RedisGenerations(redis, shared);
  await a.observe('310000', 'v1');
  const raised = await Promise.all([a.observe('310000', 'v2'), b.observe('310000', 'v2')]);
  expect(raised.filter(Boolean)).toHaveLength(1);
  expect(await b.get(['310000'])).toEqual([1]);
});

it('reads asked for in separate ticks of one turn travel as one MGET when gathered at its end', async () => {
  const keys = prefix();
  const mgets = async (generations: RedisGenerations) => {
    // MONITOR opens a connection of its own: both it and the client it came from are closed below.
    const source = redis.duplicate();
    const monitor = await source.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0].toLowerCase() === 'mget' && args[1].startsWith(keys)) seen.push(args.slice(1));
    });
    try {
      // Two timer callbacks due together run in one turn, each in its own tick (promise jobs run between them).
      const reads = await new Promise<Promise<number[]>[]>((resolve) => {
        const asked: Promise<number[]>[] = [];
        setTimeout(() => asked.push(generations.get(['310000'])), 0);
        setTimeout(() => resolve([...asked, generations.get(['320000', '310000'])]), 0);
      });
      expect(await Promise.all(reads)).toEqual([[0], [0, 0]]);
      await redis.ping();
      return seen;
    } finally {
      monitor.disconnect();
      source.disconnect();
    }
  };
  const gathered = await mgets(new RedisGenerations(gateway, keys));
  expect(gathered).toHaveLength(1);
  expect([...gathered[0]].sort()).toEqual([`${keys}310000`, `${keys}320000`]);
  // Through a client connectRedis did not make, per tick: the same reads are two commands.
  expect(await mgets(new RedisGenerations(redis, keys))).toHaveLength(2);
});
