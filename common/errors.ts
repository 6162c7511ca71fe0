import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The stable `extensions.code` values clients may rely on. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_CURSOR: 'BAD_CURSOR',
  PAGE_SIZE_EXCEEDED: 'PAGE_SIZE_EXCEEDED',
  UNKNOWN_PROVINCE: 'UNKNOWN_PROVINCE',
  UNKNOWN_REGION: 'UNKNOWN_REGION',
  PROVINCE_NOT_REGISTERED: 'PROVINCE_NOT_REGISTERED',
  PROVINCE_UNAVAILABLE: 'PROVINCE_UNAVAILABLE',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_UNIT: 'INVALID_UNIT',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  INVALID_STATE: 'INVALID_STATE',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  /** A vehicle booking whose window overlaps one the vehicle already holds. */
  BOOKING_CONFLICT: 'BOOKING_CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** An automatic persisted query whose sha256Hash is not the SHA-256 of its query text. */
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  /** A document that asks for more province aggregate scans than one request may. */
  COST_LIMIT_EXCEEDED: 'COST_LIMIT_EXCEEDED',
  /** A caller over its rate limit (HTTP 429 with Retry-After). */
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
/** One stable error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A client-facing error with a stable code and optional extra extensions. */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Extensions that may carry internals (subgraph URL and body, stack, service name). */
const INTERNAL_EXTENSIONS = new Set(['response', 'exception', 'stacktrace', 'serviceName']);

/**
 * What a client may see of an error: errors with a deliberate code keep their message and
 * extensions minus internals; anything else becomes a generic INTERNAL_SERVER_ERROR (the
 * request log has the original under the request id).
 */
export function maskForClient(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = Object.fromEntries(Object.entries(formatted.extensions ?? {}).filter(([k]) => !INTERNAL_EXTENSIONS.has(k)));
  const code = extensions.code;
  if (!code || code === ErrorCode.INTERNAL_SERVER_ERROR) {
    return { message: 'Internal server error', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  return { ...formatted, extensions };
}
