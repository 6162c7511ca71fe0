import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { DemoStack } from '../demo/demo-stack.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { readManifest } from '../gateway/persisted/manifest.js';
import { REPO_ROOT } from '../common/subgraphs.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, launchChromium, startTestStack } from './helpers.js';

// A dashboard served from another origin calls a persisted operation by id, in a real browser.
const manifest = readManifest(join(REPO_ROOT, 'deploy', 'persisted-operations.json'));
const overview = manifest.operations.find((o) => o.name === 'DashboardRegionOverview')!;
const energy = manifest.operations.find((o) => o.name === 'DashboardRegionEnergy')!;

let stack: DemoStack;
let gateway: RunningGateway;
let browser: Browser;
const pages: Server[] = [];
let allowed: string;
let other: string;

/** A page server on its own port: its own origin. */
async function pageServer(): Promise<string> {
  const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>dashboard</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pages.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000', '320000', '500000', '510000']);
  [allowed, other] = [await pageServer(), await pageServer()];
  gateway = await startGateway(
    await gatewayOptionsFor(stack, { corsOrigins: [allowed], persistedOperations: { manifest, safelist: true }, responseCache: { ttlSeconds: 60, maxEntries: 100 } }),
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await stack?.stop();
  for (const s of pages) await new Promise((resolve) => s.close(resolve));
});

/** In a page of `origin`: a persisted operation by GET, then again with the ETag it got. */
async function callFrom(origin: string) {
  const page = await browser.newPage();
  try {
    await page.goto(origin);
    const url = `${gateway.url}?${new URLSearchParams({
      operationName: overview.name,
      variables: JSON.stringify({ region: 'YRD' }),
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: overview.id } }),
    })}`;
    return await page.evaluate(async (target) => {
      try {
        const first = await fetch(target, { headers: { 'apollo-require-preflight': 'true' } });
        const body = (await first.json()) as { data?: unknown; errors?: unknown };
        const etag = first.headers.get('etag');
        const again = await fetch(target, { headers: { 'apollo-require-preflight': 'true', 'if-none-match': etag ?? '' } });
        return {
          status: first.status,
          hasData: Boolean(body.data),
          errors: body.errors ?? null,
          etag,
          againStatus: again.status,
          againBody: await again.text(),
          age: again.headers.get('age'),
        };
      } catch (error) {
        return { blocked: String(error) };
      }
    }, url);
  } finally {
    await page.close();
  }
}

describe('browser access for dashboards on other origins', () => {
  it('a page on an allowed origin runs a persisted operation by id; an unchanged answer is 304 with no body', async () => {
    const r = await callFrom(allowed);
    expect(r).toMatchObject({ status: 200, hasData: true, errors: null, againStatus: 304, againBody: '' });
    expect(r.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it('a page on any other origin is refused by the browser', async () => {
    expect(await callFrom(other)).toEqual({ blocked: expect.stringContaining('Failed to fetch') });
  });

  it('preflight: answered for an allowed origin, refused (403, no allow header) for others', async () => {
    const preflight = (origin: string) =>
      fetch(gateway.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'apollo-require-preflight' } });
    const ok = await preflight(allowed);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-headers')).toContain('apollo-require-preflight');
    const refused = await preflight(other);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a cached answer carries its Age', async () => {
    // 川渝's energy by id, both members joined (answers that read the live sharing workflows, or carry errors, are never cached).
    const body = JSON.stringify({ operationName: energy.name, variables: { region: 'CY', year: 2025 }, extensions: { persistedQuery: { version: 1, sha256Hash: energy.id } } });
    const post = () => fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const first = await post();
    expect(first.headers.get('x-xietong-cache')).toBe('miss');
    await new Promise((r) => setTimeout(r, 1100));
    const second = await post();
    expect(second.headers.get('x-xietong-cache')).toBe('hit');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(1);
  });
});
