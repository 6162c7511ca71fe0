import { describe, expect, it } from '@jest/globals';
import { DEMO_PROVINCES } from '../../../demo/demo-topology.js';
import { FULL_SCALE, generateProvince, TEST_SCALE } from '../seed/generator.js';
import { checkData, QUALITY_RULES, type QualityData } from './rules.js';

const TODAY = '2026-12-02';
const clean = (code = '320000'): QualityData => ({
  province: code,
  today: TODAY,
  ...structuredClone(generateProvince(code, { ...TEST_SCALE, agencies: 10 })),
  asset_transfers: [],
});

/**
 * One seeded defect per rule: it breaks one row (returning its id) and nothing else. Every rule
 * must have one, so a rule added without a defect that it catches fails here.
 */
const DEFECTS: Record<string, (d: QualityData) => string> = {
  'agency.credit-code': (d) => ((d.agencies[1].credit_code = d.agencies[1].credit_code.slice(0, 17) + (d.agencies[1].credit_code[17] === '0' ? '1' : '0')), d.agencies[1].id),
  'agency.division-code': (d) => ((d.agencies[2].division_code = '110101'), d.agencies[2].id),
  'agency.level-division': (d) => {
    const a = d.agencies.find((x) => x.level === 'PROVINCIAL')!;
    a.division_code = '320100';
    return a.id;
  },
  'vehicle.plate-unique': (d) => ((d.vehicles[5].plate_number = d.vehicles[6].plate_number), d.vehicles[5].id),
  'agency.level': (d) => ((d.agencies[3].level = 'VILLAGE'), d.agencies[3].id),
  'asset.category-code': (d) => ((d.assets[4].category_code = 'A09010100'), d.assets[4].id),
  'vehicle.category': (d) => ((d.vehicles[0].category = 'GENERAL'), d.vehicles[0].id),
  'agencies.own-province': (d) => ((d.agencies[4].province = '310000'), d.agencies[4].id),
  'buildings.own-province': (d) => ((d.buildings[1].id = d.buildings[1].id.replace('320000', '310000')), d.buildings[1].id),
  'assets.own-province': (d) => ((d.assets[7].province = '330000'), d.assets[7].id),
  'vehicles.own-province': (d) => ((d.vehicles[1].province = '330000'), d.vehicles[1].id),
  'energy_reports.own-province': (d) => ((d.energy_reports[0].province = '330000'), d.energy_reports[0].id),
  'operating_costs.own-province': (d) => ((d.operating_costs[0].province = '330000'), d.operating_costs[0].id),
  // 26 m2 over 23 floors: the demo data's old fault.
  'building.area-per-floor': (d) => ((d.buildings[2].floors = 23), (d.buildings[2].construction_area = 26 * 23), (d.buildings[2].office_room_usable_area = 100), d.buildings[2].id),
  'building.office-area-per-person': (d) => (
    (d.buildings[3].office_room_usable_area = d.buildings[3].staff_count * 54 + 1),
    (d.buildings[3].construction_area = 1e6),
    d.buildings[3].id
  ),
  'vehicle.price-cap': (d) => {
    const v = d.vehicles.find((x) => x.category === 'CONFIDENTIAL_COMMUNICATION')!;
    v.price_fen = 12_000_001;
    return v.id;
  },
  'vehicle.displacement-cap': (d) => {
    const v = d.vehicles.find((x) => x.category === 'CONFIDENTIAL_COMMUNICATION' && x.displacement_ml !== null)!;
    v.displacement_ml = 1798;
    return v.id;
  },
  'vehicle.fleet-size': (d) => {
    const a = d.agencies[6];
    for (let i = 0; i <= a.established_staff / 5 + 1; i++)
      d.vehicles.push({ ...d.vehicles[0], id: `320000:VH-09${String(i).padStart(5, '0')}`, agency_id: a.id, status: 'IN_SERVICE' });
    return a.id;
  },
  'vehicle.mileage-for-age': (d) => ((d.vehicles[2].purchased_on = '2026-11-01'), (d.vehicles[2].mileage_km = 20_000), d.vehicles[2].id),
  'energy.kgce-per-person': (d) => ((d.energy_reports[1].energy_using_people = 1), d.energy_reports[1].id),
  'energy.kgce-per-area': (d) => ((d.energy_reports[2].building_area = 1), d.energy_reports[2].id),
  'building.usable-within-construction': (d) => (
    (d.buildings[4].office_room_usable_area = d.buildings[4].construction_area + 0.01),
    (d.buildings[4].staff_count = 1e6),
    d.buildings[4].id
  ),
  'building.staff-within-establishment': (d) => {
    const b = d.buildings[5];
    b.established_staff = d.agencies.find((a) => a.id === b.agency_id)!.established_staff + 1;
    return b.id;
  },
  'buildings.agency-exists': (d) => ((d.buildings[6].agency_id = '320000:AG-0999999'), d.buildings[6].id),
  'assets.agency-exists': (d) => ((d.assets[8].agency_id = '320000:AG-0999999'), d.assets[8].id),
  'vehicles.agency-exists': (d) => ((d.vehicles[3].agency_id = '320000:AG-0999999'), d.vehicles[3].id),
  'energy_reports.agency-exists': (d) => ((d.energy_reports[3].agency_id = '320000:AG-0999999'), d.energy_reports[3].id),
  'operating_costs.agency-exists': (d) => ((d.operating_costs[1].agency_id = '320000:AG-0999999'), d.operating_costs[1].id),
  'asset.pooled-is-idle': (d) => {
    const a = d.assets.find((x) => x.status === 'IN_USE')!;
    a.offered_to_pool = 1;
    a.offered_at = '2025-06-01';
    a.acquired_on = '2020-01-01';
    return a.id;
  },
  // Offered before it was acquired: the demo data's old fault.
  'asset.dates-in-order': (d) => (
    (d.assets[10].acquired_on = '2025-06-02'),
    (d.assets[10].offered_at = '2025-06-01'),
    (d.assets[10].status = 'IDLE'),
    (d.assets[10].offered_to_pool = 1),
    d.assets[10].id
  ),
  'asset.net-within-original': (d) => ((d.assets[11].net_value_fen = d.assets[11].original_value_fen + 1), d.assets[11].id),
  'asset.transfer-status': (d) => ((d.assets[12].status = 'TRANSFERRED_OUT'), d.assets[12].id),
  'vehicle.purchased-not-after-today': (d) => ((d.vehicles[4].purchased_on = '2027-01-01'), (d.vehicles[4].mileage_km = 0), d.vehicles[4].id),
  'energy.total-matches-quantities': (d) => ((d.energy_reports[4].total_kgce_milli += 1), d.energy_reports[4].id),
  'cost.total-is-sum': (d) => ((d.operating_costs[2].total_fen -= 1), d.operating_costs[2].id),
  'agency.complete': (d) => ((d.agencies[5].contact_phone = '  '), d.agencies[5].id),
  'building.complete': (d) => ((d.buildings[7].address = ''), d.buildings[7].id),
  'asset.complete': (d) => ((d.assets[13].name = ''), d.assets[13].id),
  'vehicle.complete': (d) => {
    const v = d.vehicles.find((x) => x.energy_type === 'GASOLINE')!;
    v.displacement_ml = null;
    return v.id;
  },
  'energy.complete': (d) => ((d.energy_reports[5].energy_using_people = 0), d.energy_reports[5].id),
};

