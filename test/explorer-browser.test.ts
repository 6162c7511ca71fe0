import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { launchChromium, startTestStack, tokenFor } from './helpers.js';

// A real browser (Debian's Chromium) loads the explorer from the gateway and runs an example.
let stack: DemoStack;
let browser: Browser;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000', '320000', '330000', '340000']);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('the explorer loads with no outside network and runs an example operation', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(new URL(stack.gateway.url).origin) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(stack.gateway.url);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
  // Anonymous: aggregates only, so the pool of idle assets is refused.
  await page.click('.graphiql-execute-button');
  await page.getByRole('menuitem', { name: 'IdleAssetPool' }).click();
  await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('FORBIDDEN'), undefined, { timeout: 20_000 });

  // Signed in as a regional coordinator: the pool comes back, and the schema docs load (introspection).
  await page.fill('#token', tokenFor({ role: 'REGION_COORDINATOR', region: 'YRD', sub: 'coordinator-yrd' }));
  await page.click('#signin button');
  await page.waitForFunction(() => document.getElementById('who')?.textContent?.includes('REGION_COORDINATOR'));
  await page.waitForSelector('.graphiql-execute-button');
  await page.click('.graphiql-execute-button');
  await page.getByRole('menuitem', { name: 'IdleAssetPool' }).click();
  await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('originalValue'), undefined, { timeout: 20_000 });
  const result = await page.locator('.result-window').innerText();
  expect(result).toContain('totalCount');
  expect(result).not.toContain('"errors"');
  const totalCount = Number(/"totalCount": (\d+)/.exec(result)![1]);

  // The last answer, every page of it: downloaded as CSV, and shown as a table in a new tab.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="csv"]')]);
  expect(download.suggestedFilename()).toBe('IdleAssetPool.csv');
  const csv = readFileSync((await download.path())!, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(csv[0]).toBe('id,name,categoryCode,originalValue,netValue,province.name,holder.agencyName,holder.agencyLevel');
  expect(csv.length - 1).toBe(totalCount);
  const [table] = await Promise.all([page.context().waitForEvent('page'), page.click('[data-export="html"]')]);
  await table.waitForSelector('table');
  expect(await table.locator('tbody tr').count()).toBe(totalCount);
  await table.close();
  expect(await page.locator('#export-note').innerText()).toBe('');

  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector('text=Root Types', { timeout: 20_000 });
  await page.screenshot({ path: join(tmpdir(), 'xietong-explorer.png') });
  expect(pageErrors).toEqual([]);
  expect(outside).toEqual([]);
});
