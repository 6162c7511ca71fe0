import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values clients may rely on. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_CURSOR: 'BAD_CURSOR',
  PAGE_SIZE_EXCEEDED: 'PAGE_SIZE_EXCEEDED',
  UNKNOWN_PROVINCE: 'UNKNOWN_PROVINCE',
  UNKNOWN_REGION: 'UNKNOWN_REGION',
  PROVINCE_NOT_REGISTERED: 'PROVINCE_NOT_REGISTERED',
  PROVINCE_UNAVAILABLE: 'PROVINCE_UNAVAILABLE',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_UNIT: 'INVALID_UNIT',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  INVALID_STATE: 'INVALID_STATE',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
/** One stable error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A client-facing error with a stable code and optional extra extensions. */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
