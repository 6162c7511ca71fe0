import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { buildOperationContext } from '@apollo/gateway/dist/operationContext.js';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlanner } from '@apollo/query-planner';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { LRUCache } from 'lru-cache';
import { executePlan, preparePlan, type ExecutionSchemas, type PreparedPlan } from './execute-plan.js';
import { inGatewaySpan, SPAN_NAMES } from './spans.js';

/**
 * The gateway with its plans executed by {@link executePlan}: @apollo/gateway still loads the
 * supergraph, builds the data sources and plans each new operation; this executor keeps the
 * prepared plans and runs them. It is @apollo/gateway's own executor in its steps (the operation
 * picked, its variables checked, the plan cached per document and operation name, then run) and
 * in its answers; unlike it, it never returns the query plan to a client that asks with the
 * `Apollo-Query-Plan-Experimental` header (the library does outside NODE_ENV=production), which
 * would show any caller the subgraphs and their queries.
 */

/** Prepared plans kept per loaded supergraph (the least recently used go first). */
export const MAX_PREPARED_PLANS = 2000;

/** What @apollo/gateway holds for the supergraph it has loaded. */
interface LoadedSupergraph {
  queryPlanner: QueryPlanner;
  apiSchema: Schema;
  schema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
  serviceMap: Record<string, { dataSource: GraphQLDataSource }>;
}

/**
 * Reads the loaded supergraph off the gateway. @apollo/gateway 2.x keeps these as (TypeScript)
 * private fields and offers no accessor; they are read here alone, and a version that moved one
 * fails the first request loudly rather than running on a stale schema.
 */
function loadedSupergraph(gateway: ApolloGateway): LoadedSupergraph {
  const loaded = gateway as unknown as Partial<LoadedSupergraph>;
  for (const field of ['queryPlanner', 'apiSchema', 'schema', 'supergraphSchema', 'serviceMap'] as const) {
    if (!loaded[field]) throw new Error(`@apollo/gateway has no ${field} after load: this version is not one the plan executor supports`);
  }
  return loaded as LoadedSupergraph;
}

/** One loaded supergraph's schemas, services and prepared plans. */
interface Generation extends ExecutionSchemas {
  readonly planner: QueryPlanner;
  readonly plans: LRUCache<string, PreparedPlan>;
}

function generationOf(loaded: LoadedSupergraph, maxPlans: number): Generation {
  const services: Record<string, GraphQLDataSource> = Object.create(null);
  for (const [name, { dataSource }] of Object.entries(loaded.serviceMap)) services[name] = dataSource;
  return {
    planner: loaded.queryPlanner,
    apiSchema: loaded.apiSchema,
    schema: loaded.schema,
    supergraphSchema: loaded.supergraphSchema,
    services,
    plans: new LRUCache({ max: maxPlans }),
  };
}

/** Wraps `inner` so that its plans run through {@link executePlan}. */
export function planExecutingGateway(inner: ApolloGateway, maxPlans = MAX_PREPARED_PLANS): GatewayInterface {
  let generation: Generation | undefined;
  // A new supergraph brings a new planner: plans of the old one are dropped with their generation.
  const current = () => {
    const loaded = loadedSupergraph(inner);
    if (generation?.planner !== loaded.queryPlanner) generation = generationOf(loaded, maxPlans);
    return generation;
  };
  const executor: GatewayExecutor = (requestContext) =>
    inGatewaySpan(SPAN_NAMES.REQUEST, requestContext.operationName ? { 'graphql.operation.name': requestContext.operationName } : undefined, async () => {
      const schemas = current();
      const { request, document, queryHash } = requestContext;
      const operationContext = buildOperationContext({ schema: schemas.schema, operationDocument: document, operationName: request.operationName });
      const definitions = operationContext.operation.variableDefinitions;
      if (definitions) {
        const { errors } = inGatewaySpan(SPAN_NAMES.VALIDATE, undefined, () => getVariableValues(schemas.schema, definitions, request.variables ?? {}));
        if (errors) return { errors: errors as GraphQLError[] };
      }
      const key = `${queryHash}\n${request.operationName ?? ''}`;
      let prepared = schemas.plans.get(key);
      if (!prepared) {
        prepared = inGatewaySpan(SPAN_NAMES.PLAN, undefined, () => {
          const operation = operationFromDocument(schemas.apiSchema, document, { operationName: request.operationName });
          return preparePlan(schemas.planner.buildQueryPlan(operation), operationContext, schemas.apiSchema);
        });
        schemas.plans.set(key, prepared);
      }
      return executePlan(prepared, schemas, requestContext, operationContext);
    });
  return {
    async load(options) {
      const loaded = await inner.load(options);
      return { ...loaded, executor };
    },
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
  };
}
