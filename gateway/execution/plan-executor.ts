import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { buildOperationContext } from '@apollo/gateway/dist/operationContext.js';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { trace } from '@opentelemetry/api';
import { getVariableValues } from 'graphql/execution/values.js';
import { LRUCache } from 'lru-cache';
import { executePlan, nullGatewayVariable, preparePlan, type ExecutionSchemas, type PreparedPlan } from './execute-plan.js';
import { hasErrors, inGatewaySpan, SPAN_NAMES } from './spans.js';

/**
 * The gateway with its plans executed by {@link executePlan}: @apollo/gateway still loads the
 * supergraph, builds the data sources and plans each new operation; this executor keeps the
 * prepared plans and runs them. It is @apollo/gateway's own executor in its steps (the operation
 * picked, its variables checked, the plan cached per document and operation name, then run) and
 * in its answers; unlike it, it never returns the query plan to a client that asks with the
 * `Apollo-Query-Plan-Experimental` header (the library does outside NODE_ENV=production), which
 * would show any caller the subgraphs and their queries.
 */

/** The @apollo/gateway release whose executor this one follows; an upgrade must re-check the port (its test fails until then). */
export const PORTED_FROM_GATEWAY = '2.14.4';

/**
 * What the prepared plans of one supergraph may hold, in estimated bytes (the least recently used
 * go first): a cap on what callers sending ever new documents can make the gateway keep.
 */
export const PREPARED_PLANS_BYTES = 64 * 1024 * 1024;

/**
 * A prepared plan's estimated size in memory: the plan, the parsed operation and its compiled
 * shaping. Heap measured per prepared plan (2026-12-03): the W1 query (446 characters, plan JSON
 * 8.2 kB) 139 kB, the dashboard's energy query (403, 1.5 kB) 62 kB, a document of 30 aliased
 * lists (2,823, 2.5 kB) 513 kB; this estimate gives 138, 76 and 472 kB.
 */
export function estimatedBytes(plan: QueryPlan, source: string | undefined): number {
  return 160 * (source?.length ?? 0) + 8 * JSON.stringify(plan).length;
}

/** What @apollo/gateway holds for the supergraph it has loaded. */
interface LoadedSupergraph {
  queryPlanner: QueryPlanner;
  apiSchema: Schema;
  schema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
  serviceMap: Record<string, { dataSource: GraphQLDataSource } | undefined>;
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

/** A prepared plan with its estimated size. */
type SizedPlan = PreparedPlan & { readonly bytes: number };

/** One loaded supergraph's schemas, services and prepared plans. */
interface Generation extends ExecutionSchemas {
  readonly planner: QueryPlanner;
  readonly plans: LRUCache<string, SizedPlan>;
}

function generationOf(loaded: LoadedSupergraph, maxBytes: number): Generation {
  return {
    planner: loaded.queryPlanner,
    apiSchema: loaded.apiSchema,
    schema: loaded.schema,
    supergraphSchema: loaded.supergraphSchema,
    // Read at each fetch, as the library does: the gateway may add a data source after load.
    service: (name) => loaded.serviceMap[name]?.dataSource,
    plans: new LRUCache<string, SizedPlan>({ maxSize: maxBytes, sizeCalculation: (p) => Math.max(1, p.bytes) }),
  };
}

/** The query planner's safety switches, read from the environment variables @apollo/gateway reads. */
function plannerOptions(env: NodeJS.ProcessEnv) {
  return {
    recursiveSelectionsLimitDisabled: env.APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK === 'true',
    nonLocalSelectionsLimitDisabled: env.APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK === 'true',
  };
}

/** Wraps `inner` so that its plans run through {@link executePlan}. */
export function planExecutingGateway(inner: ApolloGateway, maxBytes = PREPARED_PLANS_BYTES): GatewayInterface {
  const options = plannerOptions(process.env);
  let generation: Generation | undefined;
  // A new supergraph brings a new planner: plans of the old one are dropped with their generation.
  // Only the planner is read per request; the rest is checked when it changes.
  const current = () => {
    if (!generation || generation.planner !== (inner as unknown as Partial<LoadedSupergraph>).queryPlanner) generation = generationOf(loadedSupergraph(inner), maxBytes);
    return generation;
  };
  const executor: GatewayExecutor = (requestContext) => {
    const operationName = requestContext.operationName;
    const attributes = operationName ? { 'graphql.operation.name': operationName, operationName } : undefined;
    return inGatewaySpan(
      SPAN_NAMES.REQUEST,
      attributes,
      async () => {
        const schemas = current();
        const { request, document, queryHash, source } = requestContext;
        const operationContext = buildOperationContext({ schema: schemas.schema, operationDocument: document, operationName: request.operationName });
        trace.getActiveSpan()?.setAttribute('graphql.operation.type', operationContext.operation.operation);
        const definitions = operationContext.operation.variableDefinitions;
        if (definitions) {
          const { errors } = inGatewaySpan(
            SPAN_NAMES.VALIDATE,
            undefined,
            () => getVariableValues(schemas.schema, definitions, request.variables ?? {}),
            (r) => hasErrors(r),
          );
          if (errors) return { errors: errors as GraphQLError[] };
        }
        const key = `${queryHash}\n${request.operationName ?? ''}`;
        let prepared: SizedPlan | undefined = schemas.plans.get(key);
        if (!prepared) {
          const plan = inGatewaySpan(SPAN_NAMES.PLAN, attributes, () =>
            schemas.planner.buildQueryPlan(operationFromDocument(schemas.apiSchema, document, { operationName: request.operationName }), options),
          );
          try {
            prepared = { ...preparePlan(plan, operationContext, schemas.apiSchema), bytes: estimatedBytes(plan, source) };
          } catch (error) {
            // As in the library, where this parse happens at execution: its errors are the answer.
            if (error instanceof GraphQLError) return { errors: [error] };
            throw error;
          }
          schemas.plans.set(key, prepared);
        }
        const nulled = nullGatewayVariable(prepared, request.variables);
        if (nulled) return { errors: [nulled] };
        return executePlan(prepared, schemas, requestContext, operationContext);
      },
      hasErrors,
    );
  };
  return {
    async load(loadOptions) {
      const loaded = await inner.load(loadOptions);
      return { ...loaded, executor };
    },
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
  };
}
