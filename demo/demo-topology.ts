import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../common/subgraphs.js';
import type { LocalSchemaMapping } from '../subgraphs/province/db/mapping.js';

/** Where the demo provinces' local-schema mappings live (shared with docker-compose.yml). */
export const MAPPINGS_DIR = join(REPO_ROOT, 'deploy', 'mappings');

function mapping(code: string): LocalSchemaMapping | undefined {
  const file = join(MAPPINGS_DIR, `${code}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalSchemaMapping) : undefined;
}

/**
 * The nine demo provinces of 长三角, 京津冀 and 川渝. Like real ones, some keep local tables that
 * differ from the standard (deploy/mappings/CODE.json): 江苏 its own energy table in 万kWh and GJ,
 * 浙江 asset cards in pinyin-named columns, 安徽 building areas in a separate table.
 */
export const DEMO_PROVINCES: { code: string; mapping?: LocalSchemaMapping }[] = ['310000', '320000', '330000', '340000', '110000', '120000', '130000', '500000', '510000'].map(
  (code) => ({ code, mapping: mapping(code) }),
);

/**
 * The server topology (`npm run start:servers`): the demo provinces spread over the three kinds
 * of database server, as real provinces run what they already have.
 */
export const SERVER_TOPOLOGY: Record<string, 'postgres' | 'mysql' | 'sqlite'> = {
  '310000': 'postgres',
  '320000': 'postgres',
  '110000': 'postgres',
  '500000': 'postgres',
  '330000': 'mysql',
  '120000': 'mysql',
  '510000': 'mysql',
  '340000': 'sqlite',
  '130000': 'sqlite',
};
