import { ErrorCode } from '../../common/errors.js';
import { ASSERTION_HEADER } from '../../common/auth/assertion.js';
import { findProvince } from '../../common/standards.js';
import type { GraphQLFormattedError } from 'graphql';

/** What one province answered for one request. */
export interface ProvinceAnswer {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

/**
 * Sends one GraphQL request to a province instance within a time limit. A province that does
 * not answer, times out or answers without a GraphQL body yields one PROVINCE_UNAVAILABLE
 * error naming it; the subgraph's own URL and body never reach the client.
 */
export async function callProvince(
  code: string,
  url: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  options: { timeoutMs: number; requestId?: string; assertion?: string },
): Promise<ProvinceAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        ...(options.assertion ? { [ASSERTION_HEADER]: options.assertion } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    let parsed: ProvinceAnswer | undefined;
    try {
      parsed = JSON.parse(text) as ProvinceAnswer;
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.data === undefined && !parsed.errors)) return unavailable(code, `answered HTTP ${response.status} without a GraphQL response`);
    return parsed;
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return unavailable(code, timedOut ? `did not answer within ${options.timeoutMs} ms` : 'could not be reached');
  }
}

function unavailable(code: string, reason: string): ProvinceAnswer {
  const name = findProvince(code)?.name ?? code;
  return { data: null, errors: [{ message: `Province ${code} (${name}) ${reason}; its data is missing from this answer.`, extensions: { code: ErrorCode.PROVINCE_UNAVAILABLE, province: code } }] };
}
