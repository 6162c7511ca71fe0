/**
 * `npm run check:transfers`: checks the 公物仓 transfer invariant (scripts/transfer-invariant.ts)
 * over the sharing database and the province databases, read directly.
 *
 *   npm run check:transfers                      # the `npm start` demo in ./data (XIETONG_DATA_DIR)
 *   npm run check:transfers -- --sharing postgres://… --province 310000=postgres://… --province 340000=sqlite:/…
 *
 * Exits 0 when the invariant holds and no transfer is in flight, 1 when a rule is broken, 3 when
 * transfers are still in flight (run it again once they end).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../common/subgraphs.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import { Repository } from '../subgraphs/province/repository.js';
import { openSharingDatabase } from '../subgraphs/sharing/db/database.js';
import { DEMO_PROVINCES } from '../demo/demo-topology.js';
import { checkTransferInvariant } from './transfer-invariant.js';

const { values } = parseArgs({ options: { sharing: { type: 'string' }, province: { type: 'string', multiple: true } } });
const dataDir = process.env.XIETONG_DATA_DIR ?? join(REPO_ROOT, 'data');
const provinceUrls = new Map<string, string>(
  values.province?.length
    ? values.province.map((p) => p.split(/=(.*)/s).slice(0, 2) as [string, string])
    : DEMO_PROVINCES.filter((p) => existsSync(join(dataDir, `${p.code}.sqlite`))).map((p) => [p.code, `sqlite:${join(dataDir, `${p.code}.sqlite`)}`]),
);
const sharingUrl = values.sharing ?? `sqlite:${join(dataDir, 'sharing.sqlite')}`;
if (!values.sharing && !existsSync(join(dataDir, 'sharing.sqlite'))) {
  console.error(`no sharing database at ${join(dataDir, 'sharing.sqlite')}: run npm start first, or pass --sharing URL`);
  process.exit(2);
}
const sharing = await openSharingDatabase(sharingUrl);
const opened = await Promise.all(
  [...provinceUrls].map(async ([code, url]) => [code, await openProvinceDatabase(url, DEMO_PROVINCES.find((p) => p.code === code)?.mapping)] as const),
);
try {
  const report = await checkTransferInvariant(sharing.db, new Map(opened.map(([code, pdb]) => [code, new Repository(pdb)])));
  console.log(`transfers checked: ${report.checked}; in flight: ${report.inFlight}; problems: ${report.problems.length}`);
  for (const p of report.problems) console.log(`  - ${p}`);
  process.exitCode = report.problems.length ? 1 : report.inFlight ? 3 : 0;
} finally {
  await sharing.close();
  await Promise.all(opened.map(([, pdb]) => pdb.close()));
}
