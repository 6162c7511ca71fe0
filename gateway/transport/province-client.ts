import type { Agent } from 'undici';
import { ErrorCode } from '../../common/errors.js';
import { findProvince } from '../../common/standards.js';
import type { ProvinceGuards } from '../shard/province-guard.js';
import type { GraphQLAnswer, GraphQLBody } from '../../common/post-graphql.js';
import { provinceAudience } from '../../common/auth/assertion.js';
import { postAsserted, type Credentials } from './assertion-sessions.js';
import { failSpan, inClientSpan, SPAN } from '../../common/tracing.js';

/** What one province answered for one request. */
export type ProvinceAnswer = GraphQLAnswer;

/**
 * Sends one GraphQL request to a province instance within a time limit. A province that does
 * not answer, times out, answers without a GraphQL body, or whose guard (circuit breaker,
 * concurrency limit) refuses the call yields one PROVINCE_UNAVAILABLE
 * error naming it; the subgraph's own URL and body never reach the client.
 */
export async function callProvince(
  code: string,
  url: string,
  body: GraphQLBody | string,
  options: { agent: Agent; timeoutMs: number; requestId?: string; credentials?: Credentials; guards: ProvinceGuards },
): Promise<ProvinceAnswer> {
  const { guards, ...call } = options;
  const result = await inClientSpan(SPAN.PROVINCE_FETCH, { 'xietong.province': code }, async (span) => {
    const r = await guards.run(code, url, () => postAsserted(url, provinceAudience(code), body, call));
    if ('failure' in r) failSpan(span, r.failure);
    return r;
  });
  if ('answer' in result) return result.answer;
  const name = findProvince(code)?.name ?? code;
  return {
    data: null,
    errors: [
      { message: `Province ${code} (${name}) ${result.failure}; its data is missing from this answer.`, extensions: { code: ErrorCode.PROVINCE_UNAVAILABLE, province: code } },
    ],
  };
}
