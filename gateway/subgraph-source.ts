import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ASSERTION_HEADER } from '../common/auth/assertion.js';
import type { Logger } from '../common/logger.js';

interface Context {
  requestId?: string;
  assertion?: () => string;
}

/**
 * A plain (non-sharded) subgraph. Every request carries the gateway's assertion and the request
 * id; a subgraph that cannot be reached answers with SUBGRAPH_UNAVAILABLE naming it (its URL
 * and the transport error go to the log only).
 */
export class SubgraphSource extends RemoteGraphQLDataSource<Context> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly logger: Logger,
  ) {
    super({
      url,
      willSendRequest: ({ request, context }) => {
        if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
        if (context.assertion) request.http?.headers.set(ASSERTION_HEADER, context.assertion());
      },
    });
  }

  override async process(options: GraphQLDataSourceProcessOptions<Context>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      this.logger.warn({ subgraph: this.subgraph, err: (error as Error).message, requestId: options.context.requestId }, 'subgraph unreachable');
      return { errors: [{ message: `The ${this.subgraph} service could not be reached; its data is missing from this answer.`, extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: this.subgraph } }] } as GatewayGraphQLResponse;
    }
  }
}
