import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { EnergyType } from '../../common/standards.js';
import { ENERGY_COLUMNS } from './energy.js';
import type { Repository } from './repository.js';
import type { FigureFamily } from '../../common/disclosure.js';
import type { AssetRow, BuildingRow, EnergyReportRow, OperatingCostRow, VehicleRow } from './db/schema.js';
import type { BreakdownGroup } from './breakdowns/groups.js';
import { operatingCostBreakdown } from './breakdowns/operating-costs.js';

/**
 * Who forms each figure of a summary. A summary's figures fall into families: the fields a set of
 * agencies forms (the totals: every agency counted; coal: the agencies that burned coal). Each
 * province answers, per family, how many agencies form it there; the gateway withholds a family
 * formed by too few agencies the caller cannot add up itself (gateway/shard/summary-disclosure.ts),
 * as it withholds breakdown groups. Families that add up to a published total share a `line`; the
 * rest of such a total that is not published itself (vehicles that are not new-energy) is an
 * unpublished family of the line, so hiding it is accounted for.
 *
 * A family that is one or more groups of a breakdown by one dimension (idle assets: the IDLE
 * group of `assetBreakdown(by: [STATUS])`) is protected jointly with that breakdown: it stands
 * for no more than the fewest agencies forming any group of that dimension, sub-figures
 * included, in its province (`split`). A
 * breakdown line hides a group as a complement only where some group of it is small, and then
 * the summary withholds the family too, so the summary never publishes a complement the
 * breakdown withholds.
 */

/** A family of one table's rows: its fields, which rows form it (all when absent), its line, the breakdown dimension it is groups of. */
interface FamilyOf<R> {
  fields: string[];
  when?: (eb: ExpressionBuilder<{ t: R }, 't'>) => Expression<SqlBool>;
  line?: string;
  published?: false;
  split?: string;
}

/** An energy column's summary field: electricity_kwh -> electricityKwh. */
const fieldOf = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const ENERGY: FamilyOf<EnergyReportRow>[] = [
  { fields: ['reportCount', 'buildingArea', 'energyUsingPeople', 'costYuan', 'totalKgce', 'kgcePerCapita', 'kgcePerArea'] },
  // Every type with a coefficient adds to totalKgce; water does not.
  ...(Object.entries(ENERGY_COLUMNS) as [EnergyType, keyof EnergyReportRow & string][]).map(([type, column]): FamilyOf<EnergyReportRow> => ({
    fields: type === 'WATER' ? [fieldOf(column), 'waterPerCapita'] : [fieldOf(column)],
    when: (eb) => eb(`t.${column}`, '>', 0),
    ...(type === 'WATER' ? {} : { line: 'kgce' }),
  })),
];

/** A family and the rest of its total, which is never published. */
const withRest = <R>(family: FamilyOf<R> & { when: NonNullable<FamilyOf<R>['when']>; line: string }): FamilyOf<R>[] => [
  family,
  { fields: [], line: family.line, published: false, when: (eb) => eb.not(family.when(eb)) },
];

/** Per province, at most the fewest agencies forming any group of a breakdown by one dimension, its sub-figures included. */
type SplitLeast = Map<string, number>;

/**
 * The fewest agencies of any cell of some columns, per province, from the distinct (province,
 * cell columns, agency) rows. A breakdown group by one of the columns is a union of cells, and
 * its sub-figures (pooled cards of a status, new-energy vehicles of a category) unions of cells
 * too, so none is formed by fewer agencies than the fewest of any cell: a lower bound, which is
 * what withholding needs. Distinct rows counted here cost one scan (a grouped distinct count in
 * SQL is several times slower on SQLite).
 */
async function fewestPerCell(rows: Promise<({ province: string; agency_id: string } & Record<string, unknown>)[]>): Promise<SplitLeast> {
  const cells = new Map<string, { province: string; n: number }>();
  for (const { agency_id: _agency, ...cell } of await rows) {
    const key = JSON.stringify(cell);
    cells.set(key, { province: cell.province, n: (cells.get(key)?.n ?? 0) + 1 });
  }
  const least = new Map<string, number>();
  for (const { province, n } of cells.values()) least.set(province, Math.min(least.get(province) ?? Infinity, n));
  return least;
}

