/**
 * `npm run check-province -- URL`: tells a provincial IT team whether their service implements
 * the regional contract (schema/province.graphql), listing every difference.
 *
 * `npm run check-province -- --data URL --province CODE [--token JWT] [--allow RULE=N ...]`:
 * runs the data-quality rules over the province's data (`dataQuality` through the gateway at
 * URL, with a token that may read the whole province: XIETONG_TOKEN when --token is absent) and
 * prints each rule's count and sample ids.
 *
 * Exit code 0 when it conforms (every rule within its threshold, 0 unless allowed), 1 when it
 * does not, 2 when the check cannot run.
 */
import { parseArgs } from 'node:util';
import { readSubgraphSdl } from '../common/subgraphs.js';
import { checkContract } from '../gateway/shard/contract.js';
import { fetchServiceSdl } from '../gateway/shard/join.js';
import { CheckUnavailable, fetchReport, formatReport, overThreshold, parseThresholds, unknownAllowances } from '../subgraphs/province/data-quality/remote-check.js';

const USAGE = `usage: npm run check-province -- http://host:port/graphql
       npm run check-province -- --data http://gateway:port/graphql --province 320000 [--token JWT] [--allow RULE=N ...]`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { data: { type: 'string' }, province: { type: 'string' }, token: { type: 'string' }, allow: { type: 'string', multiple: true } },
  });
}
try {
  args = parse();
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

if (args.values.data !== undefined) {
  const province = args.values.province;
  if (!province || !/^\d{6}$/.test(province)) {
    console.error(`--data needs --province with a 6-digit GB/T 2260 code\n${USAGE}`);
    process.exit(2);
  }
  try {
    const thresholds = parseThresholds(args.values.allow ?? []);
    const report = await fetchReport(args.values.data, province, args.values.token || process.env.XIETONG_TOKEN || undefined);
    const unknown = unknownAllowances(report, thresholds);
    if (unknown.length) throw new Error(`--allow names rules that do not exist: ${unknown.join(', ')}; the rules are ${report.rules.map((r) => r.id).join(', ')}`);
    for (const line of formatReport(province, report, thresholds)) console.log(line);
    process.exitCode = overThreshold(report, thresholds).length ? 1 : 0;
  } catch (error) {
    console.error(error instanceof CheckUnavailable ? error.message : `${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  }
} else {
  if (args.values.province !== undefined || args.values.allow !== undefined || args.values.token !== undefined) {
    console.error(`--province, --token and --allow belong to the data check (--data URL)\n${USAGE}`);
    process.exit(2);
  }
  const url = args.positionals[0];
  if (!url) {
    console.error(USAGE);
    process.exit(2);
  }
  let sdl: string;
  try {
    sdl = await fetchServiceSdl(url, 10_000);
  } catch (error) {
    console.error(`could not read the service's SDL at ${url}: ${(error as Error).message}`);
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
