import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RouteHandler } from '../../common/http.js';
import { EXAMPLE_OPERATIONS } from './examples.js';

const require = createRequire(import.meta.url);
/** A file inside an installed package (resolved from its package.json: the UMD builds are not in `exports`). */
const packageFile = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

/** Browser assets: GraphiQL and React from node_modules (so the explorer works on an isolated network) and the page's own script and styles. */
const ASSETS: Record<string, { read: () => Buffer; type: string; cacheControl: string }> = {
  '/explorer/react.js': fromPackage('react', 'umd/react.production.min.js', 'text/javascript'),
  '/explorer/react-dom.js': fromPackage('react-dom', 'umd/react-dom.production.min.js', 'text/javascript'),
  '/explorer/graphiql.js': fromPackage('graphiql', 'graphiql.min.js', 'text/javascript'),
  '/explorer/graphiql.css': fromPackage('graphiql', 'graphiql.min.css', 'text/css'),
  // Revalidated: they change with a deployment, under the same URL.
  '/explorer/app.js': { read: () => Buffer.from(script()), type: 'text/javascript', cacheControl: 'no-cache' },
  '/explorer/app.css': { read: () => Buffer.from(STYLES), type: 'text/css', cacheControl: 'no-cache' },
};

function fromPackage(pkg: string, file: string, type: string) {
  return { read: () => readFileSync(packageFile(pkg, file)), type, cacheControl: 'public, max-age=86400' };
}

/**
 * The page's own script. It is a file, not an inline <script>, so the Content-Security-Policy
 * can allow scripts from this origin only: markup injected into the page (GraphiQL renders
 * schema descriptions as HTML) cannot run.
 */
function script(): string {
  return `// The token lives in this tab only (sessionStorage) and goes out as an Authorization header.
const form = document.getElementById('signin');
const input = document.getElementById('token');
const who = document.getElementById('who');
const token = () => sessionStorage.getItem('xietong-token') || '';
const describe = () => {
  const t = token();
  if (!t) return;
  try {
    const claims = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    who.textContent = 'signed in as ' + claims.sub + ' (' + claims.role + ')';
  } catch { who.textContent = 'token set'; }
};
const render = () => {
  const headers = token() ? { authorization: 'Bearer ' + token() } : {};
  const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql', headers });
  root.render(React.createElement(GraphiQL, { key: token(), fetcher, defaultQuery: ${JSON.stringify(EXAMPLE_OPERATIONS)}, defaultEditorToolsVisibility: true }));
};
form.addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('xietong-token', input.value.trim());
  input.value = '';
  describe();
  render();
});
const root = ReactDOM.createRoot(document.getElementById('explorer'));
describe();
render();
`;
}

const STYLES = `body{margin:0;height:100vh;display:flex;flex-direction:column;font-family:system-ui,sans-serif}
#signin{display:flex;gap:8px;align-items:center;padding:6px 12px;background:#f3f4f6;border-bottom:1px solid #ddd;font-size:13px}
#signin input{flex:1;max-width:520px;font-family:monospace}
#explorer{flex:1;min-height:0}
`;

function page(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Xietong 协同 · GraphQL explorer</title>
<link rel="stylesheet" href="/explorer/graphiql.css">
<link rel="stylesheet" href="/explorer/app.css">
</head>
<body>
<form id="signin">
  <label for="token">Token</label>
  <input id="token" name="token" type="password" placeholder="paste a bearer token (npm run token -- --role ANALYST); anonymous without one" autocomplete="off">
  <button type="submit">Use token</button>
  <span id="who">anonymous: directory and published aggregates only</span>
</form>
<div id="explorer">Loading the explorer…</div>
<script src="/explorer/react.js"></script>
<script src="/explorer/react-dom.js"></script>
<script src="/explorer/graphiql.js"></script>
<script src="/explorer/app.js"></script>
</body>
</html>`;
}

/**
 * What the explorer page may load and who may frame it. Scripts, fetches and everything else
 * only from this origin; images and fonts also as data: URIs (graphiql.css embeds its fonts and
 * icons). Inline styles stay allowed: GraphiQL's menus add <style> elements at run time
 * (react-remove-scroll), and a style cannot run code.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every explorer response: no MIME sniffing, no referrer (the page URL may carry a query). */
const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
/** Headers of the page itself: its policy, and no framing for browsers that predate frame-ancestors. */
const PAGE_HEADERS = { ...COMMON_HEADERS, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-frame-options': 'DENY', 'cache-control': 'no-store' };

/**
 * Serves a self-hosted GraphiQL at the GraphQL URL for browsers (GET with Accept: text/html)
 * and its bundled assets. Apollo's default landing page loads from a CDN, which an isolated
 * government network cannot reach.
 */
export function explorerRoute(): RouteHandler {
  const html = page();
  const cache = new Map<string, Buffer>();
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const path = (req.url ?? '/').split('?')[0];
    const asset = ASSETS[path];
    if (asset) {
      let body = cache.get(path);
      if (!body) cache.set(path, (body = asset.read()));
      res.writeHead(200, { ...COMMON_HEADERS, 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': asset.cacheControl }).end(body);
      return true;
    }
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if ((path === '/graphql' || path === '/') && wantsHtml && !(req.url ?? '').includes('query=')) {
      res.writeHead(200, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(html);
      return true;
    }
    return false;
  };
}
