import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { DemoStack } from '../demo/demo-stack.js';
import type { Principal, UserRole } from '../common/auth/principal.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { buildManifest, operationId } from '../gateway/persisted/manifest.js';
import { EXAMPLE_OPERATIONS } from '../gateway/explorer/examples.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gatewayOptionsFor, gql, post, principalsOfEveryRole, startTestStack, tokenFor } from './helpers.js';

// Exports of persisted operations: the file's rows equal the paged GraphQL answers of the same
// caller, for every role; bad requests are refused with a code before anything is written.
const PROVINCES = ['310000', '320000', '330000', '510000'];
const PRINCIPALS = principalsOfEveryRole('320000:AG-0000002');
const ASSETS = `query PoolExport($after: String, $first: Int) {
  assets(orderBy: ORIGINAL_VALUE_DESC, first: $first, after: $after) {
    totalCount
    edges { node { id name categoryCode originalValue offeredToPool agency { name } province { code } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const COLUMNS = ['id', 'name', 'categoryCode', 'originalValue', 'offeredToPool', 'agency.name', 'province.code'];
const BREAKDOWN = `query LevelEnergy { energyBreakdown(from: 2024, to: 2025, by: [PROVINCE, AGENCY_LEVEL]) { groups { province agencyLevel year agencyCount withheld kgcePerCapita } } }`;

let stack: DemoStack;
let gateway: RunningGateway;
let small: RunningGateway;
const origin = (g: { url: string }) => new URL(g.url).origin;

beforeAll(async () => {
  // 4 provinces x 13 agencies x 100 asset cards: a list of 5,200 rows.
  stack = await startTestStack({ ...TEST_SCALE, agencies: 13, assetsPerAgency: 100 }, PROVINCES);
  gateway = stack.gateway;
  small = await startGateway(await gatewayOptionsFor(stack, { exportMaxRows: 50 }));
}, 120_000);
afterAll(async () => {
  await small?.stop();
  await stack?.stop();
});

/** Registers an operation by automatic persisted query (its body and SHA-256), as a client does once. */
async function register(url: string, body: string): Promise<string> {
  const id = operationId(body);
  const res = await post(url, { query: body, extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
  expect(res.status).toBe(200);
  return id;
}

const exportOf = (g: { url: string }, id: string, format: 'csv' | 'xlsx', principal: Principal | null, query = '') =>
  fetch(`${origin(g)}/export/${id}.${format}${query}`, { headers: principal ? { authorization: `Bearer ${tokenFor(principal)}` } : {} });

/** The rows of every page of the asset list for a caller, through GraphQL, as the CSV writes them. */
async function pagedRows(principal: Principal | null): Promise<{ rows: string[][]; errors?: unknown }> {
  const rows: string[][] = [];
  for (let after: string | null = null; ;) {
    const r = await gql(gateway.url, ASSETS, { first: 100, after }, { token: principal ? tokenFor(principal) : null });
    if (r.errors) return { rows, errors: r.errors };
    for (const { node } of r.data!.assets.edges) {
      rows.push([node.id, node.name, node.categoryCode, String(node.originalValue), String(node.offeredToPool), node.agency?.name ?? '', node.province.code]);
    }
    if (!r.data!.assets.pageInfo.hasNextPage) return { rows };
    after = r.data!.assets.pageInfo.endCursor;
  }
}

describe("the explorer's examples", () => {
  it("the analyst's six questions each answer in one query for ANALYST; every example is valid", async () => {
    const names = [...EXAMPLE_OPERATIONS.matchAll(/^query (\w+)/gm)].map((m) => m[1]);
    const analyst = names.slice(0, 6);
    expect(analyst).toEqual(['EnergyPerPersonTrend', 'EnergyPerPersonByLevel', 'PoolValueByCategory', 'OfficeSpaceOverStandard', 'CostComponents', 'NewEnergyShare']);
    for (const operationName of names) {
      const mine = analyst.includes(operationName);
      const res = await post(gateway.url, { query: EXAMPLE_OPERATIONS, operationName }, { token: tokenFor(mine ? PRINCIPALS.ANALYST! : PRINCIPALS.NATIONAL_ADMIN!) });
      const body = (await res.json()) as { data?: Record<string, { groups?: unknown[] }>; errors?: { extensions: { code: string } }[] };
      if (mine) {
        expect([operationName, body.errors]).toEqual([operationName, undefined]);
        expect(Object.values(body.data!)[0].groups!.length).toBeGreaterThan(0);
      } else {
        // The dashboard examples name provinces this small stack may not run (安徽 has not joined): valid, and answered.
        expect([operationName, (body.errors ?? []).filter((e) => e.extensions.code !== 'PROVINCE_NOT_REGISTERED')]).toEqual([operationName, []]);
      }
    }
  });
});

describe('CSV and XLSX exports of persisted operations', () => {
  let assetsId: string;
  beforeAll(async () => {
    assetsId = await register(gateway.url, ASSETS);
  });

  it('the CSV of a 5,000-row list equals the rows of the paged GraphQL answers', async () => {
    const [res, expected] = await Promise.all([exportOf(gateway, assetsId, 'csv', PRINCIPALS.NATIONAL_ADMIN), pagedRows(PRINCIPALS.NATIONAL_ADMIN)]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="PoolExport.csv"');
    const bytes = Buffer.from(await res.arrayBuffer());
    // A UTF-8 byte-order mark first, so spreadsheet programs read the Chinese text as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes, { bom: true }) as string[][];
    expect(header).toEqual(COLUMNS);
    expect(expected.rows.length).toBeGreaterThanOrEqual(5000);
    expect(rows).toEqual(expected.rows);
  });

  it('the XLSX opens with the same cells (read back with exceljs)', async () => {
    const res = await exportOf(gateway, assetsId, 'xlsx', PRINCIPALS.NATIONAL_ADMIN);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('assets');
    const cells: string[][] = [];
    sheet.eachRow((row) => cells.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    const expected = await pagedRows(PRINCIPALS.NATIONAL_ADMIN);
    expect(cells[0]).toEqual(COLUMNS);
    expect(cells.slice(1)).toEqual(expected.rows);
    // Numbers stay numbers, so a spreadsheet sums them.
    expect(typeof sheet.getRow(2).getCell(4).value).toBe('number');
  });

  it.each(Object.entries(PRINCIPALS) as [UserRole, Principal | null][])('%s exports exactly what it may read page by page, and nothing else', async (_, principal) => {
    const [res, expected] = await Promise.all([exportOf(gateway, assetsId, 'csv', principal), pagedRows(principal)]);
    if (expected.errors) {
      // Refused as the GraphQL answer is: the same codes, no file.
      expect(res.status).not.toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).toEqual((expected.errors as { extensions: { code: string } }[]).map((e) => e.extensions.code));
      return;
    }
    expect(res.status).toBe(200);
    const [, ...rows] = parseCsv(await res.text(), { bom: true }) as string[][];
    expect(rows).toEqual(expected.rows);
  });

  it("exports a breakdown's groups, withheld ones with empty figures", async () => {
    const id = await register(gateway.url, BREAKDOWN);
    const res = await exportOf(gateway, id, 'csv', PRINCIPALS.ANALYST);
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(await res.text(), { bom: true }) as string[][];
    expect(header).toEqual(['province', 'agencyLevel', 'year', 'agencyCount', 'withheld', 'kgcePerCapita']);
    const r = await gql(gateway.url, BREAKDOWN, undefined, { token: tokenFor(PRINCIPALS.ANALYST!) });
    const groups = r.data!.energyBreakdown.groups as Record<string, unknown>[];
    expect(rows).toEqual(groups.map((g) => header.map((h) => (g[h] === null ? '' : String(g[h])))));
    expect(rows.some((row) => row[4] !== '' && row[5] === '')).toBe(true);
  });

  it('refuses, with a code and before writing anything, what it cannot export whole', async () => {
    const codeOf = async (res: Response) => [res.status, ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code];
    const admin = PRINCIPALS.NATIONAL_ADMIN;
    expect(await codeOf(await exportOf(gateway, 'f'.repeat(64), 'csv', admin))).toEqual([404, 'PERSISTED_QUERY_NOT_FOUND']);
    expect(await codeOf(await fetch(`${origin(gateway)}/export/${assetsId}.pdf`))).toEqual([404, 'NOT_FOUND']);
    expect(await codeOf(await exportOf(gateway, assetsId, 'csv', admin, '?variables=%7Bnot-json'))).toEqual([400, 'BAD_REQUEST']);
    expect(await codeOf(await exportOf(gateway, assetsId, 'csv', admin, '?variables=%5B1%5D'))).toEqual([400, 'BAD_REQUEST']);
    const onePage = await register(gateway.url, 'query OnePage { assets(first: 5) { edges { node { id } } pageInfo { hasNextPage endCursor } } }');
    expect(await codeOf(await exportOf(gateway, onePage, 'csv', admin))).toEqual([400, 'EXPORT_NOT_PAGEABLE']);
    // A gateway bounding exports at 50 rows: a list that says it has more is refused whole.
    expect(await codeOf(await exportOf(small, await register(small.url, ASSETS), 'csv', admin))).toEqual([413, 'EXPORT_TOO_LARGE']);
    // Without a totalCount the bound is found while writing: the response is cut off without its last chunk, never a whole-looking file.
    const uncounted = await register(small.url, ASSETS.replace('totalCount', ''));
    expect(await codeOf(await exportOf(small, uncounted, 'csv', admin))).toEqual([413, 'EXPORT_TOO_LARGE']);
    const cut = await exportOf(small, uncounted, 'csv', admin, `?variables=${encodeURIComponent('{"first":30}')}`);
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    // A page that says more follow but cannot say where (first: 0) is refused, never looped on.
    expect(await codeOf(await exportOf(gateway, assetsId, 'csv', admin, `?variables=${encodeURIComponent('{"first":0}')}`))).toEqual([400, 'EXPORT_NOT_PAGEABLE']);
    const deep = encodeURIComponent(JSON.stringify({ first: 5, x: JSON.parse('['.repeat(80) + ']'.repeat(80)) }));
    expect(await codeOf(await exportOf(gateway, assetsId, 'csv', admin, `?variables=${deep}`))).toEqual([400, 'BAD_REQUEST']);
    // Bad variables reach GraphQL's own validation, and its answer comes back as it is.
    const bad = await exportOf(gateway, assetsId, 'csv', admin, `?variables=${encodeURIComponent(JSON.stringify({ first: 'many' }))}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).not.toMatch(/select|sqlite|stack/i);
  });

  it('a client that goes away stops the export: no more pages are asked of the provinces', async () => {
    const statements = () => [...stack.databases.values()].reduce((n, d) => n + d.statements(), 0);
    const abort = new AbortController();
    const res = await fetch(`${origin(gateway)}/export/${assetsId}.csv?variables=${encodeURIComponent('{"first":5}')}`, {
      headers: { authorization: `Bearer ${tokenFor(PRINCIPALS.NATIONAL_ADMIN!)}` },
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await new Promise((r) => setTimeout(r, 300));
    const after = statements();
    await new Promise((r) => setTimeout(r, 700));
    // At 5 rows a page, a whole export would take over a thousand pages; it stopped at the hang-up.
    expect(statements()).toBe(after);
  });

  it('under a safelist, a role that may not explore exports the manifest operations only', async () => {
    const manifest = buildManifest([BREAKDOWN]);
    const listed = await startGateway(await gatewayOptionsFor(stack, { persistedOperations: { manifest, safelist: true } }));
    try {
      const ok = await exportOf(listed, manifest.operations[0].id, 'csv', null);
      expect(ok.status).toBe(200);
      const id = await register(listed.url, ASSETS);
      const refused = await exportOf(listed, id, 'csv', null);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('OPERATION_NOT_SAFELISTED');
    } finally {
      await listed.stop();
    }
  });
});
