import type { RouteHandler } from '../../common/http.js';
import { EXAMPLE_OPERATIONS } from './examples.js';
import { fromPackage, ownAsset, PAGE_HEADERS, serveAsset, type PageAsset } from '../web/static-pages.js';

/** Browser assets: GraphiQL and React from node_modules (so the explorer works on an isolated network) and the page's own script and styles. */
const ASSETS: Record<string, PageAsset> = {
  '/explorer/react.js': fromPackage('react', 'umd/react.production.min.js', 'text/javascript'),
  '/explorer/react-dom.js': fromPackage('react-dom', 'umd/react-dom.production.min.js', 'text/javascript'),
  '/explorer/graphiql.js': fromPackage('graphiql', 'graphiql.min.js', 'text/javascript'),
  '/explorer/graphiql.css': fromPackage('graphiql', 'graphiql.min.css', 'text/css'),
  '/explorer/app.js': ownAsset(script, 'text/javascript'),
  '/explorer/app.css': ownAsset(() => STYLES, 'text/css'),
};

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
const auth = () => (token() ? { authorization: 'Bearer ' + token() } : {});
// The query last run: what the download and table buttons export (never a mutation, which an
// export would run again).
let last = null;
const isQuery = (params) => {
  const text = params.query.replace(/#[^\\n]*/g, '');
  const named = params.operationName && [...text.matchAll(/\\b(query|mutation|subscription)\\s+(\\w+)/g)].find((m) => m[2] === params.operationName);
  const kind = named ? named[1] : (/^\\s*(query|mutation|subscription)?/.exec(text)[1] || 'query');
  return kind === 'query';
};
const note = document.getElementById('export-note');
const render = () => {
  const base = GraphiQL.createFetcher({ url: location.origin + '/graphql', headers: auth() });
  const fetcher = (params, options) => {
    if (params.operationName !== 'IntrospectionQuery' && isQuery(params)) last = params;
    return base(params, options);
  };
  root.render(React.createElement(GraphiQL, { key: token(), fetcher, defaultQuery: ${JSON.stringify(EXAMPLE_OPERATIONS)}, defaultEditorToolsVisibility: true }));
};
// An export runs the operation by its persisted id (safelist-compatible): registered first as an
// automatic persisted query, then fetched from /export/<id>.<format> with the same token.
async function exportLast(format) {
  if (!last) return void (note.textContent = 'Run an operation first: the export is its answer, every page of it.');
  if (!crypto.subtle) return void (note.textContent = 'Exports need HTTPS (or localhost), where the browser can hash the operation.');
  note.textContent = 'exporting…';
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(last.query));
  const id = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const params = new URLSearchParams();
  if (last.variables && Object.keys(last.variables).length) params.set('variables', JSON.stringify(last.variables));
  if (last.operationName) params.set('operationName', last.operationName);
  const exportIt = () => fetch('/export/' + id + '.' + format + '?' + params, { headers: auth() });
  let res = await exportIt();
  const failure = async (r) => {
    const body = await r.json().catch(() => null);
    return { code: body && body.errors && body.errors[0] && body.errors[0].extensions && body.errors[0].extensions.code, message: (body && body.errors && body.errors[0] && body.errors[0].message) || 'export failed: ' + r.status };
  };
  if (!res.ok) {
    let why = await failure(res);
    // Not persisted yet: register it as an automatic persisted query (which runs it once), then export.
    if (why.code === 'PERSISTED_QUERY_NOT_FOUND') {
      const register = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth() },
        body: JSON.stringify({ query: last.query, variables: last.variables, operationName: last.operationName, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
      });
      if (!register.ok) return void (note.textContent = 'The operation did not run: ' + register.status);
      res = await exportIt();
      if (!res.ok) why = await failure(res);
    }
    if (!res.ok) return void (note.textContent = why.message);
  }
  const missing = res.headers.get('x-missing-provinces');
  const url = URL.createObjectURL(await res.blob());
  if (format === 'html') window.open(url, '_blank', 'noopener');
  else {
    const a = document.createElement('a');
    a.href = url;
    a.download = (last.operationName || 'export') + '.' + format;
    a.click();
  }
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  note.textContent = missing ? 'Not in the export (not joined or not answering): ' + missing : '';
}
for (const button of document.querySelectorAll('[data-export]')) {
  button.addEventListener('click', () => exportLast(button.dataset.export).catch((e) => (note.textContent = String(e))));
}
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
.exports{margin-left:auto;display:flex;gap:6px;align-items:center}
#export-note{color:#92400e}
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
  <span class="exports">
    <button type="button" data-export="html" title="The last answer, every page, as a table in a new tab">⊞ Table</button>
    <button type="button" data-export="csv" title="Download the last answer, every page, as CSV">⤓ CSV</button>
    <button type="button" data-export="xlsx" title="Download the last answer, every page, as XLSX">⤓ XLSX</button>
    <span id="export-note"></span>
  </span>
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
 * Serves a self-hosted GraphiQL at the GraphQL URL for browsers (GET with Accept: text/html)
 * and its bundled assets. Apollo's default landing page loads from a CDN, which an isolated
 * government network cannot reach.
 */
export function explorerRoute(): RouteHandler {
  const html = page();
  const cache = new Map<string, Buffer>();
  return (req, res) => {
    if (serveAsset(ASSETS, cache, req, res)) return true;
    if (req.method !== 'GET') return false;
    const path = (req.url ?? '/').split('?')[0];
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if ((path === '/graphql' || path === '/') && wantsHtml && !(req.url ?? '').includes('query=')) {
      res.writeHead(200, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(html);
      return true;
    }
    return false;
  };
}
