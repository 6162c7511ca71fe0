import { sql } from 'kysely';
import type { Repository } from '../repository.js';
import { groupRows, leastAgencies, type BreakdownGroup } from './groups.js';

/** The dimensions the asset breakdown groups by. */
export const ASSET_DIMENSIONS = ['PROVINCE', 'CATEGORY', 'STATUS', 'POOLED'] as const;
/** One dimension of the asset breakdown. */
export type AssetDimension = (typeof ASSET_DIMENSIONS)[number];

/** One group's additive parts in one province (values in fen, exact integers). */
interface AssetPart {
  province: string;
  category: string | null;
  status: string | null;
  pooled: boolean | null;
  agencyCount: number;
  assetCount: number;
  originalFen: number;
  netFen: number;
  pooledFen: number;
  idleFen: number;
  /** Agencies with pooled cards, with other cards, with idle cards, with other cards (sub-figures and their rests). */
  pooledAgencies: number;
  unpooledAgencies: number;
  idleAgencies: number;
  busyAgencies: number;
}

/**
 * Asset cards of some provinces (disposed and transferred-out cards excluded, as in the asset
 * summary: a transferred asset counts once, at its new holder), grouped by the dimensions
 * asked: GB/T 14885-2022 top-level category (the code's first three characters), status, and
 * whether the card is offered to the 公物仓 pool. Each group counts the agencies holding its
 * cards. Values are summed in fen, so provinces merge exactly.
 */
export async function assetBreakdown(repo: Repository, provinces: readonly string[], args: { by: readonly AssetDimension[] }): Promise<BreakdownGroup[]> {
  const by = new Set(args.by);
  // Literal positions, so the select and the GROUP BY are the same expression on every dialect.
  const top = sql<string>`substr(${sql.ref('t.category_code')}, ${sql.lit(1)}, ${sql.lit(3)})`;
  const rows = await repo.db
    .selectFrom(repo.source('assets'))
    .where('t.province', 'in', provinces.length ? [...provinces] : [''])
    .where('t.status', 'not in', ['DISPOSED', 'TRANSFERRED_OUT'])
    .select('t.province')
    .groupBy('t.province')
    .$if(by.has('CATEGORY'), (q) => q.select(top.as('category')).groupBy(top))
    .$if(by.has('STATUS'), (q) => q.select('t.status').groupBy('t.status'))
    .$if(by.has('POOLED'), (q) => q.select('t.offered_to_pool').groupBy('t.offered_to_pool'))
    .select((eb) => [
      eb.fn.count<number>('t.agency_id').distinct().as('agencies'),
      eb.fn.countAll<number>().as('assets'),
      eb.fn.sum<number>('t.original_value_fen').as('originalFen'),
      eb.fn.sum<number>('t.net_value_fen').as('netFen'),
      eb.fn.sum<number>(eb.case().when('t.offered_to_pool', '=', 1).then(eb.ref('t.original_value_fen')).else(0).end()).as('pooledFen'),
      eb.fn.sum<number>(eb.case().when('t.status', '=', 'IDLE').then(eb.ref('t.original_value_fen')).else(0).end()).as('idleFen'),
      eb.fn
        .count<number>(eb.case().when('t.offered_to_pool', '=', 1).then(eb.ref('t.agency_id')).end())
        .distinct()
        .as('pooledAgencies'),
      eb.fn
        .count<number>(eb.case().when('t.offered_to_pool', '!=', 1).then(eb.ref('t.agency_id')).end())
        .distinct()
        .as('unpooledAgencies'),
      eb.fn
        .count<number>(eb.case().when('t.status', '=', 'IDLE').then(eb.ref('t.agency_id')).end())
        .distinct()
        .as('idleAgencies'),
      eb.fn
        .count<number>(eb.case().when('t.status', '!=', 'IDLE').then(eb.ref('t.agency_id')).end())
        .distinct()
        .as('busyAgencies'),
    ])
    .execute();
  const parts = rows.map((r): AssetPart => {
    const row = r as typeof r & Record<string, unknown>;
    return {
      province: r.province,
      category: by.has('CATEGORY') ? String(row.category) : null,
      status: by.has('STATUS') ? String(row.status) : null,
      pooled: by.has('POOLED') ? Number(row.offered_to_pool) === 1 : null,
      agencyCount: Number(r.agencies),
      assetCount: Number(r.assets),
      originalFen: Number(r.originalFen ?? 0),
      netFen: Number(r.netFen ?? 0),
      pooledFen: Number(r.pooledFen ?? 0),
      idleFen: Number(r.idleFen ?? 0),
      pooledAgencies: Number(r.pooledAgencies),
      unpooledAgencies: Number(r.unpooledAgencies),
      idleAgencies: Number(r.idleAgencies),
      busyAgencies: Number(r.busyAgencies),
    };
  });
  const groups = groupRows(parts, ['province', 'category', 'status', 'pooled'], by.has('PROVINCE'), {
    agencyCount: 0,
    assetCount: 0,
    originalFen: 0,
    netFen: 0,
    pooledFen: 0,
    idleFen: 0,
    pooledAgencies: 0,
    unpooledAgencies: 0,
    idleAgencies: 0,
    busyAgencies: 0,
  });
  return groups.map(({ originalFen, netFen, pooledFen, idleFen, pooledAgencies, unpooledAgencies, idleAgencies, busyAgencies, ...g }) => ({
    ...g,
    leastAgencyCount: leastAgencies(g.agencyCount, pooledAgencies, unpooledAgencies, idleAgencies, busyAgencies),
    originalValue: originalFen / 100,
    netValue: netFen / 100,
    pooledValue: pooledFen / 100,
    idleValue: idleFen / 100,
  }));
}