/** The fewest agencies of any operating-cost component group per province (every agency reports every component), sub-figures included. */
async function leastPerProvince(groups: Promise<BreakdownGroup[]>): Promise<SplitLeast> {
  const least = new Map<string, number>();
  for (const g of (await groups) as (BreakdownGroup & { leastAgencyCount: number })[]) {
    const province = g.province ?? '';
    least.set(province, Math.min(least.get(province) ?? Infinity, g.leastAgencyCount));
  }
  return least;
}

const ASSETS: FamilyOf<AssetRow>[] = [
  { fields: ['assetCount', 'originalValue', 'netValue'] },
  ...withRest<AssetRow>({ fields: ['idleCount', 'idleShare'], when: (eb) => eb('t.status', '=', 'IDLE'), line: 'idle', split: 'STATUS' }),
  ...withRest<AssetRow>({ fields: ['pooledCount', 'pooledOriginalValue'], when: (eb) => eb('t.offered_to_pool', '=', 1), line: 'pooled', split: 'POOLED' }),
];

const CATEGORY_FIELDS = {
  CONFIDENTIAL_COMMUNICATION: 'confidentialCommunicationCount',
  EMERGENCY: 'emergencyCount',
  LAW_ENFORCEMENT: 'lawEnforcementCount',
  SPECIAL_TECHNICAL: 'specialTechnicalCount',
  OTHER: 'otherCount',
};

const VEHICLES: FamilyOf<VehicleRow>[] = [
  { fields: ['vehicleCount', 'totalPriceYuan'] },
  ...withRest<VehicleRow>({ fields: ['inServiceCount'], when: (eb) => eb('t.status', '=', 'IN_SERVICE'), line: 'status' }),
  ...withRest<VehicleRow>({
    fields: ['newEnergyCount', 'newEnergyShare'],
    when: (eb) => eb('t.energy_type', 'in', ['BATTERY_ELECTRIC', 'PLUG_IN_HYBRID']),
    line: 'energy',
    split: 'ENERGY_TYPE',
  }),
  ...Object.entries(CATEGORY_FIELDS).map(([category, field]): FamilyOf<VehicleRow> => ({
    fields: [field],
    when: (eb) => eb('t.category', '=', category),
    line: 'category',
    split: 'CATEGORY',
  })),
];

const OFFICE_SPACE: FamilyOf<BuildingRow>[] = [
  { fields: ['buildingCount', 'constructionArea', 'officeRoomUsableArea', 'staffCount', 'officeAreaPerCapita'] },
  ...withRest<BuildingRow>({ fields: ['exceedingCount'], when: (eb) => eb('t.exceeds_standard', '=', 1), line: 'standard' }),
];

// A published component is the figure of the agencies that spent on it; the unpublished rest of the total, everyone's.
const OPERATING_COSTS: FamilyOf<OperatingCostRow>[] = [
  { fields: ['staffCount', 'total', 'costPerCapita'] },
  { fields: ['salaries'], when: (eb) => eb('t.salaries_fen', '>', 0), line: 'components', split: 'COMPONENT' },
  { fields: ['officialReception'], when: (eb) => eb('t.official_reception_fen', '>', 0), line: 'components', split: 'COMPONENT' },
  { fields: ['vehicleOperation'], when: (eb) => eb('t.vehicle_operation_fen', '>', 0), line: 'components', split: 'COMPONENT' },
  { fields: [], line: 'components', published: false },
];

/** The distinct agencies of each family's rows, as columns f0, f1, … of a query over `t`. */
function counted<R extends { agency_id: string }>(eb: ExpressionBuilder<{ t: R }, 't'>, families: FamilyOf<R>[]) {
  const agency = eb.ref('t.agency_id' as never) as Expression<string>;
  return families.map((f, i) =>
    eb.fn
      .count<number>(f.when ? eb.case().when(f.when(eb)).then(agency).end() : agency)
      .distinct()
      .as(`f${i}`),
  );
}

/**
 * Per province, how many agencies form each family of some rows; a published family that is
 * groups of a breakdown dimension stands for at most the fewest agencies of any group of it.
 */
async function count<R>(rows: Promise<Record<string, unknown>[]>, families: FamilyOf<R>[], splits: Record<string, Promise<SplitLeast>> = {}): Promise<FigureFamily[]> {
  const [found, least] = await Promise.all([rows, Promise.all(Object.entries(splits).map(async ([dim, l]) => [dim, await l] as const))]);
  const leastOf = new Map(least);
  return found.flatMap((r) =>
    families.map((f, i) => {
      const province = String(r.province);
      const own = Number(r[`f${i}`] ?? 0);
      const split = f.split && own > 0 && f.published !== false ? (leastOf.get(f.split)?.get(province) ?? own) : own;
      return { province, fields: f.fields, agencyCount: Math.min(own, split), line: f.line ?? null, published: f.published ?? true };
    }),
  );
}

