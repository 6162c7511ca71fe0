import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { TurnEnd } from './turn-end.js';

describe('TurnEnd', () => {
  it('runs gathered work, then sending work, at the end of the turn, not before', async () => {
    const end = new TurnEnd();
    const ran: string[] = [];
    end.send(() => ran.push('send 1'));
    end.gather(() => ran.push('gather 1'));
    end.gather(() => ran.push('gather 2'));
    await Promise.resolve();
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(['gather 1', 'gather 2', 'send 1']);
  });

  it('sends in the same end what gathering queues, and leaves work queued by sending for the next turn', async () => {
    const end = new TurnEnd();
    const ran: string[] = [];
    end.gather(() => {
      ran.push('batch');
      end.gather(() => ran.push('late batch'));
      end.send(() => {
        ran.push('uncork');
        end.gather(() => ran.push('next turn'));
      });
    });
    await nextTurn();
    expect(ran).toEqual(['batch', 'late batch', 'uncork']);
    await nextTurn();
    expect(ran).toEqual(['batch', 'late batch', 'uncork', 'next turn']);
  });

  it('keeps separate instances apart', async () => {
    const a = new TurnEnd();
    const b = new TurnEnd();
    const ran: string[] = [];
    b.send(() => ran.push('b'));
    a.gather(() => ran.push('a'));
    await nextTurn();
    expect(ran.sort()).toEqual(['a', 'b']);
  });

  it('runs everything queued even when one throws, and reports what was thrown', async () => {
    const failures: unknown[] = [];
    const end = new TurnEnd((error) => failures.push(error));
    const ran: string[] = [];
    end.gather(() => {
      throw new Error('batch failed');
    });
    end.gather(() => ran.push('gather'));
    end.send(() => {
      throw new Error('send failed');
    });
    end.send(() => ran.push('uncork'));
    await nextTurn();
    expect(ran).toEqual(['gather', 'uncork']);
    expect(failures.map((e) => (e as Error).message)).toEqual(['batch failed', 'send failed']);
  });
});
