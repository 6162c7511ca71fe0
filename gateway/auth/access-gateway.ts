import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, print } from 'graphql';
import type { Principal } from '../../common/auth/principal.js';
import type { ShardRules } from '../shard/rules.js';
import { filterOperation, patchRemoved } from './field-rules.js';

/**
 * The gateway with the `@access` field rules applied before planning: each operation runs with
 * the fields the caller may not see taken out (so no subgraph is asked for them), and their
 * places are answered with null and FORBIDDEN errors. A refused mutation runs nothing.
 * The filtered document gets its own hash, so plans are cached per (operation, role's view).
 */
export function accessControlledGateway(inner: ApolloGateway, rules: () => ShardRules): GatewayInterface {
  const wrap = (executor: GatewayExecutor): GatewayExecutor => async (requestContext) => {
    const principal = (requestContext.context as { principal: Principal }).principal;
    const filtered = filterOperation(requestContext.document, requestContext.request.operationName, rules().schema, rules(), principal);
    if (filtered.refusedRoot) {
      return { errors: [new GraphQLError(`The role ${principal.role} may not run this operation (${filtered.refusedRoot.dataClass}).`, { path: filtered.refusedRoot.path, extensions: { code: 'FORBIDDEN', class: filtered.refusedRoot.dataClass } })] };
    }
    if (filtered.removed.length === 0) return executor(requestContext);
    const source = print(filtered.document);
    const view = Object.assign(Object.create(Object.getPrototypeOf(requestContext)), requestContext, {
      document: filtered.document,
      source,
      queryHash: createHash('sha256').update(source).digest('hex'),
    });
    const result = await executor(view);
    const forbidden = patchRemoved(result.data as Record<string, unknown> | null | undefined, filtered.removed).map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
    return { ...result, errors: [...(result.errors ?? []), ...forbidden] };
  };
  return {
    async load(options) {
      const loaded = await inner.load(options);
      return { ...loaded, executor: wrap(loaded.executor) };
    },
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
  };
}
