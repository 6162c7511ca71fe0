import type { IncomingMessage } from 'node:http';
import { parse, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { MAX_BODY_DEPTH, nestedDeeperThan, type RouteHandler } from '../../common/http.js';
import { MAX_PAGE_SIZE } from '../../common/pagination.js';
import { columnName, pageOf, tableShape, type Page } from './table.js';
import { csvWriter, EXPORT_FORMATS, htmlWriter, xlsxWriter, type ExportFormat, type TableWriter } from './writers.js';

/** The largest export by default, rows. */
export const DEFAULT_EXPORT_MAX_ROWS = 100_000;

/** A GraphQL answer as the endpoint sends it. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  result: { data?: Record<string, unknown> | null; errors?: unknown[]; extensions?: Record<string, unknown> };
}

/** A persisted operation run by id with some variables. */
export interface PersistedRequest {
  id: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

/** What the export route needs of the gateway. */
export interface ExportOptions {
  /** The document of a persisted operation by id (the manifest's, or one registered by APQ); undefined when unknown. */
  documentOf: (id: string) => Promise<string | undefined>;
  /** Runs a persisted operation as the GraphQL endpoint runs the same client's request: admission, authentication, safelist, cache and audit. */
  run: (req: IncomingMessage, requestId: string, request: PersistedRequest) => Promise<Answer>;
  /** The most rows one export writes. */
  maxRows: number;
  logger: Logger;
}

/** How many times a page refused by the rate limit is asked again, and the longest wait asked for, in seconds. */
const RATE_LIMIT_RETRIES = 5;
const MAX_RETRY_AFTER_SECONDS = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const EXPORT_PATH = /^\/export\/([0-9a-f]{64})\.(csv|xlsx|html)$/;

/** Thrown to refuse an export before anything is written. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The variables and operation name of an export URL. */
function requestOf(id: string, search: string): PersistedRequest {
  const params = new URLSearchParams(search);
  let variables: unknown = {};
  const text = params.get('variables');
  if (text !== null) {
    try {
      variables = JSON.parse(text);
    } catch {
      throw new Refusal(400, 'BAD_REQUEST', 'variables must be a JSON object (URL-encoded).');
    }
  }
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) throw new Refusal(400, 'BAD_REQUEST', 'variables must be a JSON object (URL-encoded).');
  if (nestedDeeperThan(variables, MAX_BODY_DEPTH)) throw new Refusal(400, 'BAD_REQUEST', `variables are nested deeper than ${MAX_BODY_DEPTH} levels.`);
  return { id, variables: variables as Record<string, unknown>, operationName: params.get('operationName') ?? undefined };
}

/**
 * GET /export/<operation id>.csv, .xlsx or .html?variables=…&operationName=…: the table of a
 * persisted operation's answer (table.ts), streamed. The operation is run by id through the
 * GraphQL endpoint's own pipeline as the caller, once per page, so the export holds exactly
 * what the caller could read page by page, the safelist applies, and each page is audited. A
 * connection is exported across all its pages (its `after` variable set to each page's end
 * cursor, its `first` variable to the largest page when not given).
 * - Refused before anything is written (a GraphQL error body with a code): an unknown id,
 *   bad variables, a mutation, a connection it cannot page, any error in the first page, and a
 *   `totalCount` above the row bound.
 * - Once writing has begun, an error in a later page, or rows beyond the bound, end the
 *   response without its final chunk, so no client takes a cut-short file for a whole one.
 * An answer missing provinces (not registered or unavailable) says so in X-Missing-Provinces.
 */
export function exportRoute(options: ExportOptions): RouteHandler {
  return async (req, res) => {
    const [path, search = ''] = (req.url ?? '/').split('?', 2);
    if (!path.startsWith('/export/') && path !== '/export') return false;
    const requestId = String(res.getHeader('x-request-id') ?? '');
    // Whether the client has gone (closed before the response finished), and when.
    let gone = false;
    const left = new Promise<void>((resolve) =>
      res.once('close', () => {
        gone = !res.writableFinished;
        resolve();
      }),
    );
    const refuse = (status: number, code: string, message: string) =>
      void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
    const match = EXPORT_PATH.exec(path);
    try {
      if (req.method !== 'GET') throw new Refusal(405, 'METHOD_NOT_ALLOWED', 'An export is a GET.');
      if (!match) throw new Refusal(404, 'NOT_FOUND', 'An export URL is /export/<the SHA-256 id of a persisted operation>.csv, .xlsx or .html.');
      const [, id, format] = match as unknown as [string, string, ExportFormat];
      const request = requestOf(id, search);
      const text = await options.documentOf(id);
      if (text === undefined)
        throw new Refusal(
          404,
          'PERSISTED_QUERY_NOT_FOUND',
          `No persisted operation has the id ${id}: use an id of the manifest, or register the operation first (automatic persisted queries).`,
        );
      const shape = tableShape(parse(text) as DocumentNode, request.operationName);
      if (!shape) throw new Refusal(400, 'BAD_REQUEST', 'The document holds several operations: name the one to export with operationName.');
      if (shape.operation.operation !== 'query') throw new Refusal(400, 'BAD_REQUEST', 'Only a query is exported.');
      if ((shape.rows === 'edges' || shape.rows === 'nodes') && !shape.pageable) {
        throw new Refusal(
          400,
          'EXPORT_NOT_PAGEABLE',
          `To export every page, ${shape.field} must take after: $after from a variable and select hasNextPage and endCursor (in pageInfo for an edges connection), unaliased.`,
        );
      }
      const variables = { ...request.variables };
      if (shape.firstVariable && variables[shape.firstVariable] === undefined) variables[shape.firstVariable] = MAX_PAGE_SIZE;
      const runPage = async (vars: Record<string, unknown>): Promise<{ answer: Answer; page?: Page }> => {
        let answer = await options.run(req, requestId, { ...request, variables: vars });
        // A long export meets the caller's rate limit: it waits as asked, a few times, rather than fail half-written.
        for (let tries = 0; answer.status === 429 && tries < RATE_LIMIT_RETRIES && !gone; tries++) {
          await sleep(Math.min(Number(answer.headers['retry-after'] ?? 1), MAX_RETRY_AFTER_SECONDS) * 1000);
          answer = await options.run(req, requestId, { ...request, variables: vars });
        }
        const ok = answer.status === 200 && !answer.result.errors?.length && answer.result.data;
        return { answer, page: ok ? pageOf(shape, answer.result.data) : undefined };
      };
      const first = await runPage(variables);
      if (!first.page) {
        // The caller gets the GraphQL answer itself: its errors say what was wrong, with their codes.
        res.writeHead(first.answer.status === 200 ? 400 : first.answer.status, { ...first.answer.headers, 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(first.answer.result));
        return true;
      }
      const known = Math.max(first.page.totalCount ?? 0, first.page.rows.length);
      if (known > options.maxRows) throw new Refusal(413, 'EXPORT_TOO_LARGE', `The answer has ${known} rows; one export holds at most ${options.maxRows}. Narrow the filter.`);
      if (first.page.more && !first.page.endCursor) throw new Refusal(400, 'EXPORT_NOT_PAGEABLE', `${shape.field} says more pages follow but gives no endCursor to ask for them.`);
      const missing = (first.answer.result.extensions?.missingProvinces as { code: string }[] | undefined) ?? [];
      const name = `${request.operationName ?? shape.operation.name?.value ?? shape.field}.${format}`;
      res.writeHead(200, {
        'content-type': EXPORT_FORMATS[format],
        // The table view is shown, not saved; it runs and loads nothing (its styles are inline).
        ...(format === 'html'
          ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }
          : { 'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"` }),
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
        ...(missing.length ? { 'x-missing-provinces': missing.map((m) => m.code).join(',') } : {}),
      });
      const header = shape.columns.map((c) => columnName(c, shape));
      const writer: TableWriter = format === 'csv' ? csvWriter(res, header) : format === 'xlsx' ? await xlsxWriter(res, header, shape.field) : htmlWriter(res, header, name);
      let page: Page = first.page;
      let written = 0;
      for (;;) {
        if (written + page.rows.length > options.maxRows) return cutShort(`more than ${options.maxRows} rows`);
        // A client that has gone stops the export: no more pages are asked of the provinces.
        await Promise.race([writer.rows(page.rows), left]);
        if (gone) return cutShort('the client went away');
        written += page.rows.length;
        if (!page.more) break;
        const after: string | undefined = page.endCursor;
        if (!after) return cutShort('a page says more follow but gives no endCursor');
        const next = await runPage({ ...variables, [shape.afterVariable!]: after });
        if (!next.page) return cutShort(`a later page failed: ${JSON.stringify(next.answer.result.errors ?? next.answer.status)}`);
        if (next.page.more && next.page.endCursor === after) return cutShort('the cursor did not advance');
        page = next.page;
      }
      await Promise.race([writer.end(), left]);
      if (gone) return cutShort('the client went away');
      options.logger.info({ requestId, id, format, rows: written }, 'export');
      return true;
    } catch (error) {
      if (error instanceof Refusal) {
        refuse(error.status, error.code, error.message);
        return true;
      }
      if (res.headersSent) return cutShort(String(error));
      throw error;
    }

    function cutShort(why: string): true {
      options.logger.warn({ requestId, why }, 'export cut short');
      // Without its final chunk a chunked response is an error to every HTTP/1.1 client. (An
      // HTTP/1.0 hop would see a plain end: put such proxies on HTTP/1.1, as nginx's proxy_http_version.)
      res.destroy();
      return true;
    }
  };
}
