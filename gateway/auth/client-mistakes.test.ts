import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, validate } from 'graphql';
import { hashMismatch, operationResolutionError, persistedQueryMistake, ReservedAliasRule } from './client-mistakes.js';

const schema = buildSchema('type Query { assets: [Asset] } type Asset { id: ID edges: [String] }');
const refused = (query: string) => validate(schema, parse(query), [ReservedAliasRule]).map((e) => e.message);

describe('reserved aliases', () => {
  it('refuses an alias with the router’s internal prefix, in operations and fragments', () => {
    expect(refused('{ assets { __xt_edges: edges } }')).toEqual([expect.stringContaining('"__xt_edges" is reserved')]);
    expect(refused('{ assets { ...F } } fragment F on Asset { a: id __xt_id: id }')).toHaveLength(1);
    expect(refused('{ __xt_assets: assets { id } }')).toHaveLength(1);
  });

  it('leaves other aliases, names and __typename alone', () => {
    expect(refused('query Q($__xt_v: ID) { xt: assets { id __typename _xt_: edges } } ')).toEqual([]);
  });
});

describe('operation resolution', () => {
  it('names the unknown operation, or asks for a name', () => {
    expect(operationResolutionError('B', 1).message).toMatch(/Unknown operation named "B"/);
    expect(operationResolutionError(undefined, 2).message).toMatch(/several operations: send `operationName`/);
    expect(operationResolutionError('A', 2).extensions).toEqual({ code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } });
  });
});

describe('persisted query hash', () => {
  const query = '{ assets { id } }';
  const sha = createHash('sha256').update(query).digest('hex');
  it('is a mismatch only when both query and hash are sent and disagree', () => {
    expect(hashMismatch({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } })).toBe(true);
    expect(hashMismatch({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha } } })).toBe(false);
    expect(hashMismatch({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } })).toBe(false);
    expect(hashMismatch({ query })).toBe(false);
  });

  it('names the mistake: a wrong version before a wrong hash, nothing for a good request', () => {
    expect(persistedQueryMistake({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } })?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(persistedQueryMistake({ query, extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } })?.code).toBe('BAD_REQUEST');
    expect(persistedQueryMistake({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha } } })).toBeUndefined();
    expect(persistedQueryMistake({ query })).toBeUndefined();
  });
});
