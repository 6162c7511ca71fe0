/**
 * The floor under a gateway's latency for one request: its query plan's subgraph calls made
 * directly, with the plan's own shape (a sequence adds up, a parallel node takes its slowest
 * branch). The plan comes from Apollo's query planner; the calls' bodies from the replay
 * server's log of one gateway request, matched to the plan's fetches subgraph by subgraph in
 * execution order. Each call is timed directly (median of many), so the gateway's overhead is
 * its latency minus this floor.
 */
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { percentile } from './load.js';

/** One subgraph call as the replay server logged it. */
export interface LoggedCall {
  target: string;
  body: string;
  start: number;
  end: number;
}

/** The fetch nodes of a plan in the order they start. */
function fetchesOf(node: PlanNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (node.kind === 'Fetch') out.push(node.serviceName);
  else if (node.kind === 'Flatten') fetchesOf(node.node, out);
  else if (node.kind === 'Sequence' || node.kind === 'Parallel') for (const n of node.nodes) fetchesOf(n, out);
  return out;
}

/** The plan's duration given each fetch's duration (in fetchesOf order). */
export function planDuration(node: PlanNode | undefined, times: number[], next = { i: 0 }): number {
  if (!node) return 0;
  if (node.kind === 'Fetch') return times[next.i++];
  if (node.kind === 'Flatten') return planDuration(node.node, times, next);
  if (node.kind === 'Sequence') return node.nodes.reduce((sum, n) => sum + planDuration(n, times, next), 0);
  if (node.kind === 'Parallel') return Math.max(0, ...node.nodes.map((n) => planDuration(n, times, next)));
  throw new Error(`plan node ${node.kind} is not supported here`);
}

/** Times the direct critical path of `query` on the supergraph whose subgraphs the replay server stands for. */
export async function directCriticalPath(replayUrl: string, supergraphSdl: string, query: string, request: () => Promise<unknown>, samples = 100) {
  const supergraph = Supergraph.build(supergraphSdl);
  const root = new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(query))).node;
  if (root?.kind === 'Subscription') throw new Error('subscriptions have no critical path here');
  await fetch(`${replayUrl}/__log/start`, { method: 'POST' });
  await request();
  const calls = (await (await fetch(`${replayUrl}/__log/stop`, { method: 'POST' })).json()) as LoggedCall[];
  const bySubgraph = new Map<string, LoggedCall[]>();
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    const name = call.target.split('/').at(-1)!;
    bySubgraph.set(name, [...(bySubgraph.get(name) ?? []), call]);
  }
  const fetches = fetchesOf(root).map((subgraph) => {
    const call = bySubgraph.get(subgraph)?.shift();
    if (!call) throw new Error(`the gateway made no call to ${subgraph} for a fetch of the plan`);
    return call;
  });
  const times = [];
  for (const call of fetches) {
    const samplesOf: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      await (await fetch(`${replayUrl}${call.target}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call.body })).arrayBuffer();
      samplesOf.push(performance.now() - t);
    }
    times.push(percentile(samplesOf, 50));
  }
  return { p50Ms: planDuration(root, times), fetches: fetches.length, calls: calls.length };
}
