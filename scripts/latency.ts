/**
 * `npm run latency [-- URL] [--runs N] [--token JWT]`: times dashboard queries against a running
 * gateway, one scoped to a province on each database product, and prints p50/p95/max per query.
 * The token (or XIETONG_TOKEN) must see rows everywhere: `npm run token -- --role NATIONAL_ADMIN`.
 * A benchmark script, not a test: it prints figures and asserts nothing but "no errors".
 */
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '50' }, token: { type: 'string' } } });
const token = values.token ?? process.env.XIETONG_TOKEN;
const url = positionals[0] ?? 'http://127.0.0.1:4000/graphql';
const runs = Number(values.runs);

const IDLE_PAGE = (after: string | null) =>
  `{ assets(filter: { region: "YRD", status: IDLE }, orderBy: ORIGINAL_VALUE_DESC, first: 20${after ? `, after: ${JSON.stringify(after)}` : ''}) { edges { node { id originalValue } } pageInfo { endCursor } } }`;

const QUERIES: [string, string][] = [
  ['energy summary, 上海 (PostgreSQL)', '{ energySummary(year: 2025, scope: { province: "310000" }) { totalKgce kgcePerCapita } }'],
  ['energy summary, 浙江 (MariaDB)', '{ energySummary(year: 2025, scope: { province: "330000" }) { totalKgce kgcePerCapita } }'],
  ['energy summary, 安徽 (SQLite)', '{ energySummary(year: 2025, scope: { province: "340000" }) { totalKgce kgcePerCapita } }'],
  [
    'region energy ranking, 长三角 (all three)',
    '{ region(code: "YRD") { provinces { name energySummary(year: 2025) { kgcePerCapita } } energySummary(year: 2025) { kgcePerCapita } } }',
  ],
  [
    '20 idle assets of highest value, 长三角',
    '{ assets(filter: { region: "YRD", status: IDLE }, orderBy: ORIGINAL_VALUE_DESC, first: 20) { edges { node { id originalValue } } pageInfo { endCursor } } }',
  ],
  ['asset page by id, 上海 (PostgreSQL)', '{ assets(filter: { province: "310000" }, first: 20) { edges { node { id name agency { name } building { name } } } } }'],
  ['asset page by id, 浙江 (MariaDB)', '{ assets(filter: { province: "330000" }, first: 20) { edges { node { id name agency { name } building { name } } } } }'],
  ['asset page by id, 安徽 (SQLite)', '{ assets(filter: { province: "340000" }, first: 20) { edges { node { id name agency { name } building { name } } } } }'],
];

/** What the paged query reads of an answer (the other queries are only timed). */
interface PageAnswer {
  assets?: { pageInfo: { endCursor: string | null } };
}

interface Answer {
  data: PageAnswer;
  errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

/** One timed request. A refusal by the gateway's fair-use budget is waited out as it asks and sent again, untimed. */
async function ask(query: string): Promise<{ ms: number; data: PageAnswer }> {
  for (;;) {
    const started = process.hrtime.bigint();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as Answer;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const limited = body.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
    if (limited) {
      await new Promise((r) => setTimeout(r, (limited.extensions!.retryAfterSeconds ?? 1) * 1000));
      continue;
    }
    if (body.errors) throw new Error(`errors: ${JSON.stringify(body.errors)}`);
    return { ms, data: body.data };
  }
}
const time = async (query: string) => (await ask(query)).ms;

/** The idle-asset page after `depth` pages of 20, found by walking the pages (cursors are opaque). */
async function deepPageQuery(depth: number): Promise<string> {
  let after: string | null = null;
  for (let i = 0; i < depth; i++) {
    const { data } = await ask(IDLE_PAGE(after));
    after = data.assets!.pageInfo.endCursor!;
  }
  return IDLE_PAGE(after);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
console.log(`${url}, ${runs} sequential runs per query after 5 warm-up runs\n`);
console.log(`${'query'.padEnd(44)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
QUERIES.push(['same, page 51 (after 1,000 rows)', await deepPageQuery(50)]);
for (const [name, query] of QUERIES) {
  for (let i = 0; i < 5; i++) await time(query);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await time(query));
  samples.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} ${pct(samples, 50).toFixed(1).padStart(8)} ${pct(samples, 95).toFixed(1).padStart(8)} ${samples.at(-1)!.toFixed(1).padStart(8)}`);
}
