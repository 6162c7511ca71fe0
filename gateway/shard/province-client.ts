import { Agent, request } from 'undici';
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
 * The connection pools to province instances: undici's keep-alive agent, one pool per origin.
 * One per gateway (its owner closes it); undici's `request` skips the WHATWG fetch layers,
 * which cost more CPU than the rest of a province call at wide fan-out.
 */
export function provinceAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 64 });
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
  options: { agent: Agent; timeoutMs: number; requestId?: string; assertion?: string },
): Promise<ProvinceAnswer> {
  let text: string;
  let status: number;
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher: options.agent,
      headers: {
        'content-type': 'application/json',
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        ...(options.assertion ? { [ASSERTION_HEADER]: options.assertion } : {}),
      },
      body: JSON.stringify(body),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    const code_ = (error as { code?: string }).code;
    const timedOut = code_ === 'UND_ERR_HEADERS_TIMEOUT' || code_ === 'UND_ERR_BODY_TIMEOUT';
    return unavailable(code, timedOut ? `did not answer within ${options.timeoutMs} ms` : 'could not be reached');
  }
  let parsed: ProvinceAnswer | undefined;
  try {
    parsed = JSON.parse(text) as ProvinceAnswer;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.data === undefined && !parsed.errors)) return unavailable(code, `answered HTTP ${status} without a GraphQL response`);
  return parsed;
}

function unavailable(code: string, reason: string): ProvinceAnswer {
  const name = findProvince(code)?.name ?? code;
  return { data: null, errors: [{ message: `Province ${code} (${name}) ${reason}; its data is missing from this answer.`, extensions: { code: ErrorCode.PROVINCE_UNAVAILABLE, province: code } }] };
}
