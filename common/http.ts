import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { etagOf, notModified } from './conditional-get.js';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import type { ServerTls } from './tls.js';
import { inRequestSpan } from './tracing.js';

/** A handler for a non-GraphQL route; returns false to fall through to GraphQL. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** What a shortcut answers instead of Apollo Server. */
export interface ShortcutAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/**
 * Finds whether a parsed GraphQL POST can be answered before Apollo Server's pipeline: a function
 * that answers it, or undefined (then Apollo Server runs as usual). Finding has no effect a client
 * could see, so it runs while the request's admission is decided (their reads of shared state
 * travel together); only an admitted request is answered. Answering does what an answer entails
 * (audit, log) and may still decline. `context` is the request's context, built once and shared
 * with the admission and with Apollo Server.
 */
export type Shortcut<TContext> = (request: { req: IncomingMessage; body: unknown; requestId: string; context: () => Promise<TContext> }) => Promise<Answerer | undefined>;

/** Answers a request a shortcut found it can answer, or declines with undefined. */
export type Answerer = () => Promise<ShortcutAnswer | undefined>;

/** A GraphQL request as its admission sees it. `documentChars`: the characters of GraphQL document it carries ({@link documentCharsOf}). */
export interface AdmittedRequest<TContext> {
  req: IncomingMessage;
  requestId: string;
  context: () => Promise<TContext>;
  documentChars: number;
}

/** Who may send GraphQL requests, asked before and told after each one (e.g. a rate limit that charges for both). */
export interface Admission<TContext> {
  /** Decides, before anything else runs, whether a request (any method) may proceed: undefined lets it through, an answer refuses it (e.g. 429). */
  admit(request: AdmittedRequest<TContext>): Promise<Refusal | undefined>;
  /** Told, once it is sent, the bytes of the answer an admitted request was given (a 304 counts its whole answer: the work was done). */
  answered?(request: AdmittedRequest<TContext>, answerBytes: number): void;
}

/** The characters of GraphQL document a request carries: a POST body's `query` (each, in a batch), or a GET's `query` parameter; 0 for a persisted query sent by hash. */
export function documentCharsOf(method: string | undefined, url: string | undefined, body: unknown): number {
  const chars = (request: unknown) => {
    const query = request && typeof request === 'object' ? (request as { query?: unknown }).query : undefined;
    return typeof query === 'string' ? query.length : 0;
  };
  if (method === 'GET') return new URLSearchParams(searchOf(url ?? '/')).get('query')?.length ?? 0;
  return Array.isArray(body) ? body.reduce((n: number, request) => n + chars(request), 0) : chars(body);
}

/**
 * Tells an admission the bytes of an answer (its body, or their count) once it is sent. Measured
 * only where an admission listens (the gateway), not for a subgraph's answers; a hook that throws
 * changes nothing for the caller, who has the answer.
 */
export function reportAnswered<TContext>(admission: Admission<TContext> | undefined, request: AdmittedRequest<TContext>, body: string | Uint8Array | number): void {
  if (!admission?.answered) return;
  try {
    admission.answered(request, typeof body === 'number' ? body : byteLengthOf(body));
  } catch (error) {
    void error;
  }
}

/** The bytes a body takes on the wire (a string as UTF-8). */
function byteLengthOf(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** An admission's refusal: an answer whose body is JSON text. */
export type Refusal = ShortcutAnswer & { body: string };

/** Options of {@link serveApollo}. */
export interface ServeOptions<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  port: number;
  host?: string;
  /** Builds the per-request context from the request and its request id (`res` only to set a response header). */
  context: (args: { req: IncomingMessage; res: ServerResponse; requestId: string }) => Promise<TContext>;
  /** Routes tried before GraphQL (health, explorer page, admin). */
  routes?: RouteHandler[];
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
  /** How long a client may take to send its headers, and its whole request, ms (defaults: SLOW_CLIENT_LIMITS). */
  slowClient?: Partial<typeof SLOW_CLIENT_LIMITS>;
  /** Tried in order on every parsed POST body before Apollo Server; the first answer is sent. */
  shortcuts?: Shortcut<TContext>[];
  /** Serve HTTPS with this certificate; with `ca` and `requestClientCert`, a client without a certificate `ca` signed is refused in the handshake. */
  tls?: ServerTls;
  /**
   * Answers GET requests (persisted operations by id) with an ETag of the body, and 304 with no
   * body when If-None-Match names it, so a dashboard polling an unchanged answer moves no data.
   */
  conditionalGet?: boolean;
  /** Asked first for every GraphQL request, shortcuts included. */
  admission?: Admission<TContext>;
  /** The service's name on its traces' request spans. */
  service?: string;
  /** Whether a request that carries no trace starts one (the gateway, where clients enter). */
  traceRoots?: boolean;
}

/** Time limits of a client sending its request: headers, and the whole request with its body (ms). */
export const SLOW_CLIENT_LIMITS = { headersMs: 10_000, requestMs: 30_000 };

/** A running HTTP service. */
export interface RunningService {
  url: string;
  port: number;
  httpServer: Server;
  stop(): Promise<void>;
}

/**
 * Serves an ApolloServer over node:http at /graphql (and /), using Apollo's documented
 * integration API `executeHTTPGraphQLRequest`. Every request gets an id (x-request-id, or a
 * new one) that the context and the logs carry and the response echoes.
 */
