import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../../common/http.js';

/** The request headers a dashboard sends: auth, JSON, Apollo's CSRF-prevention header, its request id, a conditional GET. */
const ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id, if-none-match';
/** The response headers a dashboard may read. */
const EXPOSED_HEADERS = 'etag, age, x-request-id, x-xietong-cache, retry-after, content-disposition, x-missing-provinces';

/**
 * Browser access for dashboards on other origins: only the configured origins (exact
 * `scheme://host[:port]`, none by default) are allowed. A preflight from one is answered (204);
 * from any other it is refused (403) and no allow header is ever sent, so the browser blocks the
 * call. Answers to allowed origins carry the allow headers; every answer varies by Origin.
 * Credentials are bearer tokens in a header, never cookies, so none are allowed.
 */
export function corsRoute(origins: readonly string[]): RouteHandler {
  const allowed = new Set(origins);
  return (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    res.setHeader('vary', 'Origin');
    if (!origin) return false;
    const path = (req.url ?? '/').split('?')[0];
    // The GraphQL endpoint and the exports of its persisted operations.
    const graphql = path === '/graphql' || path === '/' || path.startsWith('/export/');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (!graphql || !allowed.has(origin)) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'origin not allowed' }));
        return true;
      }
      res
        .writeHead(204, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': '600',
        })
        .end();
      return true;
    }
    if (graphql && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    }
    return false;
  };
}
