import { ratio } from '../../common/exact.js';
import { pageSize } from '../../common/pagination.js';
import type { AgencyRow, AssetRow, AssetTransferRow, BuildingRow, EnergyReportRow, OperatingCostRow, VehicleRow } from './db/schema.js';
import type { ListTable, PoolHolderRow, Repository } from './repository.js';
import type { ListFilter, VisibleRows } from './visible-rows.js';
import type { Loaders } from './loaders.js';
import { scopeProvinces, type ScopeArgs } from './scope.js';
import { mutationResolvers } from './mutations.js';
import { workflowStepResolvers } from './workflow-steps.js';
import type { RegionMembership } from '../../common/regions/membership.js';
import { guarded, requireAccess } from '../../common/auth/subgraph-auth.js';
import type { QualityReports } from './data-quality/report.js';
import { mayAccess, rowScope } from '../../common/auth/policy.js';
import type { Principal } from '../../common/auth/principal.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { energyBreakdown } from './breakdowns/energy.js';
import { assetBreakdown } from './breakdowns/assets.js';
import { vehicleBreakdown } from './breakdowns/vehicles.js';
import { officeSpaceBreakdown } from './breakdowns/office-space.js';
import { operatingCostBreakdown } from './breakdowns/operating-costs.js';
import type { BreakdownGroup } from './breakdowns/groups.js';
import { summaryFamilies } from './summary-families.js';
import { checkYear } from '../../common/breakdown.js';
import { checkCombinedDimensions, DEFAULT_MIN_AGENCIES, disclosureCallerOf, type FigureFamily } from '../../common/disclosure.js';

/** What every resolver of a province instance receives. */
export interface ProvinceContext {
  /** Aggregates, writes and the data version; rows are read through `rows` only. */
  repo: Repository;
  /** The rows the caller may read: every row any resolver yields comes from here. */
  rows: VisibleRows;
  loaders: Loaders;
  /** Province codes this instance serves (one in production; several in a combined reference database). */
  served: readonly string[];
  /** The caller, from the gateway's assertion. */
  principal: Principal;
  /** Which provinces form each region for this request, from the same assertion. */
  regions: RegionMembership;
  /** The instance's data-quality reports (shared by its requests). */
  quality: QualityReports;
  requestId: string;
}

