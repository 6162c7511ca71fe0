import type { Attributes } from '@opentelemetry/api';
import { inSpanIfTraced } from '../../common/tracing.js';
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

/** Runs `work` in a span of @apollo/gateway's tracer when the request is traced (see {@link inSpanIfTraced}). */
export function inGatewaySpan<R>(name: string, attributes: Attributes | undefined, work: () => R, failed?: (result: Awaited<R>) => boolean): R {
  return inSpanIfTraced(tracer, name, attributes ? { attributes } : {}, work, failed);
}
