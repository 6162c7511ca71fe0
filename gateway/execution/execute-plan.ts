import { assert, ERRORS, errorCodeDef, operationFromDocument, type FieldSelection, type Operation, type Schema } from '@apollo/federation-internals';
import { evaluateCondition, getResponseName, type FetchNode, type PlanNode, type QueryPlan, type QueryPlanSelectionNode, type ResponsePath } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan.js';
import type { OperationContext } from '@apollo/gateway/dist/operationContext.js';
import {
  executeSync,
  GraphQLError,
  Kind,
  OperationTypeNode,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type SelectionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { compileShaper, type Shaper } from './shape-result.js';
import { hasErrors, hasShapingErrors, inGatewaySpan, SPAN_NAMES } from './spans.js';

/**
 * Runs a query plan: the fetches in the plan's order, their answers merged into one result, the
 * result shaped to the operation. The semantics are @apollo/gateway 2.14's `executeQueryPlan`
 * (same merging, error paths and value checks); what differs is when the work is done. The
 * operation is parsed and its shaping compiled once per plan ({@link preparePlan}), where the
 * library re-parses the document and walks it generically on every request, and no trace nodes
 * are built for the usage reporting this gateway never sends.
 */

/** A plan with what its requests share: the operation it answers and the shaping of its answers. */
export interface PreparedPlan {
  readonly plan: QueryPlan;
  readonly operation: Operation;
  readonly shape: Shaper;
  /** Variables the gateway itself reads where null is not allowed (`@skip`/`@include`'s `if`, `__type`'s `name`). */
  readonly gatewayVariables: readonly string[];
}

/** The schemas and services of one loaded supergraph. */
export interface ExecutionSchemas {
  /** The API schema (federation-internals), the operations' schema. */
  readonly apiSchema: Schema;
  /** The API schema (graphql-js), for introspection fields. */
  readonly schema: GraphQLSchema;
  /** The supergraph schema (graphql-js), for type conditions in keys and rewrites. */
  readonly supergraphSchema: GraphQLSchema;
  /** The data source of a subgraph, by name. */
  readonly service: (name: string) => GraphQLDataSource | undefined;
}

/** Prepares a plan for `operationContext`'s operation (once per plan). */
export function preparePlan(plan: QueryPlan, operationContext: OperationContext, apiSchema: Schema): PreparedPlan {
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] };
  const operation = operationFromDocument(apiSchema, document, { validate: false });
  return { plan, operation, shape: compileShaper(operation), gatewayVariables: gatewayVariablesOf(document) };
}

/**
 * The variables that the gateway, not a subgraph, reads in non-null places. A variable with a
 * default may be sent as an explicit null (validation allows it), which these places refuse:
 * the library would fail on an assertion there, an internal error where the client made a mistake.
 */
function gatewayVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  const argumentVariable = (args: readonly ArgumentNode[] | undefined, name: string) => {
    const value = args?.find((a) => a.name.value === name)?.value;
    if (value?.kind === Kind.VARIABLE) names.add(value.name.value);
  };
  visit(document, {
    Directive: (node) => void (node.name.value === 'skip' || node.name.value === 'include' ? argumentVariable(node.arguments, 'if') : undefined),
    Field: (node) => void (node.name.value === '__type' ? argumentVariable(node.arguments, 'name') : undefined),
  });
  return [...names];
}