interface ListArgs {
  filter?: ListFilter | null;
  orderBy?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Resolves one paged list: scope, filters, order, page. */
function list(table: ListTable) {
  return (_: unknown, args: ListArgs, ctx: ProvinceContext) => {
    requireAccess(ctx.principal, 'rows');
    return ctx.rows.page(table, args.filter, args.orderBy ?? 'ID_ASC', pageSize(args.first), args.after);
  };
}

/** One row by id, or null when it does not exist or the principal may not read it. */
function lookup(table: ListTable) {
  return async (id: string, ctx: ProvinceContext) => {
    requireAccess(ctx.principal, 'rows');
    const [row] = await ctx.rows.byIds(table, [id]);
    return row ?? null;
  };
}
const lookups = {
  agency: lookup('agencies'),
  building: lookup('buildings'),
  asset: lookup('assets'),
  vehicle: lookup('vehicles'),
  energyReport: lookup('energy_reports'),
  operatingCost: lookup('operating_costs'),
};

/**
 * What a province says of its own answer to an aggregate: nothing of it is missing, read now.
 * Whether the scope's other provinces answered is the gateway's to say (gateway/shard/completeness.ts).
 */
const answered = { coverage: () => ({ complete: true, missingProvinces: [], asOf: new Date().toISOString() }) };

/** What a province says of a summary's withheld figures: none; the gateway withholds (gateway/shard/summary-disclosure.ts). */
const summarised = { ...answered, withheld: () => [] };

/** A summary's figures, with the families of agencies that form them (summary-families.ts), read together. */
async function withFamilies<F extends object>(figures: Promise<F>, families: Promise<FigureFamily[]>): Promise<F & { families: FigureFamily[] }> {
  const [f, fam] = await Promise.all([figures, families]);
  return { ...f, families: fam };
}

const summaries = {
  energySummary: (provinces: string[], ctx: ProvinceContext, args: { year: number }) => {
    checkYear(args.year);
    return withFamilies(ctx.repo.energySummary(provinces, args.year), summaryFamilies.energySummary(ctx.repo, provinces, args.year));
  },
  assetSummary: (provinces: string[], ctx: ProvinceContext) => withFamilies(ctx.repo.assetSummary(provinces), summaryFamilies.assetSummary(ctx.repo, provinces)),
  vehicleSummary: (provinces: string[], ctx: ProvinceContext) => withFamilies(ctx.repo.vehicleSummary(provinces), summaryFamilies.vehicleSummary(ctx.repo, provinces)),
  officeSpaceSummary: (provinces: string[], ctx: ProvinceContext) => withFamilies(ctx.repo.officeSpaceSummary(provinces), summaryFamilies.officeSpaceSummary(ctx.repo, provinces)),
  operatingCostSummary: (provinces: string[], ctx: ProvinceContext, args: { year: number }) => {
    checkYear(args.year);
    return withFamilies(ctx.repo.operatingCostSummary(provinces, args.year), summaryFamilies.operatingCostSummary(ctx.repo, provinces, args.year));
  },
};

/** Summary fields of an entity (Province, Region) whose provinces come from the parent. */
function summaryFields(provincesOf: (parent: { code: string }, ctx: ProvinceContext) => string[]) {
  return Object.fromEntries(
    Object.entries(summaries).map(([name, fn]) => [
      name,
      (parent: { code: string }, args: { year: number }, ctx: ProvinceContext) => {
        requireAccess(ctx.principal, 'aggregate');
        return fn(provincesOf(parent, ctx), ctx, args);
      },
    ]),
  );
}

/**
 * A breakdown root field: a province answers its groups as additive parts; the gateway merges
 * provinces, withholds small groups and orders (gateway/shard/breakdown.ts).
 */
function breakdownField<A>(group: (repo: Repository, provinces: readonly string[], args: A) => Promise<BreakdownGroup[]>) {
  return async (_: unknown, args: A & { scope?: ScopeArgs; by?: readonly string[] }, ctx: ProvinceContext) => {
    requireAccess(ctx.principal, 'aggregate');
    const provinces = scopeProvinces(ctx.served, args.scope, ctx.regions);
    // Again here, not only at the gateway: a caller who cannot add up these provinces combines one dimension at most.
    const caller = disclosureCallerOf(ctx.principal, DEFAULT_MIN_AGENCIES);
    checkCombinedDimensions(
      (args.by ?? []).filter((d) => d !== 'PROVINCE'),
      provinces.every((p) => caller.knows(p).all),
    );
    return { groups: await group(ctx.repo, provinces, args) };
  };
}

/** Each breakdown root field, from its grouping of the rows in scope. */
const breakdowns = {
  energyBreakdown: breakdownField(energyBreakdown),
  assetBreakdown: breakdownField(assetBreakdown),
  vehicleBreakdown: breakdownField(vehicleBreakdown),
  officeSpaceBreakdown: breakdownField(officeSpaceBreakdown),
  operatingCostBreakdown: breakdownField(operatingCostBreakdown),
};

const provinceRef = (row: { province: string }) => ({ code: row.province });
const yuan = (fen: number) => fen / 100;

/** Resolvers of the province subgraph. */
export const provinceResolvers = {
  Query: {
    _dataVersion: guarded('system', (_: unknown, __: unknown, ctx: ProvinceContext) => ctx.repo.dataVersion()),
    agencies: list('agencies'),
    buildings: list('buildings'),
    assets: list('assets'),
    vehicles: list('vehicles'),
    energyReports: list('energy_reports'),
    operatingCosts: list('operating_costs'),
    agency: (_: unknown, { id }: { id: string }, ctx: ProvinceContext) => lookups.agency(id, ctx),
    building: (_: unknown, { id }: { id: string }, ctx: ProvinceContext) => lookups.building(id, ctx),
    asset: (_: unknown, { id }: { id: string }, ctx: ProvinceContext) => lookups.asset(id, ctx),
    vehicle: (_: unknown, { id }: { id: string }, ctx: ProvinceContext) => lookups.vehicle(id, ctx),
    ...workflowStepResolvers.Query,
    dataQuality: (_: unknown, { province }: { province: string }, ctx: ProvinceContext) => ctx.quality.report(ctx.principal, String(province)),
    ...breakdowns,
    ...Object.fromEntries(
      Object.entries(summaries).map(([name, fn]) => [
        name,
        (_: unknown, args: { year: number; scope?: ScopeArgs }, ctx: ProvinceContext) => {
          requireAccess(ctx.principal, 'aggregate');
          return fn(scopeProvinces(ctx.served, args.scope, ctx.regions), ctx, args);
        },
      ]),
    ),
  },
  Mutation: { ...mutationResolvers, ...workflowStepResolvers.Mutation },
  Province: {
    __resolveReference: (ref: { code: string }) => ({ code: ref.code }),
    ...summaryFields((p, ctx) => scopeProvinces(ctx.served, { province: p.code }, ctx.regions)),
  },
  Region: {
    __resolveReference: (ref: { code: string }) => ({ code: ref.code }),
    ...summaryFields((r, ctx) => scopeProvinces(ctx.served, { region: r.code }, ctx.regions)),
  },
  Agency: {
    __resolveReference: (ref: { id: string }, ctx: ProvinceContext) => lookups.agency(ref.id, ctx),
    province: provinceRef,
    contactPerson: guarded('personal', (a: AgencyRow) => a.contact_person),
    contactPhone: guarded('personal', (a: AgencyRow) => a.contact_phone),
    creditCode: (a: AgencyRow) => a.credit_code,
    divisionCode: (a: AgencyRow) => a.division_code,
    establishedStaff: (a: AgencyRow) => a.established_staff,
    actualStaff: (a: AgencyRow) => a.actual_staff,
    buildings: (a: AgencyRow, _: unknown, ctx: ProvinceContext) => ctx.loaders.buildingsByAgency.load(a.id),
  },
  Building: {
    __resolveReference: (ref: { id: string }, ctx: ProvinceContext) => lookups.building(ref.id, ctx),
    province: provinceRef,
    restricted: (b: BuildingRow) => b.restricted === 1,
    // A restricted building's exact address: national administrators and its own province's only.
    address: (b: BuildingRow, _: unknown, ctx: ProvinceContext) => {
      if (b.restricted === 1 && !(mayAccess(ctx.principal, 'restricted-address') && rowScope(ctx.principal, b.province).kind === 'all')) {
        throw userError(ErrorCode.FORBIDDEN, 'The exact address of a restricted building is not shown to this role.');
      }
      return b.address;
    },
    agency: (b: BuildingRow, _: unknown, ctx: ProvinceContext) => ctx.loaders.agency.load(b.agency_id),
    buildYear: (b: BuildingRow) => b.build_year,
    constructionArea: (b: BuildingRow) => b.construction_area,
    officeRoomUsableArea: (b: BuildingRow) => b.office_room_usable_area,
    staffCount: (b: BuildingRow) => b.staff_count,
    establishedStaff: (b: BuildingRow) => b.established_staff,
    officeAreaPerCapita: (b: BuildingRow) => ratio(b.office_room_usable_area, b.staff_count),
    standardConstructionArea: (b: BuildingRow) => b.standard_area,
    exceedsStandard: (b: BuildingRow) => (b.exceeds_standard === null ? null : Number(b.exceeds_standard) === 1),
  },
  Asset: {
    __resolveReference: (ref: { id: string }, ctx: ProvinceContext) => lookups.asset(ref.id, ctx),
    province: provinceRef,
    categoryCode: (a: AssetRow) => a.category_code,
    topCategoryCode: (a: AssetRow) => a.category_code.slice(0, 3),
    originalValue: (a: AssetRow) => yuan(a.original_value_fen),
    netValue: (a: AssetRow) => yuan(a.net_value_fen),
    acquiredOn: (a: AssetRow) => a.acquired_on,
    offeredToPool: (a: AssetRow) => a.offered_to_pool === 1,
    offeredAt: (a: AssetRow) => a.offered_at,
    // Null when the holder's record is outside the caller's scope (a pooled asset of another
    // province or agency); `holder` then gives the pool context.
    agency: (a: AssetRow, _: unknown, ctx: ProvinceContext) => ctx.loaders.agency.load(a.agency_id),
    holder: async (a: AssetRow, _: unknown, ctx: ProvinceContext) => {
      requireAccess(ctx.principal, 'pool-context');
      return ctx.loaders.poolHolder.load(a.agency_id);
    },
    building: (a: AssetRow, _: unknown, ctx: ProvinceContext) => (a.building_id ? ctx.loaders.building.load(a.building_id) : null),
    transferredToId: async (a: AssetRow, _: unknown, ctx: ProvinceContext) =>
      a.status === 'TRANSFERRED_OUT' ? ((await ctx.loaders.transferRecords.load(a.id)).find((r) => r.state === 'TRANSFERRED_OUT')?.counterpart_asset_id ?? null) : null,
    provenance: async (a: AssetRow, _: unknown, ctx: ProvinceContext) => (await ctx.loaders.transferRecords.load(a.id)).find((r) => r.direction === 'IN') ?? null,
  },
  AssetProvenance: {
    transferId: (r: AssetTransferRow) => r.transfer_id,
    sourceAssetId: (r: AssetTransferRow) => r.source_asset_id,
    sourceProvince: (r: AssetTransferRow) => ({ code: r.source_asset_id.slice(0, 6) }),
    categoryCode: (r: AssetTransferRow) => r.category_code,
    originalValue: (r: AssetTransferRow) => yuan(r.original_value_fen),
    netValue: (r: AssetTransferRow) => yuan(r.net_value_fen),
    acquiredOn: (r: AssetTransferRow) => r.acquired_on,
  },
  Vehicle: {
    __resolveReference: (ref: { id: string }, ctx: ProvinceContext) => lookups.vehicle(ref.id, ctx),
    province: provinceRef,
    plateNumber: guarded('vehicle-identity', (v: VehicleRow) => v.plate_number),
    assignedDriver: guarded('personal', (v: VehicleRow) => v.assigned_driver),
    energyType: (v: VehicleRow) => v.energy_type,
    newEnergy: (v: VehicleRow) => v.energy_type === 'BATTERY_ELECTRIC' || v.energy_type === 'PLUG_IN_HYBRID',
    priceYuan: (v: VehicleRow) => yuan(v.price_fen),
    displacementL: (v: VehicleRow) => (v.displacement_ml === null ? null : v.displacement_ml / 1000),
    purchasedOn: (v: VehicleRow) => v.purchased_on,
    mileageKm: (v: VehicleRow) => v.mileage_km,
    agency: (v: VehicleRow, _: unknown, ctx: ProvinceContext) => ctx.loaders.agency.load(v.agency_id),
  },
  EnergyGroup: {
    withheld: () => null,
    kgcePerCapita: (g: { kgce: number; energyUsingPeople: number }) => ratio(g.kgce, g.energyUsingPeople),
    kgcePerArea: (g: { kgce: number; buildingArea: number }) => ratio(g.kgce, g.buildingArea),
  },
  EnergyReport: {
    __resolveReference: (ref: { id: string }, ctx: ProvinceContext) => lookups.energyReport(ref.id, ctx),
    province: provinceRef,
    agency: (r: EnergyReportRow, _: unknown, ctx: ProvinceContext) => ctx.loaders.agency.load(r.agency_id),
    buildingArea: (r: EnergyReportRow) => r.building_area,
    energyUsingPeople: (r: EnergyReportRow) => r.energy_using_people,
    electricityKwh: (r: EnergyReportRow) => r.electricity_kwh,
    waterM3: (r: EnergyReportRow) => r.water_m3,
    coalKg: (r: EnergyReportRow) => r.coal_kg,
    naturalGasM3: (r: EnergyReportRow) => r.natural_gas_m3,
    lpgKg: (r: EnergyReportRow) => r.lpg_kg,
    gasolineL: (r: EnergyReportRow) => r.gasoline_l,
    dieselL: (r: EnergyReportRow) => r.diesel_l,
    heatMj: (r: EnergyReportRow) => r.heat_mj,
    costYuan: (r: EnergyReportRow) => yuan(r.cost_fen),
    totalKgce: (r: EnergyReportRow) => r.total_kgce_milli / 1000,
    kgcePerCapita: (r: EnergyReportRow) => ratio(r.total_kgce_milli / 1000, r.energy_using_people),
    kgcePerArea: (r: EnergyReportRow) => ratio(r.total_kgce_milli / 1000, r.building_area),
    waterPerCapita: (r: EnergyReportRow) => ratio(r.water_m3, r.energy_using_people),
  },
  OperatingCost: {
    __resolveReference: (ref: { id: string }, ctx: ProvinceContext) => lookups.operatingCost(ref.id, ctx),
    province: provinceRef,
    agency: (r: OperatingCostRow, _: unknown, ctx: ProvinceContext) => ctx.loaders.agency.load(r.agency_id),
    salaries: (r: OperatingCostRow) => yuan(r.salaries_fen),
    officeExpenses: (r: OperatingCostRow) => yuan(r.office_expenses_fen),
    utilities: (r: OperatingCostRow) => yuan(r.utilities_fen),
    propertyManagement: (r: OperatingCostRow) => yuan(r.property_management_fen),
    travel: (r: OperatingCostRow) => yuan(r.travel_fen),
    maintenance: (r: OperatingCostRow) => yuan(r.maintenance_fen),
    meetingsAndTraining: (r: OperatingCostRow) => yuan(r.meetings_training_fen),
    officialReception: (r: OperatingCostRow) => yuan(r.official_reception_fen),
    vehicleOperation: (r: OperatingCostRow) => yuan(r.vehicle_operation_fen),
    depreciation: (r: OperatingCostRow) => yuan(r.depreciation_fen),
    other: (r: OperatingCostRow) => yuan(r.other_fen),
    total: (r: OperatingCostRow) => yuan(r.total_fen),
  },
  PoolHolder: {
    province: provinceRef,
    agencyName: (h: PoolHolderRow) => h.name,
    agencyLevel: (h: PoolHolderRow) => h.level,
    divisionCode: (h: PoolHolderRow) => h.division_code,
  },
  EnergySummary: {
    ...summarised,
    kgcePerCapita: (s: { totalKgce: number; energyUsingPeople: number }) => ratio(s.totalKgce, s.energyUsingPeople),
    kgcePerArea: (s: { totalKgce: number; buildingArea: number }) => ratio(s.totalKgce, s.buildingArea),
    waterPerCapita: (s: { waterM3: number; energyUsingPeople: number }) => ratio(s.waterM3, s.energyUsingPeople),
  },
  AssetSummary: { ...summarised, idleShare: (s: { idleCount: number; assetCount: number }) => ratio(s.idleCount, s.assetCount) },
  VehicleSummary: { ...summarised, newEnergyShare: (s: { newEnergyCount: number; vehicleCount: number }) => ratio(s.newEnergyCount, s.vehicleCount) },
  OfficeSpaceSummary: { ...summarised, officeAreaPerCapita: (s: { officeRoomUsableArea: number; staffCount: number }) => ratio(s.officeRoomUsableArea, s.staffCount) },
  OperatingCostSummary: { ...summarised, costPerCapita: (s: { total: number; staffCount: number }) => ratio(s.total, s.staffCount) },
  EnergyBreakdown: answered,
  AssetBreakdown: answered,
  AssetGroup: { withheld: () => null },
  VehicleBreakdown: answered,
  OfficeSpaceBreakdown: answered,
  OfficeSpaceGroup: {
    withheld: () => null,
    officeAreaPerCapita: (g: { officeRoomUsableArea: number; staffCount: number }) => ratio(g.officeRoomUsableArea, g.staffCount),
    overStandardShare: (g: { overStandardAgencyCount: number; judgedAgencyCount: number }) => ratio(g.overStandardAgencyCount, g.judgedAgencyCount),
  },
  OperatingCostBreakdown: answered,
  OperatingCostGroup: {
    withheld: () => null,
    share: (g: { amount: number; total: number }) => ratio(g.amount, g.total),
    costPerCapita: (g: { staffedAmount: number; staffCount: number }) => ratio(g.staffedAmount, g.staffCount),
  },
  VehicleGroup: {
    withheld: () => null,
    newEnergyShare: (g: { newEnergyCount: number; vehicleCount: number }) => ratio(g.newEnergyCount, g.vehicleCount),
    vehiclesPerHundredStaff: (g: { vehicleCount: number; staffHundreds: number }) => ratio(g.vehicleCount, g.staffHundreds),
  },
};
