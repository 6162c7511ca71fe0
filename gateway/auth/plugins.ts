import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { mayAccess } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';

interface AuthContext {
  principal: Principal;
}

/** Introspection only for roles that may explore (the explorer needs it; nobody else does). */
export function introspectionPolicyPlugin<C extends AuthContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (mayAccess(contextValue.principal, 'explore')) return;
          if (operation && selectsIntrospection(operation)) {
            throw new GraphQLError('Introspection is available to authenticated roles that may explore the schema.', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          }
        },
      };
    },
  };
}

function selectsIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type'));
}

/** Anonymous callers get no "Did you mean …?" hints, which would map the schema for them. */
export function anonymousSuggestionsPlugin<C extends AuthContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue?.principal && contextValue.principal.role !== 'ANONYMOUS') return;
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({ ...e, message: e.message.replace(/ ?Did you mean .+\?$/, '') }));
        },
      };
    },
  };
}
