import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SPAN } from '../common/tracing.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, gql, startTestStack } from './helpers.js';
import { startGateway } from '../gateway/server.js';

// Every service of the stack runs in this process, so one in-memory exporter sees them all; the
// links between them still travel as W3C traceparent headers over HTTP.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
provider.register();

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000', '320000']);
});
afterAll(async () => {
  await stack?.stop();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const id = (s: ReadableSpan) => s.spanContext().spanId;

describe('traces', () => {
  it('one gateway request over two provinces is one trace: request, province fetches, their subgraph requests and SQL, linked by parent ids', async () => {
    exporter.reset();
    const result = await gql(stack.gateway.url, 'query TracedPool { assets(filter: { region: "YRD" }, first: 3) { totalCount edges { node { id } } } }');
    expect(result.errors).toBeUndefined();
    // Give the last spans (ended after the response was written) a moment.
    await new Promise((r) => setTimeout(r, 100));
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === SPAN.REQUEST && s.attributes['xietong.service'] === 'gateway' && !s.parentSpanId)!;
    expect(root).toBeDefined();
    const traceSpans = spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    // Everything in the trace descends from the gateway's request span.
    const byId = new Map(traceSpans.map((s) => [id(s), s]));
    for (const s of traceSpans) {
      let at: ReadableSpan | undefined = s;
      while (at?.parentSpanId) at = byId.get(at.parentSpanId);
      expect([s.name, at === root]).toEqual([s.name, true]);
    }
    // @apollo/gateway's own plan and fetch spans are in it.
    expect(traceSpans.map((s) => s.name)).toEqual(expect.arrayContaining(['gateway.request', 'gateway.plan', 'gateway.fetch']));
    const fetches = traceSpans.filter((s) => s.name === SPAN.PROVINCE_FETCH);
    expect(fetches.map((s) => s.attributes['xietong.province']).sort()).toEqual(['310000', '320000']);
    for (const fetch of fetches) {
      const served = traceSpans.filter((s) => s.name === SPAN.REQUEST && s.parentSpanId === id(fetch));
      expect(served).toHaveLength(1);
      expect(served[0].attributes['xietong.service']).toBe('province');
      const sql = traceSpans.filter((s) => s.name === SPAN.SQL && s.parentSpanId === id(served[0]));
      expect(sql.length).toBeGreaterThanOrEqual(1);
      expect(String(sql[0].attributes['db.statement'])).toMatch(/select/i);
    }
  });

  it('background polls start no traces of their own', async () => {
    // A gateway with the response cache polls every province's data version every 100 ms.
    const gateway = await startGateway(await gatewayOptionsFor(stack, { responseCache: { ttlSeconds: 60, maxEntries: 10, dataVersionPollMs: 100 } }));
    try {
      exporter.reset();
      const before = stack.databases.get('310000')!.statements();
      await new Promise((r) => setTimeout(r, 600));
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual([]);
      // The polls did run: the province read its data version several times.
      expect(stack.databases.get('310000')!.statements() - before).toBeGreaterThanOrEqual(3);
    } finally {
      await gateway.stop();
    }
  });
});
