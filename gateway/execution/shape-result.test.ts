import { describe, expect, it } from '@jest/globals';
import {
  buildSchema,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isUnionType,
  operationFromDocument,
  type NamedType,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping.js';
import { parse } from 'graphql';
import { compileShaper } from './shape-result.js';

/**
 * The compiled shaping against @apollo/gateway's `computeResponse`, the behaviour it replaces: for
 * each operation, many generated fetch results (well-formed, with extra and missing fields, nulls
 * where types forbid them, values of the wrong type, unknown and absent `__typename`s) must give
 * the same data and the same errors, with their messages and paths.
 */

const SDL = `
  scalar JSON
  enum Status { IN_USE IDLE }
  interface Node { id: ID! }
  interface Named { name: String }
  type Asset implements Node & Named { id: ID! name: String status: Status! value: Float tags: [String!] owner: Agency meta: JSON }
  type Agency implements Node & Named { id: ID! name: String assets: [Asset!]! count: Int! }
  type Vehicle implements Node { id: ID! plate: String! seats: Int }
  union Thing = Asset | Vehicle
  type Query {
    node(id: ID!): Node
    things: [Thing]
    agencies: [Agency!]
    asset: Asset!
    matrix: [[Int!]]!
    flag: Boolean
  }
`;
const schema = buildSchema(SDL);

const OPERATIONS: { query: string; variables?: Record<string, unknown>[] }[] = [
  { query: '{ asset { id name status value tags meta } flag }' },
  { query: '{ a: asset { id n: name owner { name count } } b: asset { id status } }' },
  { query: '{ node(id: "1") { id __typename ... on Asset { name status } ... on Agency { count assets { id } } } }' },
  { query: '{ things { t: __typename ... on Node { id } ... on Asset { name owner { id } } ... on Vehicle { plate seats } } }' },
  { query: '{ agencies { id name assets { id status value } count } matrix }' },
  {
    query:
      'query Q($withName: Boolean!, $skipValue: Boolean = false) { asset { id name @include(if: $withName) value @skip(if: $skipValue) ... on Asset @include(if: $withName) { status } } }',
    variables: [{ withName: true }, { withName: false, skipValue: true }, { withName: true, skipValue: false }],
  },
  { query: 'fragment A on Asset { id name owner { ...G } } fragment G on Agency { id count } query { node(id: "2") { ...A ... on Named { name } } things { ...A } }' },
  { query: '{ node(id: "3") { ... on Named { name ... on Agency { assets { ...on Node { id } } } } } }' },
];

/** A small deterministic random source (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

/** A leaf value: mostly of the right kind, sometimes of another. */
function leafValue(rand: Rand, type: NamedType): unknown {
  const wrong = rand() < 0.08;
  if (wrong) return pick(rand, ['x', 1.5, 7, true, { o: 1 }, [1], 'NOPE']);
  if (isEnumType(type)) return pick(rand, ['IN_USE', 'IDLE']);
  switch (type.name) {
    case 'Int':
      return Math.floor(rand() * 100);
    case 'Float':
      return rand() * 100;
    case 'Boolean':
      return rand() < 0.5;
    case 'JSON':
      return { any: [1, 'two'] };
    default:
      return `s${Math.floor(rand() * 1000)}`;
  }
}

/** A value for `type` with `selectionSet` below it, written into fetch-result form. */
function value(rand: Rand, type: Type, selectionSet: SelectionSet | undefined, depth: number): unknown {
  if (rand() < 0.06) return null;
  if (isNonNullType(type)) return value(rand, type.ofType, selectionSet, depth);
  // Now and then a value of the wrong kind: the two must fail alike.
  if (isListType(type))
    return rand() < 0.01 ? 'not a list' : depth > 4 ? [] : Array.from({ length: Math.floor(rand() * 3) }, () => value(rand, type.ofType, selectionSet, depth + 1));
  if (!isCompositeType(type)) return leafValue(rand, type);
  if (rand() < 0.01) return 42;
  const object: Record<string, unknown> = {};
  const runtimeTypes = isUnionType(type) ? type.types() : isInterfaceType(type) ? type.possibleRuntimeTypes() : [type];
  const r = rand();
  if (r < 0.75) object.__typename = pick(rand, runtimeTypes).name;
  else if (r < 0.8) object.__typename = pick(rand, ['Unknown', 'Status', 'Query', '__proto__', 'constructor']);
  else if (r < 0.81) object.__typename = 7;
  if (rand() < 0.1) object.extra = 'not asked for';
  if (selectionSet) fill(rand, object, selectionSet, depth + 1);
  return object;
}

function fill(rand: Rand, object: Record<string, unknown>, selectionSet: SelectionSet, depth: number) {
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FragmentSelection') {
      fill(rand, object, selection.selectionSet, depth);
      continue;
    }
    const field = selection.element;
    if (rand() < 0.05) continue;
    if (field.name === '__typename') {
      if (rand() < 0.5) object[field.responseName()] = object.__typename ?? 'Asset';
      continue;
    }
    object[field.responseName()] = value(rand, field.definition.type!, selection.selectionSet, depth);
  }
}