/** The families of each summary in some provinces (a year's for the annual ones); one SQL query each. */
export const summaryFamilies = {
  energySummary: (repo: Repository, provinces: readonly string[], year: number) =>
    count(
      repo.db
        .selectFrom(repo.source('energy_reports'))
        .where('t.province', 'in', scope(provinces))
        .where('t.year', '=', year)
        .select('t.province')
        .groupBy('t.province')
        .select((eb) => counted(eb, ENERGY))
        .execute(),
      ENERGY,
    ),
  assetSummary: (repo: Repository, provinces: readonly string[]) =>
    count(
      repo.db
        .selectFrom(repo.source('assets'))
        .where('t.province', 'in', scope(provinces))
        .where('t.status', 'not in', ['DISPOSED', 'TRANSFERRED_OUT'])
        .select('t.province')
        .groupBy('t.province')
        .select((eb) => counted(eb, ASSETS))
        .execute(),
      ASSETS,
      splits(['STATUS', 'POOLED'], fewestPerCell(assetCells(repo, provinces))),
    ),
  vehicleSummary: (repo: Repository, provinces: readonly string[]) =>
    count(
      repo.db
        .selectFrom(repo.source('vehicles'))
        .where('t.province', 'in', scope(provinces))
        .where('t.status', '!=', 'DISPOSED')
        .select('t.province')
        .groupBy('t.province')
        .select((eb) => counted(eb, VEHICLES))
        .execute(),
      VEHICLES,
      splits(['ENERGY_TYPE', 'CATEGORY'], fewestPerCell(vehicleCells(repo, provinces))),
    ),
  officeSpaceSummary: (repo: Repository, provinces: readonly string[]) =>
    count(
      repo.db
        .selectFrom(repo.source('buildings'))
        .where('t.province', 'in', scope(provinces))
        .select('t.province')
        .groupBy('t.province')
        .select((eb) => counted(eb, OFFICE_SPACE))
        .execute(),
      OFFICE_SPACE,
    ),
  operatingCostSummary: (repo: Repository, provinces: readonly string[], year: number) =>
    count(
      repo.db
        .selectFrom(repo.source('operating_costs'))
        .where('t.province', 'in', scope(provinces))
        .where('t.year', '=', year)
        .select('t.province')
        .groupBy('t.province')
        .select((eb) => counted(eb, OPERATING_COSTS))
        .execute(),
      OPERATING_COSTS,
      { COMPONENT: leastPerProvince(operatingCostBreakdown(repo, provinces, { from: year, to: year, by: ['PROVINCE', 'COMPONENT'] })) },
    ),
};

/** The same lower bound for several dimensions. */
const splits = (dims: string[], least: Promise<SplitLeast>) => Object.fromEntries(dims.map((d) => [d, least]));

/** Agencies per province, status and pool offer of the cards an asset summary counts: the cells of the asset breakdown by STATUS or POOLED. */
const assetCells = (repo: Repository, provinces: readonly string[]) =>
  repo.db
    .selectFrom(repo.source('assets'))
    .where('t.province', 'in', scope(provinces))
    .where('t.status', 'not in', ['DISPOSED', 'TRANSFERRED_OUT'])
    .select(['t.province', 't.status', 't.offered_to_pool', 't.agency_id'])
    .distinct()
    .execute();

/** Agencies per province, category and energy type of the vehicles a vehicle summary counts: the cells of the vehicle breakdown by CATEGORY or ENERGY_TYPE. */
const vehicleCells = (repo: Repository, provinces: readonly string[]) =>
  repo.db
    .selectFrom(repo.source('vehicles'))
    .where('t.province', 'in', scope(provinces))
    .where('t.status', '!=', 'DISPOSED')
    .select(['t.province', 't.category', 't.energy_type', 't.agency_id'])
    .distinct()
    .execute();

/** Provinces for an IN list (never empty: an empty IN is invalid SQL on some dialects). */
const scope = (provinces: readonly string[]) => (provinces.length ? [...provinces] : ['']);
