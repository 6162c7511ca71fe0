import type { LocalSchemaMapping } from '../subgraphs/province/db/mapping.js';

/**
 * The nine demo provinces of 长三角, 京津冀 and 川渝. Like real ones, some keep local tables
 * that differ from the standard; their mapping tells the province subgraph how to read them.
 */
export const DEMO_PROVINCES: { code: string; mapping?: LocalSchemaMapping; note?: string }[] = [
  { code: '310000' },
  {
    code: '320000',
    note: 'energy table of its own; electricity in 万kWh, heat in GJ',
    mapping: {
      energy_reports: {
        table: 'js_energy_annual',
        columns: { electricity_kwh: { column: 'electricity_wan_kwh', scale: 10_000 }, heat_mj: { column: 'heat_gj', scale: 1_000 } },
      },
    },
  },
  {
    code: '330000',
    note: 'asset cards in pinyin-named columns (资产卡片 zc_kp)',
    mapping: {
      assets: {
        table: 'zc_kp',
        columns: {
          id: 'zcbh', province: 'sfdm', agency_id: 'dwbh', building_id: 'ldbh', name: 'zcmc', category_code: 'fldm',
          original_value_fen: 'yz_fen', net_value_fen: 'jz_fen', acquired_on: 'gzrq', status: 'syzk', offered_to_pool: 'sfgwc', offered_at: 'rcrq',
        },
      },
    },
  },
  {
    code: '340000',
    note: 'building areas kept in a separate table',
    mapping: { buildings: { split: { table: 'building_areas', key: 'building_id', columns: ['construction_area', 'office_room_usable_area', 'standard_area'] } } },
  },
  { code: '110000' },
  { code: '120000' },
  { code: '130000' },
  { code: '500000' },
  { code: '510000' },
];

/**
 * The server topology (`npm run start:servers`): the demo provinces spread over the three kinds
 * of database server, as real provinces run what they already have.
 */
export const SERVER_TOPOLOGY: Record<string, 'postgres' | 'mysql' | 'sqlite'> = {
  '310000': 'postgres', '320000': 'postgres', '110000': 'postgres', '500000': 'postgres',
  '330000': 'mysql', '120000': 'mysql', '510000': 'mysql',
  '340000': 'sqlite', '130000': 'sqlite',
};
