/**
 * `npm run seed -- --province CODE --database URL [--scale small|demo] [--mapping FILE]`: fills a
 * new province database with generated test data in that province's places and phone numbers
 * (creating the standard tables, or the mapped local ones, when missing). Refuses a database that
 * holds data already. `small` is a few agencies (for trying things), `demo` the full demo scale.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { redact } from '../common/db/dialects.js';
import { findProvince } from '../common/standards.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import { parseMapping } from '../subgraphs/province/config.js';
import { FULL_SCALE, generateProvince, type DemoScale } from '../subgraphs/province/seed/generator.js';
import { isSeeded, seedProvince } from '../subgraphs/province/seed/seed.js';

const USAGE = 'usage: npm run seed -- --province CODE --database URL [--scale small|demo] [--mapping FILE]';
const SCALES: Record<string, DemoScale> = { small: { agencies: 12, buildingsPerAgency: 2, assetsPerAgency: 20, years: [2024, 2025] }, demo: FULL_SCALE };

try {
  const { values } = parseArgs({
    options: { province: { type: 'string' }, database: { type: 'string' }, scale: { type: 'string', default: 'small' }, mapping: { type: 'string' } },
  });
  if (!values.province || !findProvince(values.province)) throw new Error('--province must be a GB/T 2260 provincial code, e.g. 440000');
  if (!values.database) throw new Error('--database is required: sqlite:PATH, postgres://… or mysql://…');
  const scale = SCALES[values.scale!];
  if (!scale) throw new Error(`--scale must be ${Object.keys(SCALES).join(' or ')}`);
  const mapping = values.mapping ? parseMapping(JSON.parse(readFileSync(values.mapping, 'utf8')), values.mapping) : undefined;
  const pdb = await openProvinceDatabase(values.database, mapping, { init: true });
  try {
    if (await isSeeded(pdb)) throw new Error(`${redact(values.database)} holds data already; seed an empty database`);
    const data = generateProvince(values.province, scale);
    await seedProvince(pdb, data);
    console.log(
      `seeded ${values.province} (${findProvince(values.province)!.name}) into ${pdb.label}: ${Object.entries(data)
        .map(([table, rows]) => `${rows.length} ${table}`)
        .join(', ')}`,
    );
  } finally {
    await pdb.close();
  }
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
