import type { ProvinceDatabase } from '../subgraphs/province/db/database.js';
import { Repository } from '../subgraphs/province/repository.js';
import type { SharingStore } from '../subgraphs/sharing/db/database.js';
import type { PlatformVehicleRow } from '../subgraphs/sharing/db/schema.js';
import { findProvince } from '../common/standards.js';
import { readRegions } from '../common/regions/region-file.js';

/** Whether the sharing database already holds the demo platform. */
export async function isSharingSeeded(store: SharingStore): Promise<boolean> {
  return (await store.db.selectFrom('rental_companies').select('id').limit(1).execute()).length > 0;
}

/** Two rental companies per region, admitted by tender for 2026–2027 (names and codes are invented). */
const COMPANIES = [
  { id: 'RC-YRD-01', name: '长三角公务出行服务有限公司', credit_code: '91320100MA1XT0001K', region: 'YRD' },
  { id: 'RC-YRD-02', name: '皖通汽车租赁有限公司', credit_code: '91340100MA2XT0002L', region: 'YRD' },
  { id: 'RC-JJJ-01', name: '京津冀公务用车服务有限公司', credit_code: '91110000MA3XT0003M', region: 'JJJ' },
  { id: 'RC-CY-01', name: '川渝公务出行有限公司', credit_code: '91500000MA4XT0004N', region: 'CY' },
];
const MODELS = [
  { model: '比亚迪 汉 EV', seats: 5, category: 'OTHER', daily: 38000, perKm: 120 },
  { model: '别克 GL8 商务车', seats: 7, category: 'OTHER', daily: 60000, perKm: 180 },
  { model: '丰田 考斯特 中巴', seats: 19, category: 'OTHER', daily: 150000, perKm: 350 },
];

/** How many agencies of each demo province share a vehicle on the platform. */
const SHARING_AGENCIES = 4;

/**
 * Seeds the demo vehicle platform: the rental companies with three vehicles in each of their
 * provinces, and in every demo province the first in-service vehicle of each of its first
 * SHARING_AGENCIES agencies that have one, shared by their owners. Deterministic.
 */
export async function seedSharingDemo(store: SharingStore, provinces: ReadonlyMap<string, ProvinceDatabase>): Promise<void> {
  const at = Date.parse('2026-01-05T09:00:00+08:00');
  const vehicles: PlatformVehicleRow[] = [];
  for (const [code, pdb] of provinces) {
    const repo = new Repository(pdb);
    const inService = await repo.db.selectFrom(repo.source('vehicles')).selectAll().where('t.status', '=', 'IN_SERVICE').orderBy('t.agency_id').orderBy('t.id').execute();
    const firstOfEach = new Map<string, (typeof inService)[number]>();
    for (const v of inService) if (!firstOfEach.has(v.agency_id)) firstOfEach.set(v.agency_id, v);
    const shared = [...firstOfEach.values()].slice(0, SHARING_AGENCIES);
    for (const v of shared) {
      vehicles.push({
        id: v.id,
        kind: 'AGENCY',
        province: code,
        company_id: null,
        owner_agency_id: v.agency_id,
        model: v.model,
        category: v.category,
        seats: 5,
        daily_rate_fen: 0,
        per_km_fen: 150,
        plate_number: v.plate_number,
        odometer_km: v.mileage_km,
        active: 1,
        registered_at: at,
      });
    }
  }
  // The demo's companies serve the default regions (deploy/regions.json).
  const regions = readRegions();
  await store.db.transaction().execute(async (trx) => {
    for (const c of COMPANIES) {
      const codes = (regions.find((r) => r.code === c.region)?.provinceCodes ?? []).filter((p) => provinces.has(p));
      if (!codes.length) continue;
      await trx
        .insertInto('rental_companies')
        .values({ id: c.id, name: c.name, credit_code: c.credit_code, provinces: codes.join(','), admitted_from: '2026-01-01', admitted_until: '2027-12-31', registered_at: at })
        .execute();
      const company = COMPANIES.indexOf(c);
      for (const province of codes) {
        MODELS.forEach((m, j) =>
          vehicles.push({
            id: `${province}:RV-${c.id.slice(3)}-${j + 1}`,
            kind: 'RENTAL',
            province,
            company_id: c.id,
            owner_agency_id: null,
            model: m.model,
            category: m.category,
            seats: m.seats,
            // Rental plates: the province's abbreviation, an office letter the demo agencies never use (G…K), Z and four digits.
            daily_rate_fen: m.daily,
            per_km_fen: m.perKm,
            plate_number: `${findProvince(province)!.plate}${'GHJK'[company]}Z${String(100 + j).padStart(4, '0')}`,
            odometer_km: 12000 + 1000 * j,
            active: 1,
            registered_at: at,
          }),
        );
      }
    }
    for (const v of vehicles) await trx.insertInto('platform_vehicles').values(v).execute();
  });
}
