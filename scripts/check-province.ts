/**
 * What a provincial IT team runs before asking anyone (README: How a province joins):
 *
 * `npm run check-province -- --config province.json [--allow RULE=N ...]`: checks the province's
 * own configuration and database, reading only: the configuration, every mapped table and column
 * (named by mapping entry), that the data is the configured province's, that values are in the
 * standard units, and the data-quality rules over every row.
 *
 * `npm run check-province -- URL`: checks a running instance's SDL (its public GET /sdl) against
 * the regional contract (schema/province.graphql), listing every difference.
 *
 * `npm run check-province -- --data URL --province CODE [--token JWT] [--allow RULE=N ...]`: runs
 * the data-quality rules over a joined province's data (`dataQuality` through the gateway at URL,
 * with a token that may read the whole province: XIETONG_TOKEN when --token is absent).
 *
 * Exit code 0 when it conforms (every rule within its threshold, 0 unless allowed), 1 when it
 * does not, 2 when the check cannot run (unreachable, unreadable, bad arguments).
 */
import { parseArgs } from 'node:util';
import { readSubgraphSdl } from '../common/subgraphs.js';
import { checkContract } from '../gateway/shard/contract.js';
import { reachFailure } from '../gateway/shard/join.js';
import { CheckUnavailable, fetchReport, formatReport, overThreshold, parseThresholds, unknownAllowances } from '../subgraphs/province/data-quality/remote-check.js';
import { QUALITY_RULES } from '../subgraphs/province/data-quality/rules.js';
import { checkLocalProvince } from '../subgraphs/province/local-check.js';

const USAGE = `usage: npm run check-province -- --config province.json [--allow RULE=N ...]
       npm run check-province -- http://host:port/graphql
       npm run check-province -- --data http://gateway:port/graphql --province 320000 [--token JWT] [--allow RULE=N ...]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { config: { type: 'string' }, data: { type: 'string' }, province: { type: 'string' }, token: { type: 'string' }, allow: { type: 'string', multiple: true } },
  });
}
try {
  args = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = args;
let thresholds: ReturnType<typeof parseThresholds> = {};
try {
  thresholds = parseThresholds(values.allow ?? []);
} catch (error) {
  fail((error as Error).message);
}

if (values.config !== undefined) {
  if (values.data !== undefined || positionals.length) fail('--config checks a configuration and its database; give no URL with it');
  const unknown = unknownAllowances(
    QUALITY_RULES.map((r) => r.id),
    thresholds,
  );
  if (unknown.length) fail(`--allow names rules that do not exist: ${unknown.join(', ')}`);
  const result = await checkLocalProvince(values.config, thresholds);
  for (const line of result.lines) (result.exitCode === 2 ? console.error : console.log)(line);
  process.exitCode = result.exitCode;
} else if (values.data !== undefined) {
  const province = values.province;
  if (!province || !/^\d{6}$/.test(province)) fail('--data needs --province with a 6-digit GB/T 2260 code');
  try {
    const report = await fetchReport(values.data, province, values.token || process.env.XIETONG_TOKEN || undefined);
    const unknown = unknownAllowances(
      report.rules.map((r) => r.id),
      thresholds,
    );
    if (unknown.length) throw new Error(`--allow names rules that do not exist: ${unknown.join(', ')}; the rules are ${report.rules.map((r) => r.id).join(', ')}`);
    for (const line of formatReport(province, report, thresholds)) console.log(line);
    process.exitCode = overThreshold(report, thresholds).length ? 1 : 0;
  } catch (error) {
    console.error(error instanceof CheckUnavailable ? error.message : `${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  }
} else {
  if (values.province !== undefined || values.allow !== undefined || values.token !== undefined)
    fail('--province, --token and --allow belong to the data checks (--data URL or --config FILE)');
  const url = positionals[0];
  if (!url) fail('give a URL, --config FILE or --data URL');
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) fail(`"${url}" is not an http(s) URL, e.g. http://127.0.0.1:4109/graphql`);
  let sdl: string;
  try {
    const response = await fetch(new URL('/sdl', url), { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    if (response.status !== 200) throw new Error(`GET /sdl answered HTTP ${response.status}; is this a Xietong province instance?`);
    sdl = await response.text();
  } catch (error) {
    const message = error instanceof TypeError || (error as Error).name === 'TimeoutError' ? reachFailure(error, url, 10_000) : (error as Error).message;
    console.error(`could not read the service's SDL at ${url}: ${message}`);
    process.exit(2);
  }
  const problems = checkContract(readSubgraphSdl('province'), sdl);
  if (problems.length === 0) {
    console.log(`${url} implements the Xietong province contract.`);
  } else {
    console.log(`${url} does not implement the contract (${problems.length} problems):`);
    for (const p of problems) console.log(`- ${p}`);
    process.exitCode = 1;
  }
}
