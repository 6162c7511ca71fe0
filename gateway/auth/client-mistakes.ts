import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, Kind, type ASTVisitor, type DocumentNode, type FloatValueNode, type IntValueNode, type ValidationContext } from 'graphql';
import { ErrorCode } from '../../common/errors.js';
import { INTERNAL_PREFIX } from '../shard/fetch-document.js';

/**
 * Refuses, with HTTP 400 and Apollo Server's own codes, requests whose operation cannot be run:
 * an `operationName` the document does not define, several operations without one, and
 * subscriptions (the gateway has no subscription root). Left alone they reach the gateway's
 * executor, which throws, and Apollo Server answers a thrown executor error with HTTP 500.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, document }) {
          if (!operation) throw operationResolutionError(request.operationName, operationCount(document));
          if (operation.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are not supported: this API answers queries and mutations only.', {
              extensions: { code: ApolloServerErrorCode.BAD_REQUEST, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** The error for a document whose operation Apollo Server could not pick (getOperationAST gave none). */
export function operationResolutionError(operationName: string | null | undefined, operations: number): GraphQLError {
  const message = operationName
    ? `Unknown operation named "${operationName}": the document defines no operation of that name.`
    : operations > 1
      ? 'The document defines several operations: send `operationName` to choose one.'
      : 'The document defines no operation.';
  return new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });
}

function operationCount(document: DocumentNode | undefined): number {
  return document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length ?? 0;
}

/**
 * Gives stable codes and clear messages to the automatic-persisted-query mistakes Apollo Server
 * refuses with HTTP 400 but no code, which our formatError (maskForClient) must then treat as
 * internal errors: a `sha256Hash` that is not the SHA-256 of the `query` sent with it, and a
 * protocol version other than 1. No plugin hook runs before those checks, so the error is
 * completed where plugins see it (as Apollo Server's own suggestion-hiding plugin edits
 * messages there); the mistake is recognised from the request, never from Apollo's wording.
 */
export function persistedQueryErrorsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ request, document, errors }) {
          // A parsed document means the persisted-query checks passed: these errors are others.
          const mistake = document ? undefined : persistedQueryMistake(request);
          if (!mistake) return;
          for (const error of errors) {
            if (error.extensions.code !== undefined) continue;
            error.message = mistake.message;
            error.extensions.code = mistake.code;
          }
        },
      };
    },
  };
}

/** What is wrong with a request's automatic-persisted-query extension, if Apollo Server refuses it without a code. */
export function persistedQueryMistake(request: Pick<GraphQLRequest, 'query' | 'extensions'>): { code: string; message: string } | undefined {
  const pq = request.extensions?.persistedQuery as { version?: unknown } | undefined;
  if (!pq) return undefined;
  if (pq.version !== 1) {
    return { code: ApolloServerErrorCode.BAD_REQUEST, message: 'Unsupported persisted query version: `extensions.persistedQuery.version` must be 1.' };
  }
  if (hashMismatch(request)) {
    return {
      code: ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
      message: 'The persisted query hash does not match the query: `extensions.persistedQuery.sha256Hash` must be the SHA-256 (hex) of `query`.',
    };
  }
  return undefined;
}

/** Whether a request carries both a query and a persisted-query hash that is not the query's SHA-256. */
export function hashMismatch(request: Pick<GraphQLRequest, 'query' | 'extensions'>): boolean {
  const hash = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  if (typeof request.query !== 'string' || hash === undefined) return false;
  return hash !== createHash('sha256').update(request.query).digest('hex');
}

/**
 * Refuses aliases starting with the shard router's internal prefix: the router adds fields under
 * that prefix for its own merging and deletes every such key from answers, so the caller's field
 * would come back missing or null. Field names cannot carry the prefix (names starting with `__`
 * are reserved in a schema) and fragment and variable names never become response keys, so
 * aliases are the only way in. Apollo Server answers it like every validation error: HTTP 400,
 * GRAPHQL_VALIDATION_FAILED.
 */
export function ReservedAliasRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const alias = node.alias?.value;
      if (!alias?.startsWith(INTERNAL_PREFIX)) return;
      context.reportError(
        new GraphQLError(`The alias "${alias}" is reserved: aliases may not start with "${INTERNAL_PREFIX}", which the gateway uses internally. Choose another alias.`, {
          nodes: node.alias,
        }),
      );
    },
  };
}

/**
 * Refuses a document that asks for `__schema` more than once (under aliases): each is the whole
 * schema, about a megabyte with its types' fields and arguments, and neither graphql-armor's cost
 * nor its depth counts introspection, so thirty aliases made a 30 MB answer from a 1 kB document.
 * An explorer asks once; `__type(name:)` stays free for looking up single types.
 */
export function SingleSchemaIntrospectionRule(context: ValidationContext): ASTVisitor {
  let seen = 0;
  return {
    Field(node) {
      if (node.name.value !== '__schema' || ++seen !== 2) return;
      context.reportError(
        new GraphQLError('A document may ask for __schema once; ask for the whole schema in one field, or for single types with __type(name:).', { nodes: node }),
      );
    },
  };
}

/**
 * Refuses a number literal too large for a double (`1e400`): graphql-js reads Float literals
 * without checking they are finite, and the gateway's planner would fail on the Infinity later
 * (HTTP 500). The same value in a variable is refused by graphql-js's own coercion.
 */
export function FiniteNumberRule(context: ValidationContext): ASTVisitor {
  const check = (node: FloatValueNode | IntValueNode) => {
    if (!Number.isFinite(Number(node.value))) context.reportError(new GraphQLError(`The number ${node.value.slice(0, 40)} is too large; numbers must be finite.`, { nodes: node }));
  };
  return { FloatValue: check, IntValue: check };
}