export async function serveApollo<TContext extends BaseContext>(options: ServeOptions<TContext>): Promise<RunningService> {
  const { server, routes = [], maxBodyBytes = 1_000_000, shortcuts = [] } = options;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void inRequestSpan(options.service ?? 'xietong', req.headers, () => handle(req, res), options.traceRoots).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      void error;
    });
  };
  const mutual = options.tls?.requestClientCert === true;
  // A client that sends its request slowly (a byte at a time) holds a connection and a body
  // buffer: it gets these limits, checked every second, then its connection is closed (408).
  const slow = { ...SLOW_CLIENT_LIMITS, ...options.slowClient };
  const limits = { headersTimeout: slow.headersMs, requestTimeout: slow.requestMs, connectionsCheckingInterval: Math.min(1000, slow.headersMs) };
  const httpServer: Server = options.tls
    ? createHttpsServer({ ...limits, key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, requestCert: mutual, rejectUnauthorized: mutual }, onRequest)
    : createServer(limits, onRequest);
  httpServer.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    for (const route of routes) if (await route(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql' && path !== '/') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const body = req.method === 'POST' ? await readJsonBody(req, maxBodyBytes) : undefined;
    if (body === TOO_LARGE) {
      // The rest of the body is never read, so this connection cannot carry another request.
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ errors: [{ message: `Request body exceeds ${maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }));
      return;
    }
    if (body !== undefined && body !== TOO_LARGE && body !== MALFORMED && nestedDeeperThan(body, MAX_BODY_DEPTH)) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: `Request body is nested deeper than ${MAX_BODY_DEPTH} levels`, extensions: { code: 'BAD_REQUEST' } }] }));
      return;
    }
    if (body === MALFORMED) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }));
      return;
    }
    let context: Promise<TContext> | undefined;
    const contextFn: ContextFunction<[], TContext> = () => (context ??= options.context({ req, res, requestId }));
    const found = req.method === 'POST' && body !== undefined ? findShortcut(shortcuts, { req, body, requestId, context: contextFn }) : undefined;
    const admitted: AdmittedRequest<TContext> = { req, requestId, context: contextFn, documentChars: documentCharsOf(req.method, req.url, body) };
    const refused = await options.admission?.admit(admitted);
    if (refused) return void res.writeHead(refused.status, refused.headers).end(refused.body);
    const answered = (body: string | Uint8Array | number) => reportAnswered(options.admission, admitted, body);
    const answer = await (await found)?.();
    if (answer) {
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return answered(answer.body);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: searchOf(req.url ?? '/'), body },
      context: contextFn,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const text = response.body.string;
      if (options.conditionalGet && req.method === 'GET' && res.statusCode === 200) {
        const etag = etagOf(text);
        res.setHeader('etag', etag);
        // Revalidate every time: the answer depends on the caller's token and on data that changes.
        res.setHeader('cache-control', 'private, no-cache');
        if (notModified(headerValue(req, 'if-none-match'), etag)) {
          res.writeHead(304).end();
          return answered(text);
        }
      }
      res.end(text);
      return answered(text);
    }
    let bytes = 0;
    try {
      for await (const chunk of response.body.asyncIterator) {
        bytes += byteLengthOf(chunk);
        res.write(chunk);
      }
      res.end();
    } finally {
      answered(bytes);
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    port,
    httpServer,
    async stop() {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await server.stop();
    },
  };
}

/** The first shortcut that can answer a request; a shortcut that fails counts as one that cannot. */
async function findShortcut<TContext>(shortcuts: Shortcut<TContext>[], request: Parameters<Shortcut<TContext>>[0]): Promise<Answerer | undefined> {
  for (const shortcut of shortcuts) {
    const answerer = await shortcut(request).catch(() => undefined);
    if (answerer) return answerer;
  }
  return undefined;
}

const TOO_LARGE = Symbol('too large');
// No GraphQL request needs deeper JSON; deeper would overflow the stack of recursive walkers downstream.
/** The deepest JSON a request may nest (bodies, and an export's variables). */
export const MAX_BODY_DEPTH = 64;

/** Whether a parsed JSON value nests arrays or objects deeper than `limit` (walked without recursion). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
const MALFORMED = Symbol('malformed');

/** The query string of a request target, with its "?" (as URL.search gives it), without parsing a URL. */
function searchOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 || q === target.length - 1 ? '' : target.slice(q);
}

// Listens for data events rather than iterating the stream: the async iterator costs more than
// the rest of reading a small body.
function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).pause();
      resolve(TOO_LARGE);
    };
    const onEnd = () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(MALFORMED);
      }
    };
    req.on('data', onData).on('end', onEnd).once('error', reject);
  });
}

// A request id travels on to every subgraph call and into every log line: only a short, plain one is kept.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's request id when it is a short plain token, or a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = headerValue(req, 'x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The first value of a request header. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * GET /sdl: the service's federation SDL as plain text, for anyone. It is the public contract
 * (schema/*.graphql) and holds no data, so a provincial team checks a running instance against
 * the contract without the gateway's keys (`npm run check-province -- URL`).
 */
export function sdlRoute(sdl: string): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/sdl') return false;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(sdl);
    return true;
  };
}

/** GET /health: liveness and what the service is (no data). */
export function healthRoute(status: () => Record<string, unknown>): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/health') return false;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', ...status() }));
    return true;
  };
}
