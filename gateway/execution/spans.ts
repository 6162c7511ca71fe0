import { trace, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { tracer } from '@apollo/gateway/dist/utilities/opentelemetry.js';

/** @apollo/gateway's span names, kept so that a trace reads the same as with the library's executor. */
export const SPAN_NAMES = {
  REQUEST: 'gateway.request',
  PLAN: 'gateway.plan',
  VALIDATE: 'gateway.validate',
  EXECUTE: 'gateway.execute',
  FETCH: 'gateway.fetch',
  POST_PROCESSING: 'gateway.postprocessing',
} as const;

/** A GraphQL result with errors, for a span's status. */
export function hasErrors(result: { errors?: readonly unknown[] } | undefined): boolean {
  return !!result?.errors?.length;
}

/** A shaped result with errors, its own or those of value completion (which it reports in `extensions`). */
export function hasShapingErrors(result: { errors?: readonly unknown[]; extensions?: { valueCompletion?: unknown } } | undefined): boolean {
  return hasErrors(result) || !!result?.extensions?.valueCompletion;
}

/**
 * Runs `work` in a span of @apollo/gateway's tracer when the request is traced, and directly when
 * it is not: an untraced request (tracing off, or background work) then allocates no span, no
 * context and no closure per plan node. The span is marked failed when `work` throws or when its
 * result `failed` says so, as the library marks its own.
 */
export function inGatewaySpan<R>(name: string, attributes: Attributes | undefined, work: () => R, failed: (result: Awaited<R>) => boolean = () => false): R {
  if (!trace.getActiveSpan()) return work();
  return tracer.startActiveSpan(name, attributes ? { attributes } : {}, (span) => {
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
      const result = work();
      if (result instanceof Promise) return result.then(succeeded, threw) as R;
      return succeeded(result as Awaited<R>) as R;
    } catch (error) {
      return threw(error);
    }
  });
}
