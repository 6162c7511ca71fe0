import { ErrorCode, userError } from './errors.js';

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 100;
/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 20;

/** Validates and defaults a `first` argument. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0) {
    throw userError(ErrorCode.BAD_USER_INPUT, '`first` must be a non-negative integer.', { argumentName: 'first' });
  }
  if (first > MAX_PAGE_SIZE) {
    throw userError(ErrorCode.PAGE_SIZE_EXCEEDED, `\`first\` may be at most ${MAX_PAGE_SIZE}; page with \`after\` instead.`, {
      argumentName: 'first',
      maximum: MAX_PAGE_SIZE,
    });
  }
  return first;
}
