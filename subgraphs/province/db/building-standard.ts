import { type AliasedSelectQueryBuilder, type Expression, type ExpressionBuilder, type Kysely } from 'kysely';
import { OFFICE_AREA_GRADES } from '../../../common/standards.js';
import type { AgencyRow, BuildingRow, StandardDatabase, StoredBuildingRow } from './schema.js';

/**
 * The 2014 office-building standard applied to each building, in SQL, so every province
 * derives the same figure from the same stored facts and a filter or count on it is exact.
 *
 * 按标准核定建筑面积 = the established posts the building houses x the building-area figure
 * of the agency's grade (发改投资〔2014〕2674号; the per-building return "基本情况表" computes
 * it so, one sheet per building: reference §3.3–3.4 [S43]). The grade follows the agency's
 * level; its upper figure applies, or its lower one when the agency's whole establishment is
 * above the grade's threshold (编制定员 > 400 / 200 / 100, reference §3.3 [S35][S34]). A
 * building is over the standard when its construction area is above that figure.
 */

/** A building row joined with its agency's (null when the agency is missing). */
type Joined = { b: StoredBuildingRow; a: Nullable<AgencyRow> };
type Nullable<R> = { [K in keyof R]: R[K] | null };

/** The per-capita building-area figure (m2) for the agency's level and establishment; null for a level no grade covers. */
export function gradeFigure(eb: ExpressionBuilder<Joined, 'a' | 'b'>): Expression<number | null> {
  const figureOf = (g: (typeof OFFICE_AREA_GRADES)[number]) =>
    eb.case().when('a.established_staff', '>', g.lowerBoundAboveStaff).then(g.minBuildingAreaPerStaff).else(g.maxBuildingAreaPerStaff).end();
  const [first, ...rest] = OFFICE_AREA_GRADES;
  let figure = eb
    .case()
    .when('a.level', 'in', [...first.levels])
    .then(figureOf(first));
  for (const g of rest) figure = figure.when('a.level', 'in', [...g.levels]).then(figureOf(g));
  return figure.else(null).end();
}

/**
 * Buildings as read (aliased as asked): the stored columns, `standard_area` and
 * `exceeds_standard`. A building whose agency is missing keeps its row with no standard
 * (the data check reports it) rather than vanishing from lists.
 */
export function buildingsWithStandard<A extends string>(
  db: Kysely<StandardDatabase>,
  buildings: AliasedSelectQueryBuilder<StoredBuildingRow, 'b'>,
  agencies: AliasedSelectQueryBuilder<AgencyRow, 'a'>,
  alias: A,
): AliasedSelectQueryBuilder<BuildingRow, A> {
  return db
    .selectFrom(buildings)
    .leftJoin(agencies, 'a.id', 'b.agency_id')
    .selectAll('b')
    .select((eb) => {
      const standard = eb('b.established_staff', '*', gradeFigure(eb));
      const exceeds = eb.case().when(standard, 'is', null).then(null).when('b.construction_area', '>', standard).then(1).else(0).end();
      return [standard.as('standard_area'), exceeds.as('exceeds_standard')];
    })
    .as(alias) as unknown as AliasedSelectQueryBuilder<BuildingRow, A>;
}
