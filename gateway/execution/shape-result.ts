import {
  assert,
  ERRORS,
  isCompositeType,
  isCustomScalarType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
  Variable,
  type CompositeType,
  type Directive,
  type EnumType,
  type ScalarType,
  type FieldSelection,
  type NamedType,
  type Operation,
  type Schema,
  type Selection,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';

/**
 * The answer's shape, compiled once per operation: the operation's selections in order, the
 * fields the client did not ask for (keys, `__typename`s the plan added) left out, `@skip` and
 * `@include` applied, leaf values checked against their types and nulls propagated to the nearest
 * nullable field. It gives the same data and errors as @apollo/gateway's `computeResponse`, which
 * walks the operation's selection objects again for every answer; here that walk is done once,
 * and what is left per answer is reading properties (the equivalence test beside this file runs
 * both on the same inputs).
 */

/** Merges a value of one field into the answer: returns the new value; `state` tells what happened. */
type Updater = (outputValue: unknown, inputValue: unknown, path: (string | number)[], state: ShapeState, parentType: NamedType) => unknown;

/** What one shaping run carries: its variables and errors, and the flags the last updater set. */
interface ShapeState {
  readonly variables: Record<string, unknown>;
  readonly errors: GraphQLError[];
  readonly introspection: (selection: FieldSelection) => unknown;
  /** The value was null where the type forbids it: the parent becomes null too. */
  invalid: boolean;
  /** An error was recorded for the value (so an enclosing non-null does not add another). */
  hasErrors: boolean;
}

/** A compiled selection set: its selections, in order. */
type CompiledSet = CompiledSelection[];

type CompiledSelection = CompiledField | CompiledFragment;

interface CompiledField {
  kind: 'field';
  skip: ((variables: Record<string, unknown>) => boolean) | undefined;
  responseName: string;
  /** The selection, for an introspection field (answered by the introspection handler). */
  introspection: FieldSelection | undefined;
  typename: boolean;
  update: Updater;
}

interface CompiledFragment {
  kind: 'fragment';
  skip: ((variables: Record<string, unknown>) => boolean) | undefined;
  typeCondition: CompositeType | undefined;
  /** Whether the condition applies, by the type an answer's `__typename` (or the parent) names. */
  applies: Map<NamedType, boolean>;
  set: CompiledSet;
}

/** Shapes one answer: the merged fetch results in, the client's data and the value errors out. */
export type Shaper = (
  input: Record<string, unknown> | null | undefined,
  variables: Record<string, unknown> | undefined,
  introspection: (selection: FieldSelection) => unknown,
) => { data: Record<string, unknown> | null | undefined; errors: GraphQLError[] };

const NULL_BUBBLE_UP = 1;
const OK = 0;

/** Compiles the shaping of `operation`'s answers. */
export function compileShaper(operation: Operation): Shaper {
  const schema = operation.schema();
  const rootType = schema.schemaDefinition.rootType(operation.rootKind)!;
  // Only the schema's own types are remembered: names a subgraph makes up are looked up each time,
  // so what a plan keeps is bounded by the schema, whatever the answers hold.
  const types = new Map<string, NamedType>();
  const typeNamed = (name: string) => {
    let type = types.get(name);
    if (!type) {
      type = schema.type(name);
      if (type) types.set(name, type);
    }
    return type;
  };
  const root = compileSet(operation.selectionSet, schema, typeNamed);
  const defaults = operation.collectDefaultedVariableValues();
  return (input, variables, introspection) => {
    if (!input) return { data: input, errors: [] };
    const state: ShapeState = {
      variables: { __proto__: null, ...defaults, ...variables },
      errors: [],
      introspection,
      invalid: false,
      hasErrors: false,
    };
    const data = Object.create(null) as Record<string, unknown>;
    const result = applySet(root, input, data, state, [], rootType, typeNamed);
    return { data: result === NULL_BUBBLE_UP ? null : data, errors: state.errors };
  };
}

type TypeNamed = (name: string) => NamedType | undefined;

function compileSet(selectionSet: SelectionSet, schema: Schema, typeNamed: TypeNamed): CompiledSet {
  return selectionSet.selections().map((selection): CompiledSelection => {
    const skip = skipOf(selection, schema);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      return {
        kind: 'field',
        skip,
        responseName: field.responseName(),
        introspection: field.definition.isSchemaIntrospectionField() ? selection : undefined,
        typename: field.name === typenameFieldName,
        update: compileUpdater(field.definition.type!, selection.selectionSet && compileSet(selection.selectionSet, schema, typeNamed), schema, typeNamed),
      };
    }
    return { kind: 'fragment', skip, typeCondition: selection.element.typeCondition, applies: new Map(), set: compileSet(selection.selectionSet, schema, typeNamed) };
  });
}

