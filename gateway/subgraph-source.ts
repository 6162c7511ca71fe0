import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Agent } from 'undici';
import { ASSERTION_HEADER } from '../common/auth/assertion.js';
import { ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { postGraphQL } from './transport/post-graphql.js';

interface Context {
  requestId?: string;
  assertion?: () => string;
}

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
    private readonly options: { agent: Agent; timeoutMs: number; logger: Logger },
  ) {}

  async process({ request, context }: GraphQLDataSourceProcessOptions<Context>): Promise<GatewayGraphQLResponse> {
    const result = await postGraphQL(
      this.url,
      { query: request.query!, ...(request.variables ? { variables: request.variables } : {}), ...(request.operationName ? { operationName: request.operationName } : {}) },
      {
        agent: this.options.agent,
        timeoutMs: this.options.timeoutMs,
        headers: {
          ...(context.requestId ? { 'x-request-id': context.requestId } : {}),
          ...(context.assertion ? { [ASSERTION_HEADER]: context.assertion() } : {}),
        },
      },
    );
    if ('answer' in result) return result.answer as GatewayGraphQLResponse;
    this.options.logger.warn({ subgraph: this.subgraph, url: this.url, reason: result.failure, requestId: context.requestId }, 'subgraph unavailable');
    return { errors: [{ message: `The ${this.subgraph} service could not be reached; its data is missing from this answer.`, extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph: this.subgraph } }] } as GatewayGraphQLResponse;
  }
}
