import type { Repository } from '../repository.js';
import type { OperatingCostRow } from '../db/schema.js';
import { checkYearRange } from '../../../common/breakdown.js';
import { groupRows, leastAgencies, type BreakdownGroup } from './groups.js';

/** The dimensions the operating-cost breakdown groups by (besides the year). */
export const OPERATING_COST_DIMENSIONS = ['PROVINCE', 'AGENCY_LEVEL', 'COMPONENT'] as const;
/** One dimension of the operating-cost breakdown. */
export type OperatingCostDimension = (typeof OPERATING_COST_DIMENSIONS)[number];

/** The components of 机关运行成本 (GB/T 44889-2024 blocks, as the cost record stores them), by their CostComponent value. */
export const COST_COMPONENTS = {
  SALARIES: 'salaries_fen',
  OFFICE_EXPENSES: 'office_expenses_fen',
  UTILITIES: 'utilities_fen',
  PROPERTY_MANAGEMENT: 'property_management_fen',
  TRAVEL: 'travel_fen',
  MAINTENANCE: 'maintenance_fen',
  MEETINGS_AND_TRAINING: 'meetings_training_fen',
  OFFICIAL_RECEPTION: 'official_reception_fen',
  VEHICLE_OPERATION: 'vehicle_operation_fen',
  DEPRECIATION: 'depreciation_fen',
  OTHER: 'other_fen',
} as const satisfies Record<string, keyof OperatingCostRow>;
type Component = keyof typeof COST_COMPONENTS;
const COMPONENTS = Object.keys(COST_COMPONENTS) as Component[];

/** One group's additive parts in one province (money in fen, exact integers). */
interface CostPart {
  province: string;
  agencyLevel: string | null;
  component: Component | null;
  year: number;
  agencyCount: number;
  amountFen: number;
  totalFen: number;
  staffedAgencyCount: number;
  staffCount: number;
  staffedAmountFen: number;
  /** Agencies whose amount is above zero: those the amount is the figure of. */
  spendingAgencies: number;
}

/**
 * Operating-cost records of some provinces from `from` to `to`, grouped by the dimensions
 * asked. A component group is one column of the records (every agency reports every
 * component, a zero included), so its agencies are its records' and `total` is theirs too: its
 * share is amount / total. Per person uses the head count of that year: the 用能人数 of the
 * agency's energy report of the same year (people working in its offices, established or not),
 * over the agencies that filed one; `staffedAmount` is their part of the amount.
 */
export async function operatingCostBreakdown(
  repo: Repository,
  provinces: readonly string[],
  args: { from: number; to: number; by: readonly OperatingCostDimension[] },
): Promise<BreakdownGroup[]> {
  checkYearRange(args.from, args.to);
  const by = new Set(args.by);
  const rows = await repo.db
    .selectFrom(repo.source('operating_costs'))
    .innerJoin(repo.source('agencies', 'a'), 'a.id', 't.agency_id')
    .leftJoin(repo.source('energy_reports', 'e'), (join) => join.onRef('e.agency_id', '=', 't.agency_id').onRef('e.year', '=', 't.year'))
    .where('t.province', 'in', provinces.length ? [...provinces] : [''])
    .where('t.year', '>=', args.from)
    .where('t.year', '<=', args.to)
    .select(['t.province', 't.year'])
    .groupBy(['t.province', 't.year'])
    .$if(by.has('AGENCY_LEVEL'), (q) => q.select('a.level').groupBy('a.level'))
    .select((eb) => {
      const staffed = <C extends `t.${keyof OperatingCostRow}`>(column: C) => eb.fn.sum<number>(eb.case().when('e.id', 'is not', null).then(eb.ref(column)).else(0).end());
      const spending = <C extends `t.${keyof OperatingCostRow}`>(column: C) =>
        eb.fn
          .count<number>(
            eb
              .case()
              // Every component column is an integer of fen: one of them stands for the type.
              .when(column as 't.total_fen', '>', 0)
              .then(eb.ref('t.agency_id'))
              .end(),
          )
          .distinct();
      return [
        eb.fn.countAll<number>().as('agencies'),
        eb.fn.count<number>('e.id').as('staffed'),
        eb.fn.sum<number>('e.energy_using_people').as('people'),
        eb.fn.sum<number>('t.total_fen').as('total'),
        staffed('t.total_fen').as('s_TOTAL'),
        spending('t.total_fen').as('p_TOTAL'),
        ...COMPONENTS.flatMap((c) => [
          eb.fn.sum<number>(`t.${COST_COMPONENTS[c]}`).as(`a_${c}`),
          staffed(`t.${COST_COMPONENTS[c]}`).as(`s_${c}`),
          spending(`t.${COST_COMPONENTS[c]}`).as(`p_${c}`),
        ]),
      ];
    })
    .execute();
  const parts = rows.flatMap((r): CostPart[] => {
    const row = r as typeof r & Record<string, unknown>;
    const key = { province: r.province, agencyLevel: by.has('AGENCY_LEVEL') ? (row.level as string) : null, year: Number(r.year) };
    const common = { agencyCount: Number(r.agencies), totalFen: Number(r.total ?? 0), staffedAgencyCount: Number(r.staffed), staffCount: Number(r.people ?? 0) };
    const part = (component: Component | null): CostPart => ({
      ...key,
      ...common,
      component,
      amountFen: component ? Number(row[`a_${component}`] ?? 0) : common.totalFen,
      staffedAmountFen: Number(row[`s_${component ?? 'TOTAL'}`] ?? 0),
      spendingAgencies: Number(row[`p_${component ?? 'TOTAL'}`] ?? 0),
    });
    return by.has('COMPONENT') ? COMPONENTS.map(part) : [part(null)];
  });
  const groups = groupRows(parts, ['province', 'agencyLevel', 'component', 'year'], by.has('PROVINCE'), {
    agencyCount: 0,
    amountFen: 0,
    totalFen: 0,
    staffedAgencyCount: 0,
    staffCount: 0,
    staffedAmountFen: 0,
    spendingAgencies: 0,
  });
  return groups.map(({ amountFen, totalFen, staffedAmountFen, spendingAgencies, ...g }) => ({
    ...g,
    amount: amountFen / 100,
    total: totalFen / 100,
    staffedAmount: staffedAmountFen / 100,
    // The amount is its spending agencies' figure; per person, the staffed agencies' and (from the total) the others'.
    leastAgencyCount: leastAgencies(g.agencyCount, spendingAgencies, g.staffedAgencyCount, g.agencyCount - g.staffedAgencyCount),
  }));
}
