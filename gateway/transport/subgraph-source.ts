import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Agent } from 'undici';
import { ErrorCode } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { GraphQLAnswer } from '../../common/post-graphql.js';
import { credentialsOf, postAsserted, type AssertionSessions } from './assertion-sessions.js';
import type { Caller } from './caller.js';
import type { SharedReads } from './shared-reads.js';
import { scopeKey } from '../../common/auth/scope-key.js';
import { subgraphAudience } from '../../common/auth/assertion.js';
import { failSpan, inClientSpan, SPAN } from '../../common/tracing.js';

/** A fetch the planner sends that only reads (mutations start with `mutation`). */
const READ = /^\s*(query\b|\{)/;

/**
 * A plain (non-sharded) subgraph, called over the gateway's keep-alive agent. Every request
 * carries the gateway's assertion and the request id; a subgraph that cannot be reached or does
 * not answer in time yields SUBGRAPH_UNAVAILABLE naming it (its URL and the transport error go
 * to the log only).
 */
export class SubgraphSource implements GraphQLDataSource {
  constructor(
    private readonly subgraph: string,
    private readonly url: string,
    private readonly options: {
      agent: Agent;
      timeoutMs: number;
      logger: Logger;
      callerOf: (context: unknown) => Caller;
      /** The assertion sessions agreed with subgraphs (without them every assertion is signed). */
      sessions?: AssertionSessions;
      /** Shares identical concurrent reads of one scope (and reuses answers, with the response cache). */
      reads: SharedReads;
      /** Its data changes without writes through the gateway (workflow state): never reused or cached, and recorded as reached. */
      live?: boolean;
      /** Told of each call's outcome and time (metrics). */
      observe?: (subgraph: string, outcome: 'ok' | 'unavailable', seconds: number) => void;
    },
  ) {}

  async process({ request, context }: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const caller = this.options.callerOf(context);
    const body = JSON.stringify({ query: request.query!, variables: request.variables, operationName: request.operationName });
    const send = () => this.send(body, caller);
    if (this.options.live) {
      caller.reached?.(`subgraph:${this.subgraph}`);
      return (await send()) as GatewayGraphQLResponse;
    }
    // Reads are shared per caller scope (a subgraph may filter by it); mutations never.
    if (READ.test(request.query!))
      return (await this.options.reads.read(`${this.subgraph} ${scopeKey(caller.principal)} ${caller.regions.version} ${body}`, undefined, send)) as GatewayGraphQLResponse;
    return (await send()) as GatewayGraphQLResponse;
  }

  private async send(body: string, caller: Caller): Promise<GraphQLAnswer> {
    const started = performance.now();
    const result = await inClientSpan(SPAN.SUBGRAPH_FETCH, { 'xietong.subgraph': this.subgraph }, async (span) => {
      const r = await postAsserted(this.url, subgraphAudience(this.subgraph), body, {
        agent: this.options.agent,
        timeoutMs: this.options.timeoutMs,
        requestId: caller.requestId,
        credentials: credentialsOf(caller, this.options.sessions),
      });
      if ('failure' in r) failSpan(span, r.failure);
      return r;
    });
    this.options.observe?.(this.subgraph, 'answer' in result ? 'ok' : 'unavailable', (performance.now() - started) / 1000);
    if ('answer' in result) return result.answer;
    this.options.logger.warn({ subgraph: this.subgraph, url: this.url, reason: result.failure, requestId: caller.requestId }, 'subgraph unavailable');
    return {
      errors: [
        {
          message: `The ${this.subgraph} service could not be reached; its data is missing from this answer.`,
          extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph: this.subgraph },
        },
      ],
    };
  }
}
