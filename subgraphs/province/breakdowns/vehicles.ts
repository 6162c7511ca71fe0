import type { Repository } from '../repository.js';
import { groupRows, leastAgencies, type BreakdownGroup } from './groups.js';

/** The dimensions the vehicle breakdown groups by. */
export const VEHICLE_DIMENSIONS = ['PROVINCE', 'CATEGORY', 'ENERGY_TYPE'] as const;
/** One dimension of the vehicle breakdown. */
export type VehicleDimension = (typeof VEHICLE_DIMENSIONS)[number];

/** The energy types counted as new-energy vehicles (新能源汽车), as in the vehicle summary. */
const NEW_ENERGY = ['BATTERY_ELECTRIC', 'PLUG_IN_HYBRID'];

/** One group's additive parts in one province. */
interface VehiclePart {
  province: string;
  category: string | null;
  energyType: string | null;
  agencyCount: number;
  vehicleCount: number;
  newEnergyCount: number;
  priceFen: number;
  establishedStaff: number;
  /** Agencies with new-energy vehicles, and with others (the sub-figure and its rest). */
  newEnergyAgencies: number;
  otherAgencies: number;
}

/**
 * Official vehicles of some provinces (disposed ones excluded), grouped by the dimensions asked:
 * the 2017 establishment category and the energy type. Each group counts the agencies holding
 * its vehicles, and carries the established posts of its provinces' agencies (every agency in
 * scope, once per province), the base of vehicles per 100 established staff (编制).
 */
export async function vehicleBreakdown(repo: Repository, provinces: readonly string[], args: { by: readonly VehicleDimension[] }): Promise<BreakdownGroup[]> {
  const by = new Set(args.by);
  const scope = provinces.length ? [...provinces] : [''];
  const [rows, staff] = await Promise.all([
    repo.db
      .selectFrom(repo.source('vehicles'))
      .where('t.province', 'in', scope)
      .where('t.status', '!=', 'DISPOSED')
      .select('t.province')
      .groupBy('t.province')
      .$if(by.has('CATEGORY'), (q) => q.select('t.category').groupBy('t.category'))
      .$if(by.has('ENERGY_TYPE'), (q) => q.select('t.energy_type').groupBy('t.energy_type'))
      .select((eb) => [
        eb.fn.count<number>('t.agency_id').distinct().as('agencies'),
        eb.fn.countAll<number>().as('vehicles'),
        eb.fn.sum<number>(eb.case().when('t.energy_type', 'in', NEW_ENERGY).then(1).else(0).end()).as('newEnergy'),
        eb.fn.sum<number>('t.price_fen').as('priceFen'),
        eb.fn
          .count<number>(eb.case().when('t.energy_type', 'in', NEW_ENERGY).then(eb.ref('t.agency_id')).end())
          .distinct()
          .as('newEnergyAgencies'),
        eb.fn
          .count<number>(eb.case().when('t.energy_type', 'not in', NEW_ENERGY).then(eb.ref('t.agency_id')).end())
          .distinct()
          .as('otherAgencies'),
      ])
      .execute(),
    repo.db
      .selectFrom(repo.source('agencies'))
      .where('t.province', 'in', scope)
      .select((eb) => ['t.province', eb.fn.sum<number>('t.established_staff').as('staff')])
      .groupBy('t.province')
      .execute(),
  ]);
  const staffOf = new Map(staff.map((s) => [s.province, Number(s.staff ?? 0)]));
  const parts = rows.map((r): VehiclePart => {
    const row = r as typeof r & Record<string, unknown>;
    return {
      province: r.province,
      category: by.has('CATEGORY') ? String(row.category) : null,
      energyType: by.has('ENERGY_TYPE') ? String(row.energy_type) : null,
      agencyCount: Number(r.agencies),
      vehicleCount: Number(r.vehicles),
      newEnergyCount: Number(r.newEnergy ?? 0),
      priceFen: Number(r.priceFen ?? 0),
      establishedStaff: staffOf.get(r.province) ?? 0,
      newEnergyAgencies: Number(r.newEnergyAgencies),
      otherAgencies: Number(r.otherAgencies),
    };
  });
  // Rows with one key come from different provinces: each adds its own establishment once.
  const groups = groupRows(parts, ['province', 'category', 'energyType'], by.has('PROVINCE'), {
    agencyCount: 0,
    vehicleCount: 0,
    newEnergyCount: 0,
    priceFen: 0,
    establishedStaff: 0,
    newEnergyAgencies: 0,
    otherAgencies: 0,
  });
  return groups.map(({ priceFen, establishedStaff, newEnergyAgencies, otherAgencies, ...g }) => ({
    ...g,
    totalPriceYuan: priceFen / 100,
    establishedStaff,
    staffHundreds: establishedStaff / 100,
    leastAgencyCount: leastAgencies(g.agencyCount, newEnergyAgencies, otherAgencies),
  }));
}
