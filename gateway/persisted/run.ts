import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { reportAnswered, type Admission } from '../../common/http.js';
import type { Answer, PersistedRequest } from '../export/route.js';

/** The request headers an operation run on a client's behalf carries. */
const FORWARDED = ['authorization', 'x-request-id', 'traceparent', 'tracestate'] as const;

/**
 * Runs a persisted operation by id as the GraphQL endpoint runs a POST of the same client: its
 * headers (token, request id), the endpoint's admission (rate limit), then Apollo Server's own
 * pipeline with a fresh context, so authentication, the safelist, the cache and the audit apply
 * exactly as to any request.
 */
export async function runPersisted<C extends BaseContext>(
  server: ApolloServer<C>,
  contextOf: (args: { req: IncomingMessage; requestId: string }) => Promise<C>,
  admission: Admission<C> | undefined,
  req: IncomingMessage,
  requestId: string,
  request: PersistedRequest,
): Promise<Answer> {
  let context: Promise<C> | undefined;
  const contextFn = () => (context ??= contextOf({ req, requestId }));
  const admitted = { req, requestId, context: contextFn, documentChars: 0 };
  const refused = await admission?.admit(admitted);
  if (refused) return { status: refused.status, headers: refused.headers, result: JSON.parse(refused.body) as Answer['result'] };
  // Only what says who asks and which trace it belongs to travels on; the rest of this request
  // (its Accept, conditional headers, length) is the export's, not the operation's.
  const headers = new HeaderMap([
    ['content-type', 'application/json'],
    ['accept', 'application/json'],
  ]);
  for (const name of FORWARDED) {
    const value = req.headers[name];
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: 'POST',
      headers,
      search: '',
      body: {
        variables: request.variables,
        ...(request.operationName !== undefined ? { operationName: request.operationName } : {}),
        extensions: { persistedQuery: { version: 1, sha256Hash: request.id } },
      },
    },
    context: contextFn,
  });
  let body = '';
  if (response.body.kind === 'complete') body = response.body.string;
  else for await (const chunk of response.body.asyncIterator) body += chunk;
  // Charged as the endpoint charges the same answer: an export that then meets its limit waits as
  // told (export/route.ts), and an export of a single page costs what a POST of it would.
  reportAnswered(admission, admitted, body);
  return { status: response.status ?? 200, headers: Object.fromEntries(response.headers), result: JSON.parse(body) as Answer['result'] };
}
