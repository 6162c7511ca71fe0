import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type FormattedExecutionResult, type SelectionSetNode } from 'graphql';
import { mayAccess } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';

interface AuthContext {
  principal: Principal;
}

/**
 * Introspection only for roles that may explore (the explorer needs it; nobody else does).
 * Decided per request, not as a validation rule: Apollo Server validates a document once and
 * caches it for every caller, whatever their role. The response cache's shortcut needs no check
 * of its own: it serves only answers stored after this hook let the same document run without
 * errors for the same scope (role and binding).
 */
export function introspectionPolicyPlugin<C extends AuthContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document }) {
          if (mayAccess(contextValue.principal, 'explore')) return;
          if (selectsIntrospection(document)) {
            throw new GraphQLError('Introspection is available to authenticated roles that may explore the schema.', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          }
        },
      };
    },
  };
}

/**
 * Whether a validated document selects `__schema` or `__type` anywhere: in any operation or
 * fragment definition, inline fragment, under any alias. Validation has passed, so a field of
 * either name can only be the introspection meta-field (schema fields may not start with `__`);
 * `__typename` reveals nothing beyond the type names of answers and stays allowed. A plain walk
 * of the selection sets: graphql-js's visit() costs fifty times more on every request.
 */
export function selectsIntrospection(document: DocumentNode): boolean {
  return document.definitions.some((d) => (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) && setSelectsIntrospection(d.selectionSet));
}

function setSelectsIntrospection(set: SelectionSetNode): boolean {
  return set.selections.some((s) => {
    if (s.kind === Kind.FRAGMENT_SPREAD) return false; // its definition is walked on its own
    if (s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type')) return true;
    return s.selectionSet !== undefined && setSelectsIntrospection(s.selectionSet);
  });
}

/**
 * Roles that may not explore get no "Did you mean …?" hints, which would map the schema for them.
 * graphql-js 16 always writes the hints into its messages (`hideSuggestions` arrives in 17), so
 * they are taken out of every message of the answer, nested ones in `extensions` included.
 */
export function suggestionsPolicyPlugin<C extends AuthContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue?.principal && mayAccess(contextValue.principal, 'explore')) return;
          if (response.body.kind !== 'single') return;
          response.body.singleResult = withoutSuggestions(response.body.singleResult);
        },
      };
    },
  };
}

const NAME = '"[_A-Za-z][_0-9A-Za-z]*"';
/** graphql-js's didYouMean(): " Did you mean [to use an inline fragment on | the enum value] "a", "b", or "c"?" */
const SUGGESTION = new RegExp(` ?Did you mean (?:to use an inline fragment on |the enum value )?${NAME}(?:(?:, |,? or )${NAME})*\\?`, 'g');

/** A result whose error messages (and messages nested in error or result extensions) carry no suggestions; data is untouched. */
export function withoutSuggestions(result: FormattedExecutionResult): FormattedExecutionResult {
  if (!result.errors && !result.extensions) return result;
  return {
    ...result,
    ...(result.errors ? { errors: scrub(result.errors) as FormattedExecutionResult['errors'] } : {}),
    ...(result.extensions ? { extensions: scrub(result.extensions) as FormattedExecutionResult['extensions'] } : {}),
  };
}

function scrub(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key === 'message' ? value.replace(SUGGESTION, '') : value;
  if (Array.isArray(value)) return value.map((v) => scrub(v));
  // Only plain objects are rebuilt: anything else (a Date, a class with toJSON) serialises itself.
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
