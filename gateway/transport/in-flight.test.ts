import { describe, expect, it } from '@jest/globals';
import { InFlight } from './in-flight.js';

describe('InFlight', () => {
  it('runs identical concurrent work once and forgets it when settled', async () => {
    const flight = new InFlight<number>();
    let runs = 0;
    let release!: (n: number) => void;
    const work = () => {
      runs++;
      return new Promise<number>((r) => (release = r));
    };
    const a = flight.run('k', work);
    const b = flight.run('k', work);
    const c = flight.run('other', () => Promise.resolve(7));
    expect([a.joined, b.joined, c.joined]).toEqual([false, true, false]);
    expect(runs).toBe(1);
    release(42);
    expect(await Promise.all([a.result, b.result, c.result])).toEqual([42, 42, 7]);
    expect(flight.size).toBe(0);
    flight.run('k', work);
    expect(runs).toBe(2);
  });

  it('shares a failure too, and does not remember it', async () => {
    const flight = new InFlight<number>();
    const a = flight.run('k', () => Promise.reject(new Error('down')));
    const b = flight.run('k', () => Promise.resolve(1));
    await expect(a.result).rejects.toThrow('down');
    await expect(b.result).rejects.toThrow('down');
    expect(await flight.run('k', () => Promise.resolve(2)).result).toBe(2);
  });
});
