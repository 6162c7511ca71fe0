import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import { mayAccess } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';
import type { Manifest } from './manifest.js';

/**
 * The APQ cache with the safelist in front: a client may send just the id of a manifest
 * operation (no registration round trip); other hashes fall through to the APQ cache.
 */
export function manifestFirstCache(manifest: Manifest, apq: KeyValueCache<string> = new InMemoryLRUCache<string>()): KeyValueCache<string> {
  const bodies = new Map(manifest.operations.map((o) => [o.id, o.body]));
  return {
    async get(key) {
      // Apollo prefixes its APQ keys ("apq:<sha256>").
      return bodies.get(key.slice(key.lastIndexOf(':') + 1)) ?? apq.get(key);
    },
    set: (key, value, options) => apq.set(key, value, options),
    delete: (key) => apq.delete(key),
  };
}

/**
 * Safelist mode: callers whose role may not explore can run only the manifest's operations
 * (matched by the SHA-256 of the document, which Apollo computes once per request).
 */
export function safelistPlugin<C extends { principal: Principal }>(manifest: Manifest): ApolloServerPlugin<C> {
  const ids = new Set(manifest.operations.map((o) => o.id));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, queryHash }) {
          if (ids.has(queryHash) || mayAccess(contextValue.principal, 'explore')) return;
          throw new GraphQLError('Only the persisted operations of the safelist may run for this role; send a manifest operation by id.', {
            extensions: { code: 'OPERATION_NOT_SAFELISTED', http: { status: 403 } },
          });
        },
      };
    },
  };
}
