import { describe, expect, it } from '@jest/globals';
import { documentCharsOf } from './http.js';

describe('documentCharsOf', () => {
  it.each([
    ['a POST body', 'POST', '/graphql', { query: '{ a }' }, 5],
    ['a batch: every query', 'POST', '/graphql', [{ query: '{ a }' }, { query: '{ bb }' }, { extensions: {} }], 11],
    ['a persisted query by hash', 'POST', '/graphql', { extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }, 0],
    ['a query that is not a string', 'POST', '/graphql', { query: ['{ a }'] }, 0],
    ['no body', 'POST', '/graphql', undefined, 0],
    ['a GET: the query parameter, decoded', 'GET', '/graphql?query=%7B%20a%20%7D&operationName=X', undefined, 5],
    ['a GET without one', 'GET', '/graphql?extensions=%7B%7D', undefined, 0],
  ])('%s', (_name, method, url, body, chars) => {
    expect(documentCharsOf(method, url, body)).toBe(chars);
  });
});
