import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteHandler } from '../../common/http.js';
import { REPO_ROOT } from '../../common/subgraphs.js';
import type { Manifest } from '../persisted/manifest.js';
import { fromPackage, ownAsset, PAGE_HEADERS, serveAsset, type PageAsset } from '../web/static-pages.js';

/** The dashboard's page and script (dashboard/, compiled into dist/dashboard by `npm run build`). */
const page = () => readFileSync(join(REPO_ROOT, 'dashboard', 'index.html'));

/**
 * Serves the regional dashboard at /dashboard: its page, script and styles, Apache ECharts from
 * node_modules (nothing from the internet), and the ids of the manifest's dashboard and sharing
 * operations, the only ones the page runs. Without persisted operations the page has nothing to
 * run and says so.
 */
export function dashboardRoute(manifest: Manifest | undefined): RouteHandler {
  const ids = Object.fromEntries((manifest?.operations ?? []).filter((o) => /^(Dashboard|Sharing)/.test(o.name)).map((o) => [o.name, o.id]));
  const assets: Record<string, PageAsset> = {
    '/dashboard/echarts.js': fromPackage('echarts', 'dist/echarts.min.js', 'text/javascript'),
    '/dashboard/app.js': ownAsset(() => readFileSync(join(REPO_ROOT, 'dist', 'dashboard', 'app.js')), 'text/javascript'),
    '/dashboard/app.css': ownAsset(() => readFileSync(join(REPO_ROOT, 'dashboard', 'app.css')), 'text/css'),
    '/dashboard/operations.json': ownAsset(() => JSON.stringify(ids), 'application/json'),
  };
  const cache = new Map<string, Buffer>();
  return (req, res) => {
    if (serveAsset(assets, cache, req, res)) return true;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/dashboard' && path !== '/dashboard/')) return false;
    res.writeHead(200, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(page());
    return true;
  };
}