/** A shaping's outcome as a client would compare it: data and errors (message, path, extensions), or what it threw. */
function outcome(shape: () => { data: unknown; errors: readonly { message: string; path?: readonly (string | number)[]; extensions?: unknown }[] }): string {
  try {
    const { data, errors } = shape();
    return JSON.stringify({ data, errors: errors.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })) });
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

describe('compiled result shaping', () => {
  it.each(OPERATIONS.map((o, i) => [i, o] as const))('operation %i gives the data and errors of computeResponse on 400 generated results', (_i, { query, variables }) => {
    const operation = operationFromDocument(schema, parse(query), { validate: false });
    const shape = compileShaper(operation);
    const rand = random(1234 + query.length);
    const seen = { errors: 0, nulled: 0, threw: 0 };
    for (let round = 0; round < 400; round++) {
      const input = value(rand, schema.schemaDefinition.rootType('query')!, operation.selectionSet, 0) as Record<string, unknown> | null;
      const vars = variables ? variables[round % variables.length] : undefined;
      const introspection = () => ({ introspected: true });
      const expected = outcome(() => computeResponse({ operation, variables: vars, input: input as Record<string, unknown>, introspectionHandling: introspection }));
      expect(outcome(() => shape(input, vars, introspection))).toBe(expected);
      if (expected.startsWith('threw')) seen.threw++;
      else if (expected.includes('"message"')) seen.errors++;
      if (expected.startsWith('{"data":null')) seen.nulled++;
    }
    // The generated results do reach the error paths, not only the well-formed one.
    expect(seen.errors).toBeGreaterThan(20);
    expect(seen.nulled + seen.errors).toBeGreaterThan(20);
    expect(seen.threw).toBeGreaterThan(0);
  });

  it('fails as computeResponse does when a condition variable is missing', () => {
    const operation = operationFromDocument(schema, parse('query Q($v: Boolean!) { flag @include(if: $v) }'), { validate: false });
    const input = { flag: true };
    expect(() => compileShaper(operation)(input, {}, () => null)).toThrow(/Unexpected value undefined for variable \$v/);
    expect(() => computeResponse({ operation, variables: {}, input, introspectionHandling: () => null })).toThrow(/Unexpected value undefined for variable \$v/);
  });

  it('answers introspection fields through the handler, once per response name', () => {
    const operation = operationFromDocument(schema, parse('{ __schema { queryType { name } } flag }'), { validate: false });
    const calls: string[] = [];
    const result = compileShaper(operation)({ flag: false }, undefined, (selection) => {
      calls.push(selection.element.responseName());
      return { queryType: { name: 'Query' } };
    });
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } }, flag: false });
    expect(calls).toEqual(['__schema']);
  });
});
