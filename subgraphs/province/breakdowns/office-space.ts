import { sumExact, toPrecision } from '../../../common/exact.js';
import type { Repository } from '../repository.js';
import { groupRows, leastAgencies, type BreakdownGroup } from './groups.js';

/** The dimensions the office-space breakdown groups by. */
export const OFFICE_SPACE_DIMENSIONS = ['PROVINCE', 'AGENCY_LEVEL'] as const;
/** One dimension of the office-space breakdown. */
export type OfficeSpaceDimension = (typeof OFFICE_SPACE_DIMENSIONS)[number];

/** One group's additive parts in one province (areas in m², to 0.01). */
interface OfficeSpacePart {
  province: string;
  agencyLevel: string | null;
  agencyCount: number;
  buildingCount: number;
  constructionArea: number;
  officeRoomUsableArea: number;
  staffCount: number;
  judgedAgencyCount: number;
  standardArea: number;
  overStandardAgencyCount: number;
  overStandardArea: number;
}

/**
 * Office buildings of some provinces, grouped by province and the agencies' level, with the
 * 2014 standard judged per agency: an agency is over it when its buildings' construction area
 * together exceeds their 按标准核定建筑面积 together (building-standard.ts; the standard limits
 * what an agency is allocated, so a building over its share offsets one under it). An agency of
 * a level no grade covers would not be judged (乡级 is judged at 县级's figures, its cap). The area over the standard
 * is the over-standard agencies' excess, summed. One SQL query sums each agency's buildings;
 * the agencies are then added up exactly in hundredths of a m².
 */
export async function officeSpaceBreakdown(repo: Repository, provinces: readonly string[], args: { by: readonly OfficeSpaceDimension[] }): Promise<BreakdownGroup[]> {
  const by = new Set(args.by);
  const agencies = await repo.db
    .selectFrom(repo.source('buildings'))
    .innerJoin(repo.source('agencies', 'a'), 'a.id', 't.agency_id')
    .where('t.province', 'in', provinces.length ? [...provinces] : [''])
    .select(['t.province', 't.agency_id', 'a.level'])
    .groupBy(['t.province', 't.agency_id', 'a.level'])
    .select((eb) => [
      eb.fn.countAll<number>().as('buildings'),
      eb.fn.sum<number>('t.construction_area').as('area'),
      eb.fn.sum<number>('t.office_room_usable_area').as('usable'),
      eb.fn.sum<number>('t.staff_count').as('staff'),
      // The standard depends on the agency only (its level and establishment): known for all its buildings or none.
      eb.fn.count<number>('t.standard_area').as('judged'),
      eb.fn.sum<number>('t.standard_area').as('standard'),
    ])
    .execute();
  const parts = agencies.map((r): OfficeSpacePart => {
    const area = toPrecision(Number(r.area ?? 0), 2);
    const judged = Number(r.judged) > 0;
    const standard = judged ? toPrecision(Number(r.standard ?? 0), 2) : 0;
    const over = judged && area > standard;
    return {
      province: r.province,
      agencyLevel: by.has('AGENCY_LEVEL') ? r.level : null,
      agencyCount: 1,
      buildingCount: Number(r.buildings),
      constructionArea: area,
      officeRoomUsableArea: toPrecision(Number(r.usable ?? 0), 2),
      staffCount: Number(r.staff ?? 0),
      judgedAgencyCount: judged ? 1 : 0,
      standardArea: standard,
      overStandardAgencyCount: over ? 1 : 0,
      overStandardArea: over ? sumExact([area, -standard], 2) : 0,
    };
  });
  const groups = groupRows(parts, ['province', 'agencyLevel'], by.has('PROVINCE'), {
    agencyCount: 0,
    buildingCount: 0,
    constructionArea: 2,
    officeRoomUsableArea: 2,
    staffCount: 0,
    judgedAgencyCount: 0,
    standardArea: 2,
    overStandardAgencyCount: 0,
    overStandardArea: 2,
  });
  // The over-standard figures are formed by the agencies over it; the rest of the judged by the others.
  return groups.map((g) => ({ ...g, leastAgencyCount: leastAgencies(g.agencyCount, g.overStandardAgencyCount, g.judgedAgencyCount - g.overStandardAgencyCount) }));
}
