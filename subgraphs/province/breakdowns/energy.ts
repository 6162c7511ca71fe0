import { toPrecision, decimalOf, times, toNumber, unitsOf } from '../../../common/exact.js';
import { ENERGY_COEFFICIENTS, KGCE_EXACT, type EnergyType } from '../../../common/standards.js';
import { ENERGY_COLUMNS } from '../energy.js';
import type { Expression } from 'kysely';
import type { Repository } from '../repository.js';
import { checkYearRange } from '../../../common/breakdown.js';
import { groupRows, type BreakdownGroup } from './groups.js';

/** The dimensions the energy breakdown groups by. */
export const ENERGY_DIMENSIONS = ['PROVINCE', 'AGENCY_LEVEL', 'ENERGY_TYPE'] as const;
/** One dimension of the energy breakdown. */
export type EnergyDimension = (typeof ENERGY_DIMENSIONS)[number];

const TYPES = Object.keys(ENERGY_COLUMNS) as EnergyType[];

/** One group's additive parts in one province. */
interface EnergyPart {
  province: string;
  agencyLevel: string | null;
  energyType: EnergyType | null;
  /** Whether the type's kgce adds to the total (not water's); null without ENERGY_TYPE. */
  addsToKgce: boolean | null;
  year: number;
  unit: string | null;
  agencyCount: number;
  reportCount: number;
  energyUsingPeople: number;
  buildingArea: number;
  quantity: number | null;
  kgcePerUnit: number | null;
  kgce: number;
}

/** A type's kgce: its quantity times the exact coefficient, rounded once to thousandths. */
const typeKgce = (quantity: number, type: EnergyType) => unitsOf(times(decimalOf(quantity), KGCE_EXACT[type]), 3) / 1000;
const UNIT = Object.fromEntries(ENERGY_COEFFICIENTS.map((c) => [c.energyType, c.unit])) as Record<EnergyType, string>;

/**
 * Energy reports of some provinces from `from` to `to`, grouped by the dimensions asked. One
 * SQL query groups by province, year and the asked column (agency level); energy types are
 * the report's columns, so a type group is one column of those rows, its kgce the exact product
 * of the summed quantity and the type's GB/T 2589 coefficient. A type group's agencies are those
 * that used the type (quantity above zero), whose figures its quantity and kgce are; its
 * reports, people and area are all the reports' of its other dimensions (in each province where
 * the type was used), so a type group minus its total discloses nobody.
 * Groups are additive parts only: the gateway merges provinces, suppresses small groups and orders.
 */
export async function energyBreakdown(
  repo: Repository,
  provinces: readonly string[],
  args: { from: number; to: number; by: readonly EnergyDimension[] },
): Promise<BreakdownGroup[]> {
  checkYearRange(args.from, args.to);
  const by = new Set(args.by);
  const rows = await repo.db
    .selectFrom(repo.source('energy_reports'))
    .innerJoin(repo.source('agencies', 'a'), 'a.id', 't.agency_id')
    .where('t.province', 'in', provinces.length ? [...provinces] : [''])
    .where('t.year', '>=', args.from)
    .where('t.year', '<=', args.to)
    .select(['t.province', 't.year'])
    .groupBy(['t.province', 't.year'])
    .$if(by.has('AGENCY_LEVEL'), (q) => q.select('a.level').groupBy('a.level'))
    .select((eb) => [
      eb.fn.count<number>('t.agency_id').distinct().as('agencies'),
      eb.fn.countAll<number>().as('reports'),
      eb.fn.sum<number>('t.energy_using_people').as('people'),
      eb.fn.sum<number>('t.building_area').as('area'),
      eb.fn.sum<number>('t.total_kgce_milli').as('kgceMilli'),
      ...TYPES.flatMap((type) => {
        const column = `t.${ENERGY_COLUMNS[type]}` as const;
        // The agencies that used the type: whose figures its quantity and kgce are.
        const used = <V>(value: Expression<V>) => eb.case().when(column, '>', 0).then(value).end();
        return [
          eb.fn.sum<number>(column).as(`q_${type}`),
          eb.fn
            .count<number>(used(eb.ref('t.agency_id')))
            .distinct()
            .as(`n_${type}`),
        ];
      }),
    ])
    .execute();
  const parts = rows.flatMap((r): EnergyPart[] => {
    const row = r as typeof r & Record<string, unknown>;
    const key = { province: r.province, agencyLevel: by.has('AGENCY_LEVEL') ? (row.level as string) : null, year: Number(r.year) };
    const totals = { reportCount: Number(r.reports), energyUsingPeople: Number(r.people ?? 0), buildingArea: toPrecision(Number(r.area ?? 0), 2) };
    if (!by.has('ENERGY_TYPE')) {
      return [
        {
          ...key,
          energyType: null,
          addsToKgce: null,
          unit: null,
          agencyCount: Number(r.agencies),
          ...totals,
          quantity: null,
          kgcePerUnit: null,
          kgce: Number(r.kgceMilli ?? 0) / 1000,
        },
      ];
    }
    return TYPES.filter((type) => Number(row[`n_${type}`]) > 0).map((type) => {
      const quantity = toPrecision(Number(row[`q_${type}`] ?? 0), 2);
      return {
        ...key,
        energyType: type,
        addsToKgce: toNumber(KGCE_EXACT[type]) > 0,
        unit: UNIT[type],
        agencyCount: Number(row[`n_${type}`]),
        ...totals,
        quantity,
        kgcePerUnit: toNumber(KGCE_EXACT[type]),
        kgce: typeKgce(quantity, type),
      };
    });
  });
  const groups = groupRows(parts, ['province', 'agencyLevel', 'energyType', 'addsToKgce', 'year'], by.has('PROVINCE'), {
    agencyCount: 0,
    reportCount: 0,
    energyUsingPeople: 0,
    buildingArea: 2,
    quantity: 2,
    kgce: 3,
  });
  // As the gateway merges: a type's kgce from the summed quantity, rounded once.
  return groups.map((g) => ({
    ...(g.energyType && g.quantity !== null ? { ...g, kgce: typeKgce(g.quantity, g.energyType) } : g),
    // A type group's figures are its users'; its reports, people and area those of more agencies.
    leastAgencyCount: g.agencyCount,
  }));
}
