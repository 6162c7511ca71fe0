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

/**
 * Runs `work` in a span of @apollo/gateway's tracer when the request is traced, and directly when
 * it is not: an untraced request (tracing off, or background work) then allocates no span, no
 * context and no closure per plan node.
 */
export function inGatewaySpan<R>(name: string, attributes: Attributes | undefined, work: () => R): R {
  if (!trace.getActiveSpan()) return work();
  return tracer.startActiveSpan(name, attributes ? { attributes } : {}, (span) => {
    const failed = (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      throw error;
    };
    try {
      const result = work();
      if (result instanceof Promise) return result.then((value: unknown) => (span.end(), value), failed) as R;
      span.end();
      return result;
    } catch (error) {
      return failed(error);
    }
  });
}
