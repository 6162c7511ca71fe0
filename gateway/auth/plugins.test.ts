import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, validate, type FormattedExecutionResult } from 'graphql';
import { selectsIntrospection, withoutSuggestions } from './plugins.js';

describe('selectsIntrospection', () => {
  it.each([
    ['top level', '{ __schema { types { name } } }'],
    ['a fragment', '{ ...I } fragment I on Query { __schema { types { name } } }'],
    ['an inline fragment', '{ ... on Query { __schema { queryType { name } } } }'],
    ['nested fragments', '{ ...A } fragment A on Query { ...B } fragment B on Query { __schema { queryType { name } } }'],
    ['an alias', '{ s: __schema { queryType { name } } }'],
    ['__type', '{ t: __type(name: "Query") { fields { name } } }'],
    ['one of several operations', 'query A { __typename } query B { __type(name: "Query") { name } }'],
  ])('sees introspection through %s', (_name, query) => {
    expect(selectsIntrospection(parse(query))).toBe(true);
  });

  it('allows __typename anywhere', () => {
    expect(selectsIntrospection(parse('{ __typename ...F } fragment F on Query { __typename }'))).toBe(false);
  });
});

describe('withoutSuggestions', () => {
  const schema = buildSchema('type Query { regions: [Region] region(code: ID): Region } type Region { code: ID name: String level: Level } enum Level { NATIONAL PROVINCIAL }');
  const messages = (query: string) => validate(schema, parse(query)).map((e) => e.message);

  it('takes graphql-js’s suggestions out of real validation messages', () => {
    const found = [
      ...messages('{ regoins { code } }'),
      ...messages('{ regions { cod nme } }'),
      ...messages('{ region(cde: "x") { code } }'),
      ...messages('{ regions { code } } query Q($l: Levle) { regions { code } }'),
    ];
    expect(found.join(' ')).toMatch(/Did you mean/);
    const result = withoutSuggestions({ errors: found.map((message) => ({ message })) });
    expect(JSON.stringify(result)).not.toMatch(/Did you mean/);
    expect(result.errors![0].message).toBe('Cannot query field "regoins" on type "Query".');
  });

  it('handles one, two, several suggestions and both sub-messages, in nested extensions too, and leaves data alone', () => {
    const result: FormattedExecutionResult = {
      data: { note: 'Did you mean "x"?' },
      errors: [
        { message: 'A. Did you mean "a"?', extensions: { code: 'X', errors: [{ message: 'B. Did you mean "a" or "b"?' }] } },
        { message: 'C. Did you mean "a", "b", or "c"? Then more.' },
        { message: 'D. Did you mean to use an inline fragment on "T"?' },
        { message: 'E; Value "IDL" does not exist in "S" enum. Did you mean the enum value "IDLE"?' },
      ],
      extensions: { valueCompletion: [{ message: 'F. Did you mean "f"?' }] },
    };
    expect(withoutSuggestions(result)).toEqual({
      data: { note: 'Did you mean "x"?' },
      errors: [
        { message: 'A.', extensions: { code: 'X', errors: [{ message: 'B.' }] } },
        { message: 'C. Then more.' },
        { message: 'D.' },
        { message: 'E; Value "IDL" does not exist in "S" enum.' },
      ],
      extensions: { valueCompletion: [{ message: 'F.' }] },
    });
  });
});
