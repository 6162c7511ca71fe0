import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RouteHandler } from '../../common/http.js';
import { EXAMPLE_OPERATIONS } from './examples.js';

const require = createRequire(import.meta.url);
/** A file inside an installed package (resolved from its package.json: the UMD builds are not in `exports`). */
const packageFile = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

/** Browser assets served from node_modules, so the explorer works on an isolated network. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/explorer/react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  '/explorer/react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  '/explorer/graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  '/explorer/graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

function page(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Xietong 协同 · GraphQL explorer</title>
<link rel="stylesheet" href="/explorer/graphiql.css">
<style>
  body{margin:0;height:100vh;display:flex;flex-direction:column;font-family:system-ui,sans-serif}
  #signin{display:flex;gap:8px;align-items:center;padding:6px 12px;background:#f3f4f6;border-bottom:1px solid #ddd;font-size:13px}
  #signin input{flex:1;max-width:520px;font-family:monospace}
  #explorer{flex:1;min-height:0}
</style>
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
<script>
  // The token lives in this tab only (sessionStorage) and goes out as an Authorization header.
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
</script>
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
    if (req.method !== 'GET') return false;
    const path = (req.url ?? '/').split('?')[0];
    const asset = ASSETS[path];
    if (asset) {
      let body = cache.get(path);
      if (!body) cache.set(path, (body = readFileSync(asset.file)));
      res.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=86400' }).end(body);
      return true;
    }
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if ((path === '/graphql' || path === '/') && wantsHtml && !(req.url ?? '').includes('query=')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return true;
    }
    return false;
  };
}
