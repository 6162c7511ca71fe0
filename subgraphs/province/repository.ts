import { type AliasedSelectQueryBuilder, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { buildingsWithStandard } from './db/building-standard.js';
import { toPrecision } from '../../common/exact.js';
import type { ProvinceDatabase } from './db/database.js';
import { readDataVersion, type DataVersion } from './db/data-version.js';
import { standardSource, toLocalRows } from './db/mapping.js';
import type { AgencyRow, AssetTransferRow, StandardDatabase, StandardTable, StoredBuildingRow } from './db/schema.js';

/** What the 公物仓 pool shows of an asset's holder (the policy's pool-context class): never personal data or addresses. */
export type PoolHolderRow = Pick<AgencyRow, 'id' | 'province' | 'name' | 'level' | 'division_code'>;

/** A condition on the standard row aliased `t`. */
// The derived table's type is chosen per call; conditions are built against its standard columns.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Condition = (eb: ExpressionBuilder<any, 't'>) => Expression<SqlBool>;

/** The orders each list offers: order name -> [standard column, direction]. */
export const ORDERS = {
  agencies: { ID_ASC: ['id', 'ASC'], ESTABLISHED_STAFF_DESC: ['established_staff', 'DESC'] },
  buildings: { ID_ASC: ['id', 'ASC'], CONSTRUCTION_AREA_DESC: ['construction_area', 'DESC'] },
  assets: {
    ID_ASC: ['id', 'ASC'],
    ORIGINAL_VALUE_DESC: ['original_value_fen', 'DESC'],
    ORIGINAL_VALUE_ASC: ['original_value_fen', 'ASC'],
    NET_VALUE_DESC: ['net_value_fen', 'DESC'],
    ACQUIRED_ON_DESC: ['acquired_on', 'DESC'],
  },
  vehicles: { ID_ASC: ['id', 'ASC'], PRICE_DESC: ['price_fen', 'DESC'], PURCHASED_ON_DESC: ['purchased_on', 'DESC'] },
  energy_reports: { ID_ASC: ['id', 'ASC'], TOTAL_KGCE_DESC: ['total_kgce_milli', 'DESC'] },
  operating_costs: { ID_ASC: ['id', 'ASC'], TOTAL_DESC: ['total_fen', 'DESC'] },
} as const satisfies Partial<Record<StandardTable, Record<string, readonly [string, 'ASC' | 'DESC']>>>;
/** A table that has a paged list. */
export type ListTable = keyof typeof ORDERS;

/**
 * The standard view of one province database: aggregates, writes and the data version. Rows
 * are read for a caller only through {@link VisibleRows} (visible-rows.ts). All methods are
 * batched or bounded.
 */
export class Repository {
  readonly db: Kysely<StandardDatabase>;

  constructor(private readonly pdb: ProvinceDatabase) {
    this.db = pdb.db;
  }

  /** The database's change marker (see {@link readDataVersion}). */
  dataVersion(): Promise<DataVersion> {
    return readDataVersion(this.pdb);
  }

  /** The standard-shaped derived table `t` over a table's local storage, with the columns the contract derives (buildings: the 2014 standard). */
  source<T extends StandardTable, A extends string = 't'>(table: T, alias: A = 't' as A): AliasedSelectQueryBuilder<StandardDatabase[T], A> {
    const stored = <S extends StandardTable, B extends string>(name: S, as: B) => standardSource<S, B>(this.db, this.pdb.adapter, this.pdb.tables.get(name)!, as);
    if (table !== 'buildings') return stored(table, alias);
    const buildings = stored('buildings', 'b') as unknown as AliasedSelectQueryBuilder<StoredBuildingRow, 'b'>;
    return buildingsWithStandard(this.db, buildings, stored('agencies', 'a'), alias) as unknown as AliasedSelectQueryBuilder<StandardDatabase[T], A>;
  }

  /**
   * The pool context of the agencies holding some assets (name, level, division): the one read
   * of agency data that is not a visible row, so it selects those columns and nothing else.
   */
  async poolHolders(agencyIds: readonly string[]): Promise<PoolHolderRow[]> {
    if (agencyIds.length === 0) return [];
    return this.db
      .selectFrom(this.source('agencies'))
      .select(['t.id', 't.province', 't.name', 't.level', 't.division_code'])
      .where('t.id', 'in', [...agencyIds])
      .execute() as Promise<PoolHolderRow[]>;
  }

  /** The 公物仓 transfer records of some asset cards (read for cards the caller already sees). */
  async transferRecords(assetIds: readonly string[]): Promise<AssetTransferRow[]> {
    if (assetIds.length === 0) return [];
    return this.db
      .selectFrom(this.source('asset_transfers'))
      .selectAll()
      .where('t.asset_id', 'in', [...assetIds])
      .execute();
  }

  /** Energy totals of one year over some provinces; sums rounded to their field's precision. */
  async energySummary(provinces: readonly string[], year: number) {
    const r = await this.db
      .selectFrom(this.source('energy_reports'))
      .where('t.province', 'in', provinces.length ? [...provinces] : [''])
      .where('t.year', '=', year)
      .select((eb) => [
        eb.fn.countAll<number>().as('reportCount'),
        eb.fn.sum<number>('t.building_area').as('buildingArea'),
        eb.fn.sum<number>('t.energy_using_people').as('energyUsingPeople'),
        eb.fn.sum<number>('t.electricity_kwh').as('electricityKwh'),
        eb.fn.sum<number>('t.water_m3').as('waterM3'),
        eb.fn.sum<number>('t.coal_kg').as('coalKg'),
        eb.fn.sum<number>('t.natural_gas_m3').as('naturalGasM3'),
        eb.fn.sum<number>('t.lpg_kg').as('lpgKg'),
        eb.fn.sum<number>('t.gasoline_l').as('gasolineL'),
        eb.fn.sum<number>('t.diesel_l').as('dieselL'),
        eb.fn.sum<number>('t.heat_mj').as('heatMj'),
        eb.fn.sum<number>('t.cost_fen').as('costFen'),
        eb.fn.sum<number>('t.total_kgce_milli').as('kgceMilli'),
      ])
      .executeTakeFirstOrThrow();
    const n = (v: unknown, digits = 2) => toPrecision(Number(v ?? 0), digits);
    return {
      year,
      provinceCount: provinces.length,
      reportCount: Number(r.reportCount),
      buildingArea: n(r.buildingArea),
      energyUsingPeople: Number(r.energyUsingPeople ?? 0),
      electricityKwh: n(r.electricityKwh, 0),
      waterM3: n(r.waterM3),
      coalKg: n(r.coalKg),
      naturalGasM3: n(r.naturalGasM3),
      lpgKg: n(r.lpgKg),
      gasolineL: n(r.gasolineL),
      dieselL: n(r.dieselL),
      heatMj: n(r.heatMj),
      costYuan: Number(r.costFen ?? 0) / 100,
      totalKgce: Number(r.kgceMilli ?? 0) / 1000,
    };
  }

  /** Asset totals over some provinces (disposed and transferred-out cards excluded). */
  async assetSummary(provinces: readonly string[]) {
    const r = await this.db
      .selectFrom(this.source('assets'))
      .where('t.province', 'in', provinces.length ? [...provinces] : [''])
      // A card transferred out lives on as the receiving agency's card: counted there, once.
      .where('t.status', 'not in', ['DISPOSED', 'TRANSFERRED_OUT'])
      .select((eb) => [
        eb.fn.countAll<number>().as('assetCount'),
        eb.fn.sum<number>('t.original_value_fen').as('originalFen'),
        eb.fn.sum<number>('t.net_value_fen').as('netFen'),
        eb.fn.sum<number>(eb.case().when('t.status', '=', 'IDLE').then(1).else(0).end()).as('idleCount'),
        eb.fn.sum<number>('t.offered_to_pool').as('pooledCount'),
        eb.fn.sum<number>(eb.case().when('t.offered_to_pool', '=', 1).then(eb.ref('t.original_value_fen')).else(0).end()).as('pooledFen'),
      ])
      .executeTakeFirstOrThrow();
    return {
      provinceCount: provinces.length,
      assetCount: Number(r.assetCount),
      originalValue: Number(r.originalFen ?? 0) / 100,
      netValue: Number(r.netFen ?? 0) / 100,
      idleCount: Number(r.idleCount ?? 0),
      pooledCount: Number(r.pooledCount ?? 0),
      pooledOriginalValue: Number(r.pooledFen ?? 0) / 100,
    };
  }

  /** Vehicle totals over some provinces (disposed vehicles excluded). */
  async vehicleSummary(provinces: readonly string[]) {
    const r = await this.db
      .selectFrom(this.source('vehicles'))
      .where('t.province', 'in', provinces.length ? [...provinces] : [''])
      .where('t.status', '!=', 'DISPOSED')
      .select((eb) => {
        const countWhen = (column: 't.status' | 't.category' | 't.energy_type', value: string) => eb.fn.sum<number>(eb.case().when(column, '=', value).then(1).else(0).end());
        return [
          eb.fn.countAll<number>().as('vehicleCount'),
          countWhen('t.status', 'IN_SERVICE').as('inServiceCount'),
          eb.fn.sum<number>(eb.case().when('t.energy_type', 'in', ['BATTERY_ELECTRIC', 'PLUG_IN_HYBRID']).then(1).else(0).end()).as('newEnergyCount'),
          countWhen('t.category', 'CONFIDENTIAL_COMMUNICATION').as('confidentialCommunicationCount'),
          countWhen('t.category', 'EMERGENCY').as('emergencyCount'),
          countWhen('t.category', 'LAW_ENFORCEMENT').as('lawEnforcementCount'),
          countWhen('t.category', 'SPECIAL_TECHNICAL').as('specialTechnicalCount'),
          countWhen('t.category', 'OTHER').as('otherCount'),
          eb.fn.sum<number>('t.price_fen').as('priceFen'),
        ];
      })
      .executeTakeFirstOrThrow();
    const { priceFen, ...counts } = r;
    return {
      provinceCount: provinces.length,
      ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v ?? 0)])),
      totalPriceYuan: Number(priceFen ?? 0) / 100,
    };
  }

  /** Office-space totals over some provinces. */
  async officeSpaceSummary(provinces: readonly string[]) {
    const r = await this.db
      .selectFrom(this.source('buildings'))
      .where('t.province', 'in', provinces.length ? [...provinces] : [''])
      .select((eb) => [
        eb.fn.countAll<number>().as('buildingCount'),
        eb.fn.sum<number>('t.construction_area').as('constructionArea'),
        eb.fn.sum<number>('t.office_room_usable_area').as('officeRoomUsableArea'),
        eb.fn.sum<number>('t.staff_count').as('staffCount'),
        eb.fn.sum<number>('t.exceeds_standard').as('exceedingCount'),
      ])
      .executeTakeFirstOrThrow();
    return {
      provinceCount: provinces.length,
      buildingCount: Number(r.buildingCount),
      constructionArea: toPrecision(Number(r.constructionArea ?? 0), 2),
      officeRoomUsableArea: toPrecision(Number(r.officeRoomUsableArea ?? 0), 2),
      staffCount: Number(r.staffCount ?? 0),
      exceedingCount: Number(r.exceedingCount ?? 0),
    };
  }

  /** Operating-cost totals of one year over some provinces. */
  async operatingCostSummary(provinces: readonly string[], year: number) {
    const r = await this.db
      .selectFrom(this.source('operating_costs'))
      .innerJoin(this.source('agencies', 'a'), 'a.id', 't.agency_id')
      .where('t.province', 'in', provinces.length ? [...provinces] : [''])
      .where('t.year', '=', year)
      .select((eb) => [
        eb.fn.countAll<number>().as('agencyCount'),
        eb.fn.sum<number>('a.actual_staff').as('staffCount'),
        eb.fn.sum<number>('t.total_fen').as('totalFen'),
        eb.fn.sum<number>('t.salaries_fen').as('salariesFen'),
        eb.fn.sum<number>('t.official_reception_fen').as('receptionFen'),
        eb.fn.sum<number>('t.vehicle_operation_fen').as('vehicleFen'),
      ])
      .executeTakeFirstOrThrow();
    return {
      year,
      provinceCount: provinces.length,
      agencyCount: Number(r.agencyCount),
      staffCount: Number(r.staffCount ?? 0),
      total: Number(r.totalFen ?? 0) / 100,
      salaries: Number(r.salariesFen ?? 0) / 100,
      officialReception: Number(r.receptionFen ?? 0) / 100,
      vehicleOperation: Number(r.vehicleFen ?? 0) / 100,
    };
  }

  /** Updates standard columns of one row through the local mapping. */
  async update<T extends StandardTable>(table: T, id: string, changes: Partial<StandardDatabase[T]>, db: Kysely<StandardDatabase> = this.db): Promise<void> {
    const resolved = this.pdb.tables.get(table)!;
    const { main, split } = toLocalRows(resolved, changes as Record<string, unknown>);
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const idColumn = resolved.byStandard.get('id')!.column;
    if (Object.keys(main).length) await raw.updateTable(resolved.table).set(main).where(idColumn, '=', id).execute();
    if (split && resolved.split) {
      const { [resolved.split.key]: _key, ...values } = split;
      if (Object.keys(values).length) await raw.updateTable(resolved.split.table).set(values).where(resolved.split.key, '=', id).execute();
    }
  }

  /**
   * Changes one row only while it still has the `expected` values, in one statement (on
   * PostgreSQL and MySQL a concurrent claimer waits for the row and then finds it changed).
   * Whether the row changed; `expected` must name columns of the main local table.
   */
  async claim<T extends StandardTable>(
    table: T,
    id: string,
    expected: Partial<StandardDatabase[T]>,
    changes: Partial<StandardDatabase[T]>,
    db: Kysely<StandardDatabase> = this.db,
  ): Promise<boolean> {
    const resolved = this.pdb.tables.get(table)!;
    const { main: where, split: whereSplit } = toLocalRows(resolved, expected as Record<string, unknown>);
    const { main, split } = toLocalRows(resolved, changes as Record<string, unknown>);
    if (whereSplit || split) throw new Error(`claim: ${table} keeps a claimed column in its side table`);
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    let update = raw.updateTable(resolved.table).set(main).where(resolved.byStandard.get('id')!.column, '=', id);
    for (const [column, value] of Object.entries(where)) update = update.where(column, '=', value);
    const [result] = await update.execute();
    return Number(result?.numUpdatedRows ?? 0) === 1;
  }

  /** Inserts one standard row through the local mapping. */
  async insert<T extends StandardTable>(table: T, row: StandardDatabase[T], db: Kysely<StandardDatabase> = this.db): Promise<void> {
    const resolved = this.pdb.tables.get(table)!;
    const { main, split } = toLocalRows(resolved, row as unknown as Record<string, unknown>);
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await raw.insertInto(resolved.table).values(main).execute();
    if (split && resolved.split) await raw.insertInto(resolved.split.table).values(split).execute();
  }

  /** Runs work in one transaction; the callback gets a repository bound to it. */
  transaction<R>(work: (trx: Repository) => Promise<R>): Promise<R> {
    return this.db.transaction().execute((trx) => work(new Repository({ ...this.pdb, db: trx })));
  }
}