/** The error for a variable sent as null where the gateway needs a value (see {@link gatewayVariablesOf}), if any. */
export function nullGatewayVariable(prepared: PreparedPlan, variables: Record<string, unknown> | undefined): GraphQLError | undefined {
  const name = variables && prepared.gatewayVariables.find((n) => Object.prototype.hasOwnProperty.call(variables, n) && variables[n] === null);
  if (!name) return undefined;
  return new GraphQLError(`Variable "$${name}" must not be null: it is used where a value is required.`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** What the nodes of one execution share. */
interface Execution {
  readonly prepared: PreparedPlan;
  readonly schemas: ExecutionSchemas;
  readonly requestContext: GatewayGraphQLRequestContext;
  readonly operationContext: OperationContext;
  readonly errors: GraphQLError[];
}

/** Where a node reads and writes: its part of the result, and that part's path. */
interface Cursor {
  readonly path: ResponsePath;
  readonly data: unknown;
  readonly fullResult: Record<string, unknown>;
}

/** Executes `prepared` for one request. */
export async function executePlan(
  prepared: PreparedPlan,
  schemas: ExecutionSchemas,
  requestContext: GatewayGraphQLRequestContext,
  operationContext: OperationContext,
): Promise<GatewayExecutionResult> {
  return inGatewaySpan(
    SPAN_NAMES.EXECUTE,
    undefined,
    async () => {
      if (prepared.plan.node?.kind === 'Subscription') throw new Error('Execution of subscriptions not supported by gateway');
      const execution: Execution = { prepared, schemas, requestContext, operationContext, errors: [] };
      const unfilteredData = Object.create(null) as Record<string, unknown>;
      if (prepared.plan.node) await executeNode(execution, prepared.plan.node, { path: [], data: unfilteredData, fullResult: unfilteredData });
      return inGatewaySpan(SPAN_NAMES.POST_PROCESSING, undefined, () => shapeResult(execution, unfilteredData), hasShapingErrors);
    },
    hasErrors,
  );
}

function shapeResult(execution: Execution, unfilteredData: Record<string, unknown>): GatewayExecutionResult {
  const { prepared, requestContext, operationContext, errors } = execution;
  let data: Record<string, unknown> | null | undefined;
  try {
    const variables = requestContext.request.variables;
    const shaped = prepared.shape(unfilteredData, variables, (selection) =>
      executeIntrospection(operationContext.schema, introspectionNode(selection), operationContext.operation.variableDefinitions, variables),
    );
    data = shaped.data;
    if (errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    requestContext.logger.error(`Unexpected error during query plan execution: ${String(error)}`);
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  return errors.length === 0 ? { data } : { errors, data };
}

function introspectionNode(selection: FieldSelection): SelectionNode {
  return selection.expandFragments().toSelectionNode();
}

async function executeNode(execution: Execution, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(execution, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(execution, child, cursor)));
      return;
    case 'Flatten':
      await executeNode(execution, node.node, moveIntoCursor(cursor, node.path));
      return;
    case 'Fetch':
      try {
        await inGatewaySpan(SPAN_NAMES.FETCH, { service: node.serviceName }, () => executeFetch(execution, node, cursor));
      } catch (error) {
        execution.errors.push(error as GraphQLError);
      }
      return;
    case 'Condition': {
      const branch = evaluateCondition(node, execution.prepared.operation.variableDefinitions, execution.requestContext.request.variables) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor);
      return;
    }
    case 'Defer':
      assert(false, '@defer support is not available in the gateway');
  }
}

async function executeFetch(execution: Execution, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = execution.schemas.service(fetch.serviceName);
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities = Array.isArray(cursor.data) ? (cursor.data as Record<string, unknown>[]).filter((e) => e !== null && e !== undefined) : [cursor.data as Record<string, unknown>];
  if (entities.length < 1) return;
  const variables = Object.create(null) as Record<string, unknown>;
  const provided = execution.requestContext.request.variables;
  for (const name of fetch.variableUsages ?? []) {
    if (provided && Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  const { supergraphSchema } = execution.schemas;
  if (!fetch.requires) {
    const received = await sendOperation(execution, service, fetch, cursor, variables);
    if (received) applyRewrites(supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  const representations: Record<string, unknown>[] = [];
  const representationToEntity: number[] = [];
  entities.forEach((entity, index) => {
    const representation = selectRepresentation(supergraphSchema, entity, fetch.requires!);
    if (representation && representation.__typename) {
      applyRewrites(supergraphSchema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  });
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await sendOperation(execution, service, fetch, cursor, { ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!(receivedEntities && Array.isArray(receivedEntities))) throw new Error(`Expected "data._entities" in response to be an array`);
  if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  // As in @apollo/gateway, the loop runs over every entity: past the answers, nothing is merged.
  for (let i = 0; i < entities.length; i++) {
    const receivedEntity = receivedEntities[i] as Record<string, unknown> | null | undefined;
    const existingEntity = entities[representationToEntity[i]];
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existingEntity.__typename;
    applyRewrites(supergraphSchema, fetch.outputRewrites, receivedEntity as Record<string, unknown>);
    deepMerge(entities[representationToEntity[i]], receivedEntity);
  }
}

async function sendOperation(
  execution: Execution,
  service: GraphQLDataSource,
  fetch: FetchNode,
  cursor: Cursor,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown> | null | undefined> {
  const { requestContext } = execution;
  const response = await service.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path as never,
  });
  if (response.errors) {
    const errorPath = lazyErrorPaths(fetch, cursor);
    execution.errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName, errorPath)));
    if (!response.extensions?.ftv1) {
      const errorPaths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      const metrics = requestContext.metrics;
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...errorPaths);
      else metrics.nonFtv1ErrorPaths = errorPaths;
    }
  }
  return response.data as Record<string, unknown> | null | undefined;
}

/** An error's path in the client's answer, from its path in the fetch (entity indexes hydrated lazily). */
function lazyErrorPaths(fetch: FetchNode, cursor: Cursor): (errorPath: GraphQLFormattedError['path']) => ResponsePath | undefined {
  let hydratedPaths: ResponsePath[] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!hydratedPaths) {
        hydratedPaths = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydratedPaths);
      }
      return [...(hydratedPaths[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath.slice()] : undefined;
  };
}

function downstreamServiceError(
  originalError: GraphQLFormattedError,
  serviceName: string,
  errorPath: (errorPath: GraphQLFormattedError['path']) => ResponsePath | undefined,
): GraphQLError {
  const message = originalError.message || `Error while fetching subquery from service "${serviceName}"`;
  const { extensions } = originalError;
  const options = {
    originalError: originalError as Error,
    path: errorPath(originalError.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(originalError as GraphQLError);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/** An entity's representation: the fields the fetch `requires`, null when one of them is missing. */
function selectRepresentation(schema: GraphQLSchema, source: Record<string, unknown> | null, selections: QueryPlanSelectionNode[]): Record<string, unknown> | null {
  if (source === null) return null;
  const result = Object.create(null) as Record<string, unknown>;
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = getResponseName(selection);
      const value = source[responseName];
      if (!Object.prototype.hasOwnProperty.call(source, responseName) || value === undefined) return null;
      const inner = selection.selections;
      if (Array.isArray(value)) result[responseName] = value.map((element) => (inner ? selectRepresentation(schema, element as Record<string, unknown>, inner) : element));
      else if (inner) result[responseName] = selectRepresentation(schema, value as Record<string, unknown>, inner);
      else result[responseName] = value;
    } else {
      if (!selection.typeCondition || !source) continue;
      if (isObjectOfType(schema, source, selection.typeCondition)) deepMerge(result, selectRepresentation(schema, source, selection.selections));
    }
  }
  return result;
}

function moveIntoCursor(cursor: Cursor, pathInCursor: ResponsePath): Cursor | undefined {
  const data = flattenAt(cursor.data, pathInCursor, 0);
  return data ? { path: cursor.path.concat(pathInCursor), data, fullResult: cursor.fullResult } : undefined;
}

/** The values at `path` from its `at`-th element: lists (`@`) flattened one level per step. */
function flattenAt(value: unknown, path: ResponsePath, at: number): unknown {
  if (at === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[at];
  if (current === '@') {
    // A value that is not a list fails here as it does in @apollo/gateway (flatMap of a non-list).
    if (!Array.isArray(value)) return (value as unknown[]).flatMap(() => []);
    const out: unknown[] = [];
    for (const element of value) {
      const flattened = flattenAt(element, path, at + 1);
      if (Array.isArray(flattened)) for (const inner of flattened) out.push(inner);
      else out.push(flattened);
    }
    return out;
  }
  assert(typeof current === 'string', () => `Unexpected ${typeof current} found in path`);
  assert(!Array.isArray(value), () => `Unexpected array in result for path element ${current}`);
  const object = value as Record<string, unknown>;
  return flattenAt(Object.prototype.hasOwnProperty.call(object, current) ? object[current] : undefined, path, at + 1);
}

function executeIntrospection(
  schema: GraphQLSchema,
  selection: SelectionNode,
  variableDefinitions: readonly VariableDefinitionNode[] | undefined,
  variableValues: Record<string, unknown> | undefined,
): unknown {
  const used = new Set<string>();
  visit(selection, { Variable: ({ name }) => void used.add(name.value) });
  const usedDefinitions = variableDefinitions?.filter((d) => used.has(d.variable.name.value));
  assert(used.size === (usedDefinitions?.length ?? 0), () => `Should have found all used variables ${[...used].join(', ')} in definitions ${JSON.stringify(variableDefinitions)}`);
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        variableDefinitions: usedDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] },
      },
    ],
  };
  const { data, errors } = executeSync({ schema, document, rootValue: {}, variableValues });
  assert(!errors || errors.length === 0, () => `Introspection query for ${JSON.stringify(selection)} should not have failed but got ${JSON.stringify(errors)}`);
  assert(data, () => `Introspection query for ${JSON.stringify(selection)} should not have failed`);
  const key = selection.kind === Kind.FIELD ? (selection.alias?.value ?? selection.name.value) : '';
  return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
}
