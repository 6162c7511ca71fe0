import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * OpenTelemetry traces. Off by default: every call here goes to the API's no-op tracer until a
 * service's entry point starts a provider (common/tracing-setup.ts, when an OTLP endpoint is
 * configured). A gateway request is one trace: the request span, @apollo/gateway's plan and
 * fetch spans, one span per province or subgraph call, and in each subgraph its request span
 * (parented through the W3C `traceparent` header the call carries) with its SQL statements.
 */
const tracer = () => trace.getTracer('xietong');

/** Span names, for readers of the traces (and the test). */
export const SPAN = {
  REQUEST: 'xietong.request',
  PROVINCE_FETCH: 'xietong.province_fetch',
  SUBGRAPH_FETCH: 'xietong.subgraph_fetch',
  SQL: 'xietong.sql',
} as const;

/**
 * Runs an incoming request's handling in a server span, parented by the caller's `traceparent`.
 * Without one, only an entry service (`root`: the gateway) starts a trace: a subgraph called
 * without a trace is called by background work (data-version polls), which is not traced.
 */
export function inRequestSpan<R>(service: string, headers: IncomingHttpHeaders, work: () => R, root = false): R {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  if (!root && !trace.getSpanContext(parent)) return work();
  const span = tracer().startSpan(SPAN.REQUEST, { kind: SpanKind.SERVER, attributes: { 'xietong.service': service } }, parent);
  return context.with(trace.setSpan(parent, span), () => {
    const result = work();
    if (result instanceof Promise) return result.finally(() => span.end()) as R;
    span.end();
    return result;
  });
}

/** The span an untraced call gets: records nothing, the same object every time. */
const UNTRACED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `work` in an active span of `spanTracer` when the request is traced, and directly (with a
 * span that records nothing) when it is not: untraced work, tracing off or background calls,
 * starts no trace and allocates no span. The span is marked failed when `work` throws, or when
 * its result `failed` says so.
 */
export function inSpanIfTraced<R>(spanTracer: Tracer, name: string, options: SpanOptions, work: (span: Span) => R, failed: (result: Awaited<R>) => boolean = () => false): R {
  if (!trace.getActiveSpan()) return work(UNTRACED);
  return spanTracer.startActiveSpan(name, options, (span) => {
    const succeeded = (result: Awaited<R>) => {
      if (failed(result)) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return result;
    };
    const threw = (error: unknown): never => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      throw error;
    };
    try {
      const result = work(span);
      if (result instanceof Promise) return result.then(succeeded, threw) as R;
      return succeeded(result as Awaited<R>) as R;
    } catch (error) {
      return threw(error);
    }
  });
}

/** Runs an outgoing call in a client span (its outcome as the span status). */
export function inClientSpan<R>(name: string, attributes: Attributes, work: (span: Span) => Promise<R>): Promise<R> {
  return inSpanIfTraced(tracer(), name, { kind: SpanKind.CLIENT, attributes }, work);
}

/** Marks the active client span failed (a call that got no answer). */
export function failSpan(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The headers that carry the active trace to the next service (none while tracing is off). */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/** Records a finished SQL statement as a child of the active span (statements report after they ran); background statements are not traced. */
export function recordStatement(system: string, sql: string, seconds: number, failed: boolean): void {
  if (!trace.getActiveSpan()) return;
  const end = Date.now();
  const span = tracer().startSpan(SPAN.SQL, { kind: SpanKind.CLIENT, startTime: end - seconds * 1000, attributes: { 'db.system': system, 'db.statement': sql.slice(0, 500) } });
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}

/** The id of the active trace, for the log line of the same request (undefined while tracing is off). */
export function activeTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}