function skipOf(selection: Selection, schema: Schema): CompiledField['skip'] {
  const skipDirective = selection.element.appliedDirectivesOf(schema.skipDirective())[0];
  const includeDirective = selection.element.appliedDirectivesOf(schema.includeDirective())[0];
  if (!skipDirective && !includeDirective) return undefined;
  return (variables) => !!((skipDirective && ifValue(skipDirective, variables)) || (includeDirective && !ifValue(includeDirective, variables)));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a directive of a field or of a fragment
function ifValue(directive: Directive<any, { if: boolean | Variable }>, variables: Record<string, unknown>): boolean {
  const ifArg = directive.arguments().if;
  if (ifArg instanceof Variable) {
    const value = variables[ifArg.name];
    assert(value !== undefined && typeof value === 'boolean', () => `Unexpected value ${String(value)} for variable ${String(ifArg)} of ${String(directive)}`);
    return value;
  }
  return ifArg;
}

function describeLast(path: (string | number)[], currentType: Type, parentType: NamedType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${String(parentType)}.${element}` : `array element of type ${String(currentType)} at index ${element}`;
}

/** The value of one field's type, wrappers first: the work for each answer's value, decided now. */
function compileUpdater(type: Type, set: CompiledSet | undefined, schema: Schema, typeNamed: TypeNamed): Updater {
  if (isNonNullType(type)) {
    const inner = compileUpdater(type.ofType, set, schema, typeNamed);
    return (outputValue, inputValue, path, state, parentType) => {
      assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
      if (outputValue === null || (outputValue !== undefined && !set)) return unchanged(outputValue, state);
      const updated = inner(outputValue, inputValue, path, state, parentType);
      if (updated === null) {
        if (!state.hasErrors) {
          state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describeLast(path, type.ofType, parentType)}.`, { path: Array.from(path) }));
        }
        state.invalid = true;
        state.hasErrors = true;
        return null;
      }
      // As in computeResponse: below a non-null wrapper, errors are not passed up.
      state.invalid = false;
      state.hasErrors = false;
      return updated;
    };
  }
  if (isListType(type)) {
    const element = compileUpdater(type.ofType, set, schema, typeNamed);
    return (outputValue, inputValue, path, state, parentType) => {
      assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
      if (outputValue === null || (outputValue !== undefined && !set)) return unchanged(outputValue, state);
      if (inputValue === null) return unchanged(null, state);
      assert(Array.isArray(inputValue), () => `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(type)}`);
      assert(outputValue === undefined || Array.isArray(outputValue), () => `Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(type)}`);
      const outputList = outputValue as unknown[] | undefined;
      assert(
        outputList === undefined || inputValue.length === outputList.length,
        () => `[${String(inputValue)}].length (${inputValue.length}) !== [${String(outputList)}].length (${outputList!.length})`,
      );
      let shouldNullify = false;
      let hasErrors = false;
      const updated = new Array<unknown>(inputValue.length);
      for (let i = 0; i < inputValue.length; i++) {
        path.push(i);
        updated[i] = element(outputList?.[i], inputValue[i], path, state, parentType);
        path.pop();
        shouldNullify ||= state.invalid;
        hasErrors ||= state.hasErrors;
      }
      state.invalid = false;
      state.hasErrors = hasErrors;
      return shouldNullify ? null : updated;
    };
  }
  if (isCompositeType(type)) {
    return (outputValue, inputValue, path, state, parentType) => {
      assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
      if (outputValue === null || (outputValue !== undefined && !set)) return unchanged(outputValue, state);
      if (inputValue === null) return unchanged(null, state);
      assert(set, () => `Invalid empty selection set for composite type ${String(type)}`);
      assert(typeof inputValue === 'object', () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`);
      assert(
        outputValue === undefined || typeof outputValue === 'object',
        () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`,
      );
      const input = inputValue as Record<string, unknown>;
      const inputTypename = input[typenameFieldName];
      assert(inputTypename === undefined || typeof inputTypename === 'string', () => `Invalid non-string value ${String(inputTypename)} for __typename at ${String(path)}`);
      let objectType: NamedType = type;
      if (inputTypename) {
        const named = typeNamed(inputTypename);
        if (!named || !isCompositeType(named)) {
          state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describeLast(path, type, parentType)}.`, { path: Array.from(path) }));
          state.invalid = false;
          state.hasErrors = true;
          return null;
        }
        objectType = named;
      }
      const output = (outputValue ?? Object.create(null)) as Record<string, unknown>;
      const hasErrors = applySet(set, input, output, state, path, objectType, typeNamed) === NULL_BUBBLE_UP;
      state.invalid = false;
      state.hasErrors = hasErrors;
      return hasErrors ? null : output;
    };
  }
  const anyValue = isCustomScalarType(type);
  return (outputValue, inputValue, path, state, parentType) => {
    assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
    if (outputValue === null || (outputValue !== undefined && !set)) return unchanged(outputValue, state);
    if (inputValue === null) return unchanged(null, state);
    assert(outputValue === undefined, () => `Excepted output to be undefined but got ${String(type)} for type ${String(type)}`);
    const valid = anyValue || isValidLeafValue(schema, inputValue, type as ScalarType | EnumType);
    if (!valid) state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describeLast(path, type, parentType)}.`, { path: Array.from(path) }));
    state.invalid = false;
    state.hasErrors = !valid;
    return valid ? inputValue : null;
  };
}

