import { Agent, type Dispatcher } from 'undici';
import type { GraphQLFormattedError } from 'graphql';
import { ASSERTION_HEADER, SESSION_HEADER } from './auth/assertion.js';
import { traceHeaders } from './tracing.js';
import { createLogger, type Logger } from './logger.js';
import type { ClientTls } from './tls.js';

/** A GraphQL request body as a gateway sends it to a subgraph. */
export interface GraphQLBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** A subgraph's GraphQL answer. */
export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

/** Either the subgraph's GraphQL answer, or why there is none (for the caller to name; never shown raw to clients). */
/** `status`: the HTTP status of an answer that was not GraphQL (a 4xx there is the request's fault, not the subgraph's). */
/** `status` of an answer: its HTTP status; `session`: the session the receiver opened (SESSION_HEADER), if it said so. */
export type PostResult = { answer: GraphQLAnswer; status?: number; session?: string } | { failure: string; status?: number };

// Where each agent's failed calls are logged: clients only ever see a generic reason, so the
// cause (a refused certificate, a reset) must reach the operator here.
const failureLogs = new WeakMap<Agent, Logger>();

/** The largest answer a subgraph or province may send (64 MiB): far above any page, breakdown or entity batch, and a bound on what one broken or hostile instance can make the gateway hold. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * The keep-alive connection pools to subgraphs and provinces: undici's agent, one pool per
 * origin. One per gateway (its owner closes it). With `tls`, https:// origins are verified
 * against `tls.ca` only (not the system store) and are shown the client certificate. An answer
 * longer than `maxAnswerBytes` is cut off and counts as a failure.
 */
export function subgraphAgent(tls?: ClientTls, logger: Logger = createLogger('gateway'), limits: { maxAnswerBytes?: number } = {}): Agent {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: 64,
    maxResponseSize: limits.maxAnswerBytes ?? MAX_ANSWER_BYTES,
    ...(tls ? { connect: { ca: tls.ca, cert: tls.cert, key: tls.key } } : {}),
  });
  failureLogs.set(agent, logger);
  return agent;
}

/**
 * POSTs one GraphQL request (a body, or its JSON text when one text goes to many provinces)
 * within a time limit, with the request id and the gateway's assertion. Any HTTP status with a GraphQL body is an answer (subgraphs report bad
 * requests that way); no answer, a timeout or a body that is not a GraphQL response is a
 * failure with a short reason.
 */
export async function postGraphQL(
  url: string,
  body: GraphQLBody | string,
  options: { agent: Agent; timeoutMs: number; requestId?: string; assertion?: string },
): Promise<PostResult> {
  let text: string;
  let status: number;
  let session: string | undefined;
  try {
    ({ status, session, text } = await post(
      options.agent,
      url,
      typeof body === 'string' ? body : JSON.stringify(body),
      {
        'content-type': 'application/json',
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        ...(options.assertion ? { [ASSERTION_HEADER]: options.assertion } : {}),
        ...traceHeaders(),
      },
      options.timeoutMs,
    ));
  } catch (error) {
    const code = (error as { code?: string }).code;
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
      failureLogs.get(options.agent)?.warn({ origin: originOf(url) }, 'subgraph answer over the size limit; cut off');
      return { failure: 'answered more than the gateway accepts' };
    }
    if (!timedOut) {
      const cause = (error as { cause?: Error }).cause;
      failureLogs.get(options.agent)?.warn({ origin: originOf(url), code, err: (error as Error).message, ...(cause ? { cause: cause.message } : {}) }, 'subgraph call failed');
    }
    return { failure: timedOut ? `did not answer within ${options.timeoutMs} ms` : 'could not be reached' };
  }
  let parsed: GraphQLAnswer | undefined;
  try {
    parsed = JSON.parse(text) as GraphQLAnswer;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || (parsed.data === undefined && !parsed.errors)) return { failure: `answered HTTP ${status} without a GraphQL response`, status };
  return { answer: parsed, status, ...(session === undefined ? {} : { session }) };
}

/**
 * One POST through the agent's pools, its answer read whole as text. undici's dispatch with a
 * handler of our own: its `request` wraps each answer in a stream and a handler object of its
 * own, which cost half again as much CPU per call as this (47 against 31 µs measured here, the
 * server in another process); a fan-out makes one call per province. The agent still owns
 * connections, keep-alive and the time limits (`headersTimeout`, `bodyTimeout`).
 */
function post(agent: Agent, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; session?: string; text: string }> {
  const { origin, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    let status = 0;
    let session: string | undefined;
    const chunks: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      // Required even empty: undici calls the onResponse* methods only of a handler that has it.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        const said = responseHeaders[SESSION_HEADER];
        session = typeof said === 'string' ? said : undefined;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        // A byte-order mark some servers and proxies put first is not JSON (request()'s text() dropped it too).
        const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
        resolve({ status, session, text: bytes.toString('utf8', start) });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    };
    agent.dispatch({ origin, path: `${pathname}${search}`, method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, handler);
  });
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}
