import { describe, expect, it } from '@jest/globals';
import { ProvinceGuards } from './province-guard.js';

describe('ProvinceGuards', () => {
  it('opens after consecutive calls without an answer, then answers at once without calling', async () => {
    const guards = new ProvinceGuards({ failuresToOpen: 2, halfOpenAfterMs: 60_000 });
    let calls = 0;
    const down = async () => (calls++, { failure: 'could not be reached' });
    for (let i = 0; i < 2; i++) expect(await guards.run('320000', 'http://a', down)).toEqual({ failure: 'could not be reached' });
    expect((await guards.run('320000', 'http://a', down)) as { failure: string }).toMatchObject({ failure: expect.stringContaining('not asked again') });
    expect(calls).toBe(2);
    // Another province, or the same code at another URL, has a guard of its own.
    expect(await guards.run('310000', 'http://a', async () => ({ answer: { data: {} } }))).toEqual({ answer: { data: {} } });
    expect(await guards.run('320000', 'http://b', async () => ({ answer: { data: {} } }))).toEqual({ answer: { data: {} } });
  });

  it('does not count a 4xx refusal (the request’s fault) against a healthy province', async () => {
    const guards = new ProvinceGuards({ failuresToOpen: 2, halfOpenAfterMs: 60_000 });
    let calls = 0;
    const tooBig = async () => (calls++, { failure: 'answered HTTP 431 without a GraphQL response', status: 431 });
    for (let i = 0; i < 5; i++) await guards.run('320000', 'http://a', tooBig);
    expect(calls).toBe(5);
    expect(await guards.run('320000', 'http://a', async () => ({ answer: { data: { ok: true } } }))).toEqual({ answer: { data: { ok: true } } });
  });
});