describe('data-quality rules', () => {
  it('have stable unique ids, a source and a seeded defect each', () => {
    const ids = QUALITY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(Object.keys(DEFECTS).sort());
    for (const r of QUALITY_RULES) expect(r.source.length).toBeGreaterThan(5);
  });

  it('find nothing in the demo data', () => {
    expect(checkData(clean()).filter((o) => o.violations > 0)).toEqual([]);
  });

  it.each(Object.keys(DEFECTS))('%s catches its seeded defect, with its id', (id) => {
    const data = clean();
    const broken = DEFECTS[id](data);
    const outcome = checkData(data).find((o) => o.rule.id === id)!;
    expect(outcome.violations).toBeGreaterThanOrEqual(1);
    expect(outcome.sampleIds).toContain(broken);
  });

  it('name at most 10 sample ids, in id order, and count every row', () => {
    const data = clean();
    for (const a of data.assets) a.name = '';
    const outcome = checkData(data).find((o) => o.rule.id === 'asset.complete')!;
    expect(outcome.violations).toBe(data.assets.length);
    expect(outcome.checked).toBe(data.assets.length);
    expect(outcome.sampleIds).toEqual(
      data.assets
        .map((a) => a.id)
        .sort()
        .slice(0, 10),
    );
  });

  it('find nothing in a province outside the demo, placed in its own capital with its own phone prefix', () => {
    const data = clean('440000');
    expect(checkData(data).filter((o) => o.violations > 0)).toEqual([]);
    expect(data.agencies.every((a) => a.contact_phone.startsWith('020-'))).toBe(true);
    expect(data.agencies.every((a) => /^(广东省|广州市)/.test(a.name))).toBe(true);
  });

  it('find nothing in the full demo scale of every demo province', () => {
    for (const { code } of DEMO_PROVINCES) {
      const data = { province: code, today: TODAY, ...generateProvince(code, FULL_SCALE), asset_transfers: [] };
      expect(data.buildings.length).toBeGreaterThanOrEqual(1_000);
      expect(data.vehicles.length).toBeGreaterThanOrEqual(2_000);
      expect(data.assets.length).toBeGreaterThanOrEqual(50_000);
      expect(
        checkData(data)
          .filter((o) => o.violations > 0)
          .map((o) => `${code} ${o.rule.id}: ${o.violations} (${o.sampleIds.join(', ')})`),
      ).toEqual([]);
    }
  }, 60_000);
});
