import { createHash } from 'node:crypto';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, print } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../common/auth/principal.js';
import type { ShardRules } from '../shard/rules.js';
import { filterOperation, patchRemoved, type FilteredOperation } from './field-rules.js';

/** What the filtered views of one set of rules may hold, in estimated bytes (least recently used out). */
export const VIEWS_BYTES = 32 * 1024 * 1024;
/** Heap per character of a filtered document kept parsed with its printed source (measured about 60–110). */
const VIEW_BYTES_PER_CHARACTER = 120;

/** A role's view of an operation: what was removed, and the filtered document when something was. */
type View = Omit<FilteredOperation, 'document'> & { document?: FilteredOperation['document']; source?: string; queryHash?: string };

/** The view of an operation the role sees whole. */
const UNCHANGED: View = Object.freeze({ removed: [] as FilteredOperation['removed'] });

/**
 * The gateway with the `@access` field rules applied before planning: each operation runs with
 * the fields the caller may not see taken out (so no subgraph is asked for them), and their
 * places are answered with null and FORBIDDEN errors. A refused mutation runs nothing.
 * The filtered document gets its own hash, so plans are cached per (operation, role's view).
 */
export function accessControlledGateway(inner: GatewayInterface, rules: () => ShardRules, maxViewBytes = VIEWS_BYTES): GatewayInterface {
  // The filtered view depends only on the document, the operation and the role: computed once per
  // triple. A view that removes nothing keeps no document (the request's own runs), so what the
  // views hold grows with the filtered documents alone, and is bounded by their estimated bytes.
  const newViews = () => new LRUCache<string, View>({ maxSize: maxViewBytes, sizeCalculation: (view, key) => key.length + VIEW_BYTES_PER_CHARACTER * (view.source?.length ?? 0) });
  let views = newViews();
  let viewsOf: ShardRules | undefined;
  const viewOf = (requestContext: Parameters<GatewayExecutor>[0], principal: Principal): View => {
    if (viewsOf !== rules()) {
      views = newViews();
      viewsOf = rules();
    }
    const key = `${requestContext.queryHash}:${requestContext.request.operationName ?? ''}:${principal.role}`;
    let view = views.get(key);
    if (!view) {
      const filtered = filterOperation(requestContext.document, requestContext.request.operationName, rules().schema, rules(), principal);
      if (filtered.refusedRoot) view = { removed: filtered.removed, refusedRoot: filtered.refusedRoot };
      else if (filtered.removed.length === 0) view = UNCHANGED;
      else {
        const source = print(filtered.document);
        view = { ...filtered, source, queryHash: createHash('sha256').update(source).digest('hex') };
      }
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
