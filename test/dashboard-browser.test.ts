import { readRegions } from '../common/regions/region-file.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../common/subgraphs.js';
import { readManifest } from '../gateway/persisted/manifest.js';
import { startGateway } from '../gateway/server.js';
import { startDemoStack, type DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, gql, launchChromium, TEST_KEYS, TEST_SAGA, tokenFor } from './helpers.js';

// The regional dashboard in Debian's Chromium, against a stack whose gateway runs only
// persisted operations for roles that may not explore (the safelist, as in production).
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const manifest = readManifest(join(REPO_ROOT, 'deploy', 'persisted-operations.json'));
const COORDINATOR = { sub: 'dashboard-coordinator', role: 'REGION_COORDINATOR' as const, region: 'YRD' };
let stack: DemoStack;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startDemoStack({
    scale: TEST_SCALE,
    basePort: 0,
    provinces: ['310000', '320000', '340000'],
    keys: TEST_KEYS,
    saga: TEST_SAGA,
    subgraphTimeoutMs: 3000,
    persistedOperations: { manifest, safelist: true },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Opens the dashboard of a gateway, signed in as the coordinator, refreshing every second; every request the page makes is recorded. */
async function open(url: string): Promise<{ page: Page; outside: string[]; errors: string[]; cacheHits: () => number }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const origin = new URL(url).origin;
  const outside: string[] = [];
  const errors: string[] = [];
  let hits = 0;
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  page.on('response', (r) => {
    if (r.headers()['x-xietong-cache'] === 'hit') hits++;
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/dashboard?refresh=1`);
  await page.fill('#token', tokenFor(COORDINATOR));
  await page.click('#signin button');
  await page.waitForFunction(() => document.querySelectorAll('#energy-table tbody tr').length === 3, undefined, { timeout: 20_000 });
  return { page, outside, errors, cacheHits: () => hits };
}

describe('the regional dashboard', () => {
  it('draws the real figures of the region, the pool and the queues, in Chinese, from persisted operations only', async () => {
    const { page, outside, errors } = await open(stack.gateway.url);
    const asCoordinator = { token: tokenFor(COORDINATOR) };
    // The figures the page shows are the GraphQL answers (asked here as the same coordinator, with the explorer's rights).
    const energy = await gql(
      stack.gateway.url.replace('/graphql', '/graphql'),
      'query { region(code: "YRD") { provinces { name energySummary(year: 2025) { kgcePerCapita kgcePerArea } } } }',
      {},
      asCoordinator,
    );
    const expected = (energy.data!.region.provinces as { name: string; energySummary: { kgcePerCapita: number; kgcePerArea: number } | null }[])
      .filter((p) => p.energySummary)
      .sort((a, b) => b.energySummary!.kgcePerCapita - a.energySummary!.kgcePerCapita)
      .map((p) => [p.name, p.energySummary!.kgcePerCapita.toFixed(2), p.energySummary!.kgcePerArea.toFixed(2)]);
    const shown = await page.$$eval('#energy-table tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent)));
    expect(shown).toEqual(expected);
    const summary = await gql(
      stack.gateway.url,
      'query { assetSummary(scope: { region: "YRD" }) { pooledCount pooledOriginalValue } vehicleSummary(scope: { region: "YRD" }) { vehicleCount } }',
      {},
      asCoordinator,
    );
    await page.waitForFunction((n) => document.querySelector('[data-figure="vehicleCount"]')?.textContent === String(n), summary.data!.vehicleSummary.vehicleCount);
    const pool = await page.textContent('[data-figure="pool"]');
    expect(pool).toContain(`${summary.data!.assetSummary.pooledCount} 件`);
    expect(pool).toContain(summary.data!.assetSummary.pooledOriginalValue.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    // The pool table pages and links to its assets.
    expect(await page.$$eval('#pool-table tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    await page.click('#pool-table tbody tr a');
    await page.waitForFunction(() => !document.getElementById('asset-detail')!.hidden && document.getElementById('asset-detail')!.textContent!.includes('原值'));
    // Filtered by value: every row at least the bound.
    await page.fill('#min-value', '3000');
    await page.click('#pool-filter button');
    await page.waitForFunction(
      () => {
        const values = Array.from(document.querySelectorAll('#pool-table tbody tr td:nth-child(3)'), (td) => Number(td.textContent!.replace(/,/g, '')));
        return values.length > 0 && values.every((v) => v >= 3000);
      },
      undefined,
      { timeout: 20_000 },
    );
    // Chinese text has a font to render with (installed by npm test's preparation when missing).
    expect(await page.evaluate(() => document.fonts.check('16px "WenQuanYi Zen Hei"'))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('names a stopped province in a banner while the others still draw, and drops it when the province returns', async () => {
    const { page, outside, errors } = await open(stack.gateway.url);
    // The region picker lists the directory's regions (deploy/regions.json), not a list in the page.
    await page.waitForFunction(() => document.querySelectorAll('#region option').length > 0, undefined, { timeout: 20_000 });
    expect(await page.$$eval('#region option', (options) => options.map((o) => [(o as HTMLOptionElement).value, o.textContent]))).toEqual(
      readRegions().map((r) => [r.code, r.name]),
    );
    await stack.stopProvince('320000');
    try {
      await page.waitForFunction(() => !document.getElementById('banner')!.hidden && document.getElementById('banner')!.textContent!.includes('江苏省 (320000)'), undefined, {
        timeout: 20_000,
      });
      // The other two provinces still draw, and the status panel says which one is down.
      await page.waitForFunction(() => document.querySelectorAll('#energy-table tbody tr').length === 2, undefined, { timeout: 20_000 });
      await page.waitForFunction(() => document.querySelector('#status-table tr[data-province="320000"]')?.getAttribute('data-up') === 'false', undefined, { timeout: 20_000 });
      expect(await page.getAttribute('#status-table tr[data-province="310000"]', 'data-up')).toBe('true');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-province-down.png'), fullPage: true });
    } finally {
      await stack.restartProvince('320000');
    }
    // 江苏 is back; 浙江, a member of 长三角 that has not joined this stack, stays named as such.
    await page.waitForFunction(
      () => {
        const banner = document.getElementById('banner')!.textContent!;
        return (
          !banner.includes('江苏省 (320000)') &&
          banner.includes('尚未接入') &&
          banner.includes('浙江省 (330000)') &&
          document.querySelectorAll('#energy-table tbody tr').length === 3
        );
      },
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => document.querySelector('#status-table tr[data-province="320000"]')?.getAttribute('data-up') === 'true', undefined, { timeout: 20_000 });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('keeps working when the gateway answers it from the response cache', async () => {
    const cached = await startGateway(await gatewayOptionsFor(stack, { responseCache: { ttlSeconds: 60, maxEntries: 100 }, persistedOperations: { manifest, safelist: true } }));
    try {
      const { page, errors, cacheHits } = await open(cached.url);
      const refreshed = Number(await page.getAttribute('body', 'data-refreshed'));
      await page.waitForFunction((n) => Number(document.body.dataset.refreshed) >= n + 2, refreshed, { timeout: 20_000 });
      expect(cacheHits()).toBeGreaterThan(0);
      expect(await page.$$eval('#energy-table tbody tr', (rows) => rows.length)).toBe(3);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await cached.stop();
    }
  });
});
