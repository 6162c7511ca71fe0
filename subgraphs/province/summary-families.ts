import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { EnergyType } from '../../common/standards.js';
import { ENERGY_COLUMNS } from './energy.js';
import type { Repository } from './repository.js';
import type { FigureFamily } from '../../common/disclosure.js';
import type { AssetRow, BuildingRow, EnergyReportRow, OperatingCostRow, VehicleRow } from './db/schema.js';

/**
 * Who forms each figure of a summary. A summary's figures fall into families: the fields a set of
 * agencies forms (the totals: every agency counted; coal: the agencies that burned coal). Each
 * province answers, per family, how many agencies form it there; the gateway withholds a family
 * formed by too few agencies the caller cannot add up itself (gateway/shard/summary-disclosure.ts),
 * as it withholds breakdown groups. Families that add up to a published total share a `line`; the
 * rest of such a total that is not published itself (vehicles that are not new-energy) is an
 * unpublished family of the line, so hiding it is accounted for.
 */

/** A family of one table's rows: its fields, which rows form it (all when absent), its line. */
interface FamilyOf<R> {
  fields: string[];
  when?: (eb: ExpressionBuilder<{ t: R }, 't'>) => Expression<SqlBool>;
  line?: string;
  published?: false;
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

const ASSETS: FamilyOf<AssetRow>[] = [
  { fields: ['assetCount', 'originalValue', 'netValue'] },
  ...withRest<AssetRow>({ fields: ['idleCount', 'idleShare'], when: (eb) => eb('t.status', '=', 'IDLE'), line: 'idle' }),
  ...withRest<AssetRow>({ fields: ['pooledCount', 'pooledOriginalValue'], when: (eb) => eb('t.offered_to_pool', '=', 1), line: 'pooled' }),
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
  ...withRest<VehicleRow>({ fields: ['newEnergyCount', 'newEnergyShare'], when: (eb) => eb('t.energy_type', 'in', ['BATTERY_ELECTRIC', 'PLUG_IN_HYBRID']), line: 'energy' }),
  ...Object.entries(CATEGORY_FIELDS).map(([category, field]): FamilyOf<VehicleRow> => ({ fields: [field], when: (eb) => eb('t.category', '=', category), line: 'category' })),
];

const OFFICE_SPACE: FamilyOf<BuildingRow>[] = [
  { fields: ['buildingCount', 'constructionArea', 'officeRoomUsableArea', 'staffCount', 'officeAreaPerCapita'] },
  ...withRest<BuildingRow>({ fields: ['exceedingCount'], when: (eb) => eb('t.exceeds_standard', '=', 1), line: 'standard' }),
];

// A published component is the figure of the agencies that spent on it; the unpublished rest of the total, everyone's.
const OPERATING_COSTS: FamilyOf<OperatingCostRow>[] = [
  { fields: ['staffCount', 'total', 'costPerCapita'] },
  { fields: ['salaries'], when: (eb) => eb('t.salaries_fen', '>', 0), line: 'components' },
  { fields: ['officialReception'], when: (eb) => eb('t.official_reception_fen', '>', 0), line: 'components' },
  { fields: ['vehicleOperation'], when: (eb) => eb('t.vehicle_operation_fen', '>', 0), line: 'components' },
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

/** Per province, how many agencies form each family of some rows. */
async function count<R>(rows: Promise<Record<string, unknown>[]>, families: FamilyOf<R>[]): Promise<FigureFamily[]> {
  return (await rows).flatMap((r) =>
    families.map((f, i) => ({ province: String(r.province), fields: f.fields, agencyCount: Number(r[`f${i}`] ?? 0), line: f.line ?? null, published: f.published ?? true })),
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
    ),
};

/** Provinces for an IN list (never empty: an empty IN is invalid SQL on some dialects). */
const scope = (provinces: readonly string[]) => (provinces.length ? [...provinces] : ['']);
