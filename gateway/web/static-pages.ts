import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const require = createRequire(import.meta.url);

/**
 * What the gateway's own pages (the explorer, the dashboard) share: assets from installed
 * packages (so the pages work on an isolated network), and the headers that keep them to this
 * origin.
 */

/** One asset a page loads: how to read it, its type and how long browsers may keep it. */
export interface PageAsset {
  read: () => Buffer;
  type: string;
  cacheControl: string;
}

/** A file inside an installed package (resolved from its package.json: UMD builds are often not in `exports`). */
export function fromPackage(pkg: string, file: string, type: string): PageAsset {
  const path = join(dirname(require.resolve(`${pkg}/package.json`)), file);
  return { read: () => readFileSync(path), type, cacheControl: 'public, max-age=86400' };
}

/** An asset that changes with a deployment under the same URL: revalidated. */
export function ownAsset(read: () => string | Buffer, type: string): PageAsset {
  return { read: () => Buffer.from(read()), type, cacheControl: 'no-cache' };
}

/**
 * What a page may load and who may frame it: scripts, fetches and everything else from this
 * origin only; images and fonts also as data: URIs. Inline styles stay allowed (GraphiQL and
 * ECharts add style attributes at run time), and a style cannot run code.
 */
export const CONTENT_SECURITY_POLICY = [
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

/** Headers of every page response: no MIME sniffing, no referrer (a page URL may carry a query). */
export const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
/** Headers of a page itself: its policy, and no framing for browsers that predate frame-ancestors. */
export const PAGE_HEADERS = { ...COMMON_HEADERS, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-frame-options': 'DENY', 'cache-control': 'no-store' };

/** Serves a GET for one of the assets (read once, then kept); whether it did. */
export function serveAsset(assets: Record<string, PageAsset>, cache: Map<string, Buffer>, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET') return false;
  const path = (req.url ?? '/').split('?')[0];
  const asset = assets[path];
  if (!asset) return false;
  let body = cache.get(path);
  if (!body) cache.set(path, (body = asset.read()));
  res.writeHead(200, { ...COMMON_HEADERS, 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': asset.cacheControl }).end(body);
  return true;
}