function unchanged(value: unknown, state: ShapeState): unknown {
  state.invalid = false;
  state.hasErrors = false;
  return value;
}

function applySet(
  set: CompiledSet,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  state: ShapeState,
  path: (string | number)[],
  parentType: NamedType,
  typeNamed: TypeNamed,
): typeof OK | typeof NULL_BUBBLE_UP {
  for (const selection of set) {
    if (selection.skip?.(state.variables)) continue;
    if (selection.kind === 'field') {
      const responseName = selection.responseName;
      const outputValue = output[responseName];
      if (selection.introspection) {
        if (outputValue === undefined) output[responseName] = state.introspection(selection.introspection);
        continue;
      }
      let inputValue = Object.prototype.hasOwnProperty.call(input, responseName) ? (input[responseName] ?? null) : null;
      if (selection.typename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type = inputValue !== null && typeof inputValue === 'string' ? (typeNamed(inputValue) ?? parentType) : parentType;
          if (!isObjectType(type)) return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      output[responseName] = selection.update(outputValue, inputValue, path, state, parentType);
      path.pop();
      if (state.invalid) return NULL_BUBBLE_UP;
    } else {
      const typename = input[typenameFieldName];
      assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${String(typename)}`);
      if (fragmentApplies(selection, typename as string | undefined, parentType, typeNamed)) {
        if (applySet(selection.set, input, output, state, path, selection.typeCondition ?? parentType, typeNamed) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

function fragmentApplies(fragment: CompiledFragment, typename: string | undefined, parentType: NamedType, typeNamed: TypeNamed): boolean {
  const condition = fragment.typeCondition;
  if (!condition) return true;
  const type = typename ? typeNamed(typename) : parentType;
  if (!type) return false;
  // Keyed by the schema's type: as many entries at most as the schema has types.
  let applies = fragment.applies.get(type);
  if (applies === undefined) {
    applies = isSubtype(condition, type as never);
    fragment.applies.set(type, applies);
  }
  return applies;
}
