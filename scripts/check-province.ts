/**
 * `npm run check-province -- URL`: tells a provincial IT team whether their service implements
 * the regional contract (schema/province.graphql), listing every difference. Exit code 0 when
 * it conforms, 1 when it does not, 2 when it cannot be reached.
 */
import { readSubgraphSdl } from '../common/subgraphs.js';
import { checkContract } from '../gateway/shard/contract.js';
import { fetchServiceSdl } from '../gateway/shard/join.js';

const url = process.argv[2];
if (!url) {
  console.error('usage: npm run check-province -- http://host:port/graphql');
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
