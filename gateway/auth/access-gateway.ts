import { createHash } from 'node:crypto';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, print } from 'graphql';
import type { Principal } from '../../common/auth/principal.js';
import type { ShardRules } from '../shard/rules.js';
import { filterOperation, patchRemoved, type FilteredOperation } from './field-rules.js';

/**
 * The gateway with the `@access` field rules applied before planning: each operation runs with
 * the fields the caller may not see taken out (so no subgraph is asked for them), and their
 * places are answered with null and FORBIDDEN errors. A refused mutation runs nothing.
 * The filtered document gets its own hash, so plans are cached per (operation, role's view).
 */
export function accessControlledGateway(inner: GatewayInterface, rules: () => ShardRules): GatewayInterface {
  // The filtered view depends only on the document, the operation and the role: computed once per triple.
  const views = new Map<string, FilteredOperation & { source?: string; queryHash?: string }>();
  let viewsOf: ShardRules | undefined;
  const viewOf = (requestContext: Parameters<GatewayExecutor>[0], principal: Principal) => {
    if (viewsOf !== rules()) {
      views.clear();
      viewsOf = rules();
    }
    const key = `${requestContext.queryHash}:${requestContext.request.operationName ?? ''}:${principal.role}`;
    let view = views.get(key);
    if (!view) {
      view = filterOperation(requestContext.document, requestContext.request.operationName, rules().schema, rules(), principal);
      if (view.removed.length && !view.refusedRoot) {
        view.source = print(view.document);
        view.queryHash = createHash('sha256').update(view.source).digest('hex');
      }
      if (views.size >= 10_000) views.delete(views.keys().next().value!);
      views.set(key, view);
    }
    return view;
  };
  const wrap =
    (executor: GatewayExecutor): GatewayExecutor =>
    async (requestContext) => {
      const principal = (requestContext.context as { principal: Principal }).principal;
      const filtered = viewOf(requestContext, principal);
      if (filtered.refusedRoot) {
        return {
          errors: [
            new GraphQLError(`The role ${principal.role} may not run this operation (${filtered.refusedRoot.dataClass}).`, {
              path: filtered.refusedRoot.path,
              extensions: { code: 'FORBIDDEN', class: filtered.refusedRoot.dataClass },
            }),
          ],
        };
      }
      if (filtered.removed.length === 0) return executor(requestContext);
      const view = Object.assign(Object.create(Object.getPrototypeOf(requestContext)), requestContext, {
        document: filtered.document,
        source: filtered.source,
        queryHash: filtered.queryHash,
      });
      const result = await executor(view);
      const forbidden = patchRemoved(result.data as Record<string, unknown> | null | undefined, filtered.removed, filtered.placeholders).map(
        (e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }),
      );
      // A removed field under a null or empty parent has no place in the answer, and no error either.
      const errors = [...(result.errors ?? []), ...forbidden];
      return errors.length ? { ...result, errors } : result;
    };
  return {
    async load(options) {
      const loaded = await inner.load(options);
      return { ...loaded, executor: loaded.executor && wrap(loaded.executor) };
    },
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
  };
}
