import { describe, expect, it } from '@jest/globals';
import type { PlanNode } from '@apollo/query-planner';
import { planDuration } from './critical-path.js';

const fetchOf = (serviceName: string) => ({ kind: 'Fetch', serviceName }) as unknown as PlanNode;

describe('planDuration', () => {
  it('adds a sequence up, takes a parallel node’s slowest branch and looks through flatten nodes', () => {
    const plan = {
      kind: 'Sequence',
      nodes: [fetchOf('a'), { kind: 'Parallel', nodes: [fetchOf('b'), { kind: 'Flatten', path: [], node: fetchOf('c') }] }, fetchOf('d')],
    } as unknown as PlanNode;
    expect(planDuration(plan, [1, 2, 5, 3])).toBe(9);
    expect(planDuration(plan, [1, 7, 5, 3])).toBe(11);
  });

  it('is zero without a plan and refuses nodes it cannot time', () => {
    expect(planDuration(undefined, [])).toBe(0);
    expect(() => planDuration({ kind: 'Defer' } as unknown as PlanNode, [])).toThrow(/Defer/);
  });
});
