import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Principal } from '../common/auth/principal.js';
import { TEST_REGIONS } from './helpers.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { Repository } from '../subgraphs/province/repository.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, startMixedStack, startTestStack, tokenFor, type Result } from './helpers.js';

const BOOK = `mutation($v: ID!, $g: ID!, $from: String!, $to: String!, $p: Int!, $k: String) {
  bookVehicle(input: { vehicleId: $v, agencyId: $g, from: $from, to: $to, purpose: "跨省联合检查", passengers: $p, idempotencyKey: $k }) { booking { id status crossProvince from to } } }`;
const DECIDE = (verb: string) => `mutation($b: ID!, $r: String) { ${verb}(input: { bookingId: $b, reason: $r }) { booking { id status } } }`;
const COMPLETE = `mutation($b: ID!, $km: Int!) { completeTrip(input: { bookingId: $b, odometerKm: $km }) { booking { id status mileageKm cost } } }`;

const HOUR = 3_600_000;
const isoAt = (ms: number) => new Date(ms).toISOString();
const as = (p: Principal | null) => ({ token: p ? tokenFor(p) : null });
const admin = (province: string): Principal => ({ sub: `admin-${province}`, role: 'PROVINCE_ADMIN', province });
const officer = (agency: string): Principal => ({ sub: `officer-${agency}`, role: 'AGENCY_OFFICER', agency });

const codes = (r: Result) => (r.errors ?? []).map((e) => e.extensions?.code);

/** The same rules on both databases of the sharing service: PostgreSQL (exclusion constraint) and SQLite (triggers). */
describe.each([
  ['PostgreSQL', () => startMixedStack(TEST_SCALE, ['320000', '330000', '340000'])],
  ['SQLite', () => startTestStack(TEST_SCALE, ['320000', '330000', '340000'])],
])('vehicle platform over %s', (_name, start) => {
  let stack: DemoStack;
  let jsOfficer: Principal;
  let zjAgency: string;
  let zjOfficer: Principal;
  beforeAll(async () => {
    stack = await start();
    const first = async (code: string) => {
      const r = new Repository(stack.databases.get(code)!);
      return (await r.db.selectFrom(r.source('agencies')).select('t.id').orderBy('t.id').limit(1).executeTakeFirstOrThrow()).id;
    };
    jsOfficer = officer(await first('320000'));
    zjAgency = await first('330000');
    zjOfficer = officer(zjAgency);
  }, 120_000);
  afterAll(() => stack?.stop());

  const vehicles = () => stack.sharing.store.db.selectFrom('platform_vehicles').selectAll().orderBy('id').execute();
  const book = (vars: Record<string, unknown>, who: Principal | null) => gql(stack.gateway.url, BOOK, { p: 1, ...vars }, as(who));
  const agenciesOf = async (code: string) => {
    const r = new Repository(stack.databases.get(code)!);
    return (await r.db.selectFrom(r.source('agencies')).select('t.id').orderBy('t.id').execute()).map((a) => a.id);
  };
  let pooled = 0;
  /** An asset of a province offered to the pool for one test (its administrator sets it idle and offers it). */
  const poolAsset = async (code: string): Promise<[string, string, string]> => {
    const r = new Repository(stack.databases.get(code)!);
    const rows = await r.db.selectFrom(r.source('assets')).select(['t.id', 't.agency_id']).where('t.status', '=', 'IN_USE').orderBy('t.id').limit(20).execute();
    const { id, agency_id: holder } = rows[pooled++];
    await gql(stack.gateway.url, 'mutation($a: ID!) { setAssetStatus(input: { assetId: $a, status: IDLE }) { asset { id } } }', { a: id }, as(admin(code)));
    await gql(stack.gateway.url, 'mutation($a: ID!) { offerAssetToPool(input: { assetId: $a }) { asset { id } } }', { a: id }, as(admin(code)));
    return [code, holder, id];
  };

  it('100 concurrent bookings of one vehicle: exactly one per overlapping window, every separate window', async () => {
    const vehicle = (await vehicles()).find((v) => v.province === '320000' && v.kind === 'RENTAL')!;
    const base = Math.ceil((Date.now() + 48 * HOUR) / HOUR) * HOUR;
    // 20 separate slots two hours apart; in each, 5 windows that all overlap one another.
    const requests = Array.from({ length: 100 }, (_, i) => {
      const slot = Math.floor(i / 5);
      const j = i % 5;
      const from = base + slot * 2 * HOUR + j * 5 * 60_000;
      return { from: isoAt(from), to: isoAt(base + slot * 2 * HOUR + HOUR + j * 60_000), slot };
    });
    const results = await Promise.all(requests.map((r) => gql(stack.gateway.url, BOOK, { v: vehicle.id, g: zjAgency, from: r.from, to: r.to, p: 2 }, as(zjOfficer))));
    const accepted = results.map((r, i) => ({ r, slot: requests[i].slot })).filter(({ r }) => !r.errors);
    // Every refusal is a conflict (the refusals' codes are shown when one is not).
    const refusals = results.filter((x) => x.errors).map((x) => `${codes(x)[0]}: ${x.errors![0].message}`);
    expect({ accepted: accepted.length, other: refusals.filter((c) => !c.startsWith('BOOKING_CONFLICT')) }).toEqual({ accepted: 20, other: [] });
    expect(new Set(accepted.map((a) => a.slot)).size).toBe(20);
    for (const r of results.filter((x) => x.errors)) expect(codes(r)).toEqual(['BOOKING_CONFLICT']);
    // The database agrees: no two holding bookings of the vehicle overlap.
    const held = await stack.sharing.store.db
      .selectFrom('bookings')
      .selectAll()
      .where('vehicle_id', '=', vehicle.id)
      .where('status', 'in', ['REQUESTED', 'APPROVED', 'COMPLETED'])
      .orderBy('starts_ms')
      .execute();
    for (let i = 1; i < held.length; i++) expect(Number(held[i].starts_ms)).toBeGreaterThanOrEqual(Number(held[i - 1].ends_ms));
    // A rejected booking frees its window for the next one.
    const first = accepted[0].r.data!.bookVehicle.booking;
    expect(codes(await gql(stack.gateway.url, DECIDE('rejectBooking'), { b: first.id, r: '车辆检修' }, as(admin('320000'))))).toEqual([]);
    const rebook = await gql(stack.gateway.url, BOOK, { v: vehicle.id, g: zjAgency, from: first.from, to: first.to, p: 1 }, as(zjOfficer));
    expect(rebook.errors).toBeUndefined();
  }, 60_000);

  it('a 浙江 agency books a 江苏 agency vehicle; 江苏 approves; the trip closes with mileage and cost', async () => {
    const vehicle = (await vehicles()).find((v) => v.province === '320000' && v.kind === 'AGENCY')!;
    const from = Date.now() + 1500;
    const available = await gql(
      stack.gateway.url,
      `query($f: String!, $t: String!) { availableVehicles(filter: { province: "320000", from: $f, to: $t, seats: 2 }, first: 100) { totalCount edges { node { id kind seats dailyRate } } } }`,
      { f: isoAt(from), t: isoAt(from + 26 * HOUR) },
      as(zjOfficer),
    );
    expect(available.errors).toBeUndefined();
    expect(available.data!.availableVehicles.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(vehicle.id);

    const booked = await gql(stack.gateway.url, BOOK, { v: vehicle.id, g: zjAgency, from: isoAt(from), to: isoAt(from + 26 * HOUR), p: 3, k: 'zj-trip-1' }, as(zjOfficer));
    expect(booked.errors).toBeUndefined();
    const id = booked.data!.bookVehicle.booking.id;
    expect(booked.data!.bookVehicle.booking).toMatchObject({ status: 'REQUESTED', crossProvince: true });
    // The booked vehicle is no longer available for that window.
    const after = await gql(
      stack.gateway.url,
      `query($f: String!, $t: String!) { availableVehicles(filter: { province: "320000", from: $f, to: $t }, first: 100) { edges { node { id } } } }`,
      { f: isoAt(from + HOUR), t: isoAt(from + 2 * HOUR) },
      as(zjOfficer),
    );
    expect(after.data!.availableVehicles.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(vehicle.id);

    // Only the vehicle's province decides: 浙江's administrator may not.
    expect(codes(await gql(stack.gateway.url, DECIDE('approveBooking'), { b: id }, as(admin('330000'))))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(stack.gateway.url, DECIDE('approveBooking'), { b: id }, as(admin('320000'))))).toEqual([]);
    await new Promise((r) => setTimeout(r, Math.max(0, from - Date.now() + 50)));
    const km = 186;
    const done = await gql(stack.gateway.url, COMPLETE, { b: id, km: vehicle.odometer_km + km }, as(zjOfficer));
    expect(done.errors).toBeUndefined();
    // Expected from the raw platform row and the pricing rule: whole days × daily rate + km × rate per km.
    const expectedFen = Math.ceil((26 * HOUR) / (24 * HOUR)) * vehicle.daily_rate_fen + km * vehicle.per_km_fen;
    expect(done.data!.completeTrip.booking).toEqual({ id, status: 'COMPLETED', mileageKm: km, cost: expectedFen / 100 });
    // An odometer reading below the last one is refused on the next trip.
    const again = await gql(stack.gateway.url, COMPLETE, { b: id, km: 1 }, as(zjOfficer));
    expect(codes(again)[0]).toMatch(/INVALID_STATE|BAD_USER_INPUT/);
  }, 30_000);

  it('statistics per region: utilisation, cross-province trips and cost per km, as computed from the raw rows', async () => {
    // Whole Beijing months: this one and the next two hold every booking of these tests.
    const now = new Date(Date.now() + 8 * HOUR);
    const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 8 * HOUR;
    const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1) - 8 * HOUR;
    const result = await gql(
      stack.gateway.url,
      'query($f: String!, $t: String!) { bookingStatistics(region: "YRD", from: $f, to: $t) { vehicleCount bookedHours utilisation completedTrips crossProvinceTrips totalKm totalCost costPerKm } }',
      { f: isoAt(from), t: isoAt(to) },
    );
    expect(result.errors).toBeUndefined();
    const yrd = TEST_REGIONS.members('YRD')!;
    const vs = (await vehicles()).filter((v) => v.active === 1 && yrd.includes(v.province));
    const bookings = (await stack.sharing.store.db.selectFrom('bookings').selectAll().execute()).filter((b) => yrd.includes(b.vehicle_province));
    const held = bookings.filter((b) => b.status === 'APPROVED' || b.status === 'COMPLETED');
    const heldMs = held.reduce((s, b) => s + Math.max(0, Math.min(to, Number(b.ends_ms)) - Math.max(from, Number(b.starts_ms))), 0);
    const trips = bookings.filter((b) => b.status === 'COMPLETED' && Number(b.starts_ms) >= from && Number(b.starts_ms) < to);
    const km = trips.reduce((s, b) => s + Number(b.mileage_km), 0);
    const fen = trips.reduce((s, b) => s + Number(b.cost_fen), 0);
    const s = result.data!.bookingStatistics;
    expect(s.vehicleCount).toBe(vs.length);
    expect(s.bookedHours).toBeCloseTo(heldMs / HOUR, 9);
    // Ratios are rounded half away from zero to 4 places (computed here in whole numbers).
    const round4 = (n: number, d: number) => Number((BigInt(n) * 20000n + BigInt(d)) / (2n * BigInt(d))) / 10000;
    expect(s.utilisation).toBe(round4(heldMs, vs.length * (to - from)));
    expect(s.completedTrips).toBe(trips.length);
    expect(s.crossProvinceTrips).toBe(trips.filter((b) => b.agency_province !== b.vehicle_province).length);
    expect(s.totalKm).toBe(km);
    expect(s.totalCost).toBe(fen / 100);
    expect(s.costPerKm).toBe(round4(fen, km * 100));
    expect(trips.length).toBeGreaterThan(0);

    // An analyst reads the same figures, except those formed in some province by fewer than 3
    // booking agencies (counted here from the raw rows), which are null and listed.
    const analyst = await gql(
      stack.gateway.url,
      'query($f: String!, $t: String!) { bookingStatistics(region: "YRD", from: $f, to: $t) { vehicleCount bookedHours completedTrips totalKm totalCost withheld { field reason } } }',
      { f: isoAt(from), t: isoAt(to) },
      as({ sub: 'analyst', role: 'ANALYST' }),
    );
    expect(analyst.errors).toBeUndefined();
    const a = analyst.data!.bookingStatistics;
    // Booking agencies per pair of provinces (the booker's, the vehicle's) and Beijing month, clipped to the period.
    const small = (rows: typeof bookings, at: (b: (typeof bookings)[number]) => number[]) => {
      const cells = new Map<string, Set<string>>();
      for (const b of rows) {
        for (const ms of at(b)) {
          const month = new Date(ms + 8 * HOUR).toISOString().slice(0, 7);
          const cell = `${b.agency_province}>${b.vehicle_province}@${month}`;
          cells.set(cell, (cells.get(cell) ?? new Set()).add(b.agency_id));
        }
      }
      return [...cells.values()].some((agencies) => agencies.size < 3);
    };
    // A held booking counts in every month its window touches inside the period; a trip in the month it starts.
    const touched = (b: (typeof bookings)[number]) =>
      Number(b.ends_ms) <= from || Number(b.starts_ms) >= to ? [] : [Math.max(from, Number(b.starts_ms)), Math.min(to, Number(b.ends_ms)) - 1];
    const withheld = new Set((a.withheld as { field: string }[]).map((w) => w.field));
    expect(withheld.has('completedTrips')).toBe(small(trips, (b) => [Number(b.starts_ms)]));
    expect(withheld.has('bookedHours')).toBe(small(held, touched));
    expect(a.vehicleCount).toBe(s.vehicleCount);
    for (const field of ['bookedHours', 'completedTrips', 'totalKm', 'totalCost']) expect([field, a[field]]).toEqual([field, withheld.has(field) ? null : s[field]]);
  });

  it('50 concurrent approvals of the competing requests for one asset make exactly one transfer', async () => {
    const js = new Repository(stack.databases.get('320000')!);
    const [asset] = await js.db.selectFrom(js.source('assets')).select('t.id').where('t.status', '=', 'IN_USE').orderBy('t.id', 'desc').limit(1).execute();
    const asAdmin = as(admin('320000'));
    expect(
      (await gql(stack.gateway.url, 'mutation($a: ID!) { setAssetStatus(input: { assetId: $a, status: IDLE }) { asset { id } } }', { a: asset.id }, asAdmin)).errors,
    ).toBeUndefined();
    expect((await gql(stack.gateway.url, 'mutation($a: ID!) { offerAssetToPool(input: { assetId: $a }) { asset { id } } }', { a: asset.id }, asAdmin)).errors).toBeUndefined();
    const receivers: string[] = [];
    for (const code of ['330000', '340000']) {
      const r = new Repository(stack.databases.get(code)!);
      receivers.push(...(await r.db.selectFrom(r.source('agencies')).select('t.id').orderBy('t.id').execute()).map((a) => a.id));
    }
    const requested = await Promise.all(
      receivers.map((g) =>
        gql(
          stack.gateway.url,
          'mutation($a: ID!, $g: ID!) { requestAssetTransfer(input: { assetId: $a, agencyId: $g, reason: "竞争申请" }) { transfer { id } } }',
          { a: asset.id, g },
          as(officer(g)),
        ),
      ),
    );
    const ids = requested.map((r) => r.data!.requestAssetTransfer.transfer.id as string);
    const approvals = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gql(stack.gateway.url, 'mutation($t: ID!) { approveAssetTransfer(input: { transferId: $t }) { transfer { id } } }', { t: ids[i % ids.length] }, asAdmin),
      ),
    );
    expect(
      approvals
        .filter((a) => a.errors)
        .map((a) => codes(a)[0])
        .filter((c) => c !== 'INVALID_STATE'),
    ).toEqual([]);
    expect(approvals.filter((a) => !a.errors)).toHaveLength(1);
    const rows = await stack.sharing.store.db.selectFrom('transfers').select(['status']).where('asset_id', '=', asset.id).execute();
    expect(rows.filter((r) => r.status === 'APPROVED' || r.status === 'COMPLETED')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'CLOSED')).toHaveLength(ids.length - 1);
  }, 30_000);

  describe('rules an attacker probed', () => {
    const REGISTER = `mutation($i: RentalVehicleInput!) { registerRentalVehicle(input: $i) { vehicle { id plateNumber } } }`;
    const ADMIT = `mutation($i: AdmitRentalCompanyInput!) { admitRentalCompany(input: $i) { company { id } } }`;
    const SHARE = `mutation($v: ID!, $d: Float!, $k: Float!) { shareVehicle(input: { vehicleId: $v, seats: 5, dailyRate: $d, perKmRate: $k }) { vehicle { id odometerKm dailyRate } } }`;
    const rental = (over: Record<string, unknown>) => ({
      companyId: 'RC-YRD-01',
      province: '320000',
      model: '大众 帕萨特',
      category: 'OTHER',
      seats: 5,
      plateNumber: '苏GZ9001',
      dailyRate: 500,
      perKmRate: 2,
      odometerKm: 1000,
      ...over,
    });

    it('the requester is the same caller only: one subject in another agency may not cancel', async () => {
      const [, holder, asset] = await poolAsset('320000');
      const receiver = zjAgency;
      const same = (agency: string): Principal => ({ sub: 'same-subject', role: 'AGENCY_OFFICER', agency });
      const r = await gql(
        stack.gateway.url,
        'mutation($a: ID!, $g: ID!) { requestAssetTransfer(input: { assetId: $a, agencyId: $g, reason: "需要" }) { transfer { id } } }',
        { a: asset, g: receiver },
        as(same(receiver)),
      );
      expect(r.errors).toBeUndefined();
      const id = r.data!.requestAssetTransfer.transfer.id;
      const cancel = 'mutation($t: ID!) { cancelAssetTransfer(input: { transferId: $t }) { transfer { status } } }';
      // The holding agency's officer carries the same subject: it sees the request, but it is not the requester.
      expect(codes(await gql(stack.gateway.url, cancel, { t: id }, as(same(holder))))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(stack.gateway.url, cancel, { t: id }, as(same(receiver))))).toEqual([]);
    });

    it('no one decides its own request', async () => {
      const [, holder, asset] = await poolAsset('320000');
      const jsAdmin = admin('320000');
      const own = (await agenciesOf('320000')).find((a) => a !== holder)!;
      const r = await gql(
        stack.gateway.url,
        'mutation($a: ID!, $g: ID!) { requestAssetTransfer(input: { assetId: $a, agencyId: $g, reason: "省内调剂" }) { transfer { id } } }',
        { a: asset, g: own },
        as(jsAdmin),
      );
      expect(r.errors).toBeUndefined();
      const id = r.data!.requestAssetTransfer.transfer.id;
      expect(codes(await gql(stack.gateway.url, 'mutation($t: ID!) { approveAssetTransfer(input: { transferId: $t }) { transfer { id } } }', { t: id }, as(jsAdmin)))).toEqual([
        'FORBIDDEN',
      ]);
      expect(
        codes(
          await gql(
            stack.gateway.url,
            'mutation($t: ID!) { approveAssetTransfer(input: { transferId: $t }) { transfer { id } } }',
            { t: id },
            as({ ...jsAdmin, sub: 'another-js-admin' }),
          ),
        ),
      ).toEqual([]);
    });

    it('a province administrator admits a rental company for its own province only; impossible dates and duplicate codes are refused', async () => {
      const company = (over: Record<string, unknown>) => ({
        name: '苏州公务出行有限公司',
        creditCode: '91320500MA1XT0099P',
        provinces: ['320000'],
        admittedFrom: '2026-01-01',
        admittedUntil: '2027-12-31',
        ...over,
      });
      expect(codes(await gql(stack.gateway.url, ADMIT, { i: company({ provinces: ['320000', '330000'] }) }, as(admin('320000'))))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(stack.gateway.url, ADMIT, { i: company({}) }, as({ sub: 'c', role: 'REGION_COORDINATOR', region: 'YRD' })))).toEqual(['FORBIDDEN']);
      for (const bad of [{ admittedFrom: '2026-02-30' }, { admittedFrom: '2026-99-99' }, { admittedUntil: '0000-00-00' }]) {
        expect(codes(await gql(stack.gateway.url, ADMIT, { i: company(bad) }, as(admin('320000'))))).toEqual(['BAD_USER_INPUT']);
      }
      expect(codes(await gql(stack.gateway.url, ADMIT, { i: company({}) }, as(admin('320000'))))).toEqual([]);
      expect(codes(await gql(stack.gateway.url, ADMIT, { i: company({ name: '同一家公司' }) }, as(admin('320000'))))).toEqual(['INVALID_STATE']);
    });

    it('plates are real plates, once on the platform; rates and odometers are bounded', async () => {
      const taken = (await vehicles()).find((v) => v.province === '320000')!.plate_number;
      expect(codes(await gql(stack.gateway.url, REGISTER, { i: rental({ plateNumber: taken }) }, as(admin('320000'))))).toEqual(['INVALID_STATE']);
      for (const bad of [
        { plateNumber: 'A\u0000B' },
        { plateNumber: '苏A‮12345' },
        { plateNumber: '租320012' },
        { dailyRate: 90071992547409.91 },
        { perKmRate: -1 },
        { dailyRate: 1.001 },
        { odometerKm: 2147483647 },
        { seats: 0 },
      ]) {
        expect([bad, codes(await gql(stack.gateway.url, REGISTER, { i: rental(bad) }, as(admin('320000'))))]).toEqual([bad, ['BAD_USER_INPUT']]);
      }
      expect(codes(await gql(stack.gateway.url, REGISTER, { i: rental({}) }, as(admin('320000'))))).toEqual([]);
    });

    it('sharing a vehicle again keeps the platform odometer, and a booking keeps the rates it was made at', async () => {
      const v = (await vehicles()).find((x) => x.kind === 'AGENCY' && x.province === '330000')!;
      const from = Date.now() + 1500;
      const booked = await gql(stack.gateway.url, BOOK, { v: v.id, g: jsOfficer.agency, from: isoAt(from), to: isoAt(from + HOUR), p: 1 }, as(jsOfficer));
      expect(booked.errors).toBeUndefined();
      const id = booked.data!.bookVehicle.booking.id;
      expect(codes(await gql(stack.gateway.url, DECIDE('approveBooking'), { b: id }, as(admin('330000'))))).toEqual([]);
      // 浙江 raises the rates after the booking: the trip keeps the old ones.
      const reshared = await gql(stack.gateway.url, SHARE, { v: v.id, d: 5000, k: 20 }, as(admin('330000')));
      expect(reshared.errors).toBeUndefined();
      await new Promise((r) => setTimeout(r, Math.max(0, from - Date.now() + 50)));
      const done = await gql(stack.gateway.url, COMPLETE, { b: id, km: v.odometer_km + 100 }, as(jsOfficer));
      expect(done.data!.completeTrip.booking).toMatchObject({ mileageKm: 100, cost: (v.daily_rate_fen + 100 * v.per_km_fen) / 100 });
      // Sharing again after the trip does not wind the odometer back to the province's reading.
      const again = await gql(stack.gateway.url, SHARE, { v: v.id, d: 0, k: 1.5 }, as(admin('330000')));
      expect(again.data!.shareVehicle.vehicle.odometerKm).toBe(v.odometer_km + 100);
    });

    it('impossible times, control characters, unknown provinces and long keys are refused with BAD_USER_INPUT or UNKNOWN_PROVINCE', async () => {
      const [v] = await vehicles();
      const at = (t: string) => book({ v: v.id, g: zjAgency, from: t, to: '2027-03-02T18:00:00+08:00' }, zjOfficer);
      for (const t of ['2027-02-29T08:00:00+08:00', '2027-03-01T24:00:00+08:00', '2027-03-01T08:60:00+08:00', '2027-03-01T08:00:00+15:00', '10000-01-01T08:00:00+08:00']) {
        expect([t, codes(await at(t))]).toEqual([t, ['BAD_USER_INPUT']]);
      }
      const purpose = await gql(
        stack.gateway.url,
        BOOK.replace('"跨省联合检查"', '$purpose').replace('$k: String)', '$k: String, $purpose: String!)'),
        { v: v.id, g: zjAgency, from: isoAt(Date.now() + 90 * 24 * HOUR), to: isoAt(Date.now() + 90 * 24 * HOUR + HOUR), p: 1, purpose: 'x\u0000y' },
        as(zjOfficer),
      );
      expect(codes(purpose)).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(stack.gateway.url, '{ assetTransfers(filter: { assetId: "a\u0000b" }) { totalCount } }', {}, as(admin('320000'))))).toEqual(['BAD_USER_INPUT']);
      expect((await gql(stack.gateway.url, '{ vehicleBooking(id: "a\u0000b") { id } }', {}, as(admin('320000')))).data).toEqual({ vehicleBooking: null });
      expect(
        codes(
          await gql(
            stack.gateway.url,
            `{ availableVehicles(filter: { province: "999999", from: "${isoAt(Date.now() + HOUR)}", to: "${isoAt(Date.now() + 2 * HOUR)}" }) { totalCount } }`,
            {},
            as(zjOfficer),
          ),
        ),
      ).toEqual(['UNKNOWN_PROVINCE']);
      expect(
        codes(
          await gql(
            stack.gateway.url,
            `{ availableVehicles(filter: { seats: -5, from: "${isoAt(Date.now() + HOUR)}", to: "${isoAt(Date.now() + 2 * HOUR)}" }) { totalCount } }`,
            {},
            as(zjOfficer),
          ),
        ),
      ).toEqual(['BAD_USER_INPUT']);
      expect(
        codes(
          await gql(
            stack.gateway.url,
            'mutation { requestAssetTransfer(input: { assetId: "999999:AS-0000001", agencyId: "330000:AG-0000001", reason: "x" }) { transfer { id } } }',
            {},
            as(admin('330000')),
          ),
        ),
      ).toEqual(['UNKNOWN_PROVINCE']);
      expect(
        codes(await book({ v: v.id, g: zjAgency, from: isoAt(Date.now() + 91 * 24 * HOUR), to: isoAt(Date.now() + 91 * 24 * HOUR + HOUR), k: 'k'.repeat(201) }, zjOfficer)),
      ).toEqual(['BAD_USER_INPUT']);
      // 150 汉字 or emoji are 150 characters.
      const emoji = await gql(
        stack.gateway.url,
        BOOK.replace('"跨省联合检查"', '$purpose').replace('$k: String)', '$k: String, $purpose: String!)'),
        { v: v.id, g: zjAgency, from: isoAt(Date.now() + 92 * 24 * HOUR), to: isoAt(Date.now() + 92 * 24 * HOUR + HOUR), p: 1, purpose: '🚗'.repeat(150) },
        as(zjOfficer),
      );
      expect(emoji.errors).toBeUndefined();
    });

    it('30 concurrent retries of one booking with one idempotency key are one booking', async () => {
      const v = (await vehicles()).find((x) => x.kind === 'RENTAL' && x.province === '340000')!;
      const from = Date.now() + 100 * 24 * HOUR;
      const results = await Promise.all(Array.from({ length: 30 }, () => book({ v: v.id, g: zjAgency, from: isoAt(from), to: isoAt(from + HOUR), k: 'retry-1' }, zjOfficer)));
      expect(results.map((r) => codes(r))).toEqual(results.map(() => []));
      expect(new Set(results.map((r) => r.data!.bookVehicle.booking.id)).size).toBe(1);
    });
  });

  describe('bad input and wrong roles get clear errors with stable codes', () => {
    const soon = () => Date.now() + 3 * HOUR;
    it.each([
      ['a window that ends before it starts', (v: string) => ({ v, from: isoAt(soon() + HOUR), to: isoAt(soon()) }), 'BAD_USER_INPUT'],
      ['a window in the past', (v: string) => ({ v, from: isoAt(Date.now() - 5 * HOUR), to: isoAt(Date.now() - 4 * HOUR) }), 'BAD_USER_INPUT'],
      ['a time without an offset', (v: string) => ({ v, from: '2030-01-01T09:00:00', to: '2030-01-01T10:00:00' }), 'BAD_USER_INPUT'],
      ['a window of 40 days', (v: string) => ({ v, from: isoAt(soon()), to: isoAt(soon() + 40 * 24 * HOUR) }), 'BAD_USER_INPUT'],
      ['more passengers than seats', (v: string) => ({ v, from: isoAt(soon()), to: isoAt(soon() + HOUR), p: 99 }), 'BAD_USER_INPUT'],
      ['an unknown vehicle', () => ({ v: '320000:RV-NOPE', from: isoAt(soon()), to: isoAt(soon() + HOUR) }), 'NOT_FOUND'],
    ])('%s', async (_n, vars, code) => {
      const [v] = await vehicles();
      const result = await book({ ...vars(v.id), g: zjAgency }, zjOfficer);
      expect(codes(result)).toEqual([code]);
      expect(JSON.stringify(result)).not.toMatch(/select |insert |stack|\.js:\d+/i);
    });

    it('wrong roles: an officer booking for another agency, an administrator, an analyst, anonymous', async () => {
      const [v] = await vehicles();
      const vars = { v: v.id, g: zjAgency, from: isoAt(soon()), to: isoAt(soon() + HOUR) };
      expect(codes(await book(vars, jsOfficer))).toEqual(['FORBIDDEN']);
      expect(codes(await book(vars, admin('330000')))).toEqual(['FORBIDDEN']);
      expect(codes(await book(vars, { sub: 'analyst', role: 'ANALYST' }))).toEqual(['FORBIDDEN']);
      expect(codes(await book(vars, null))).toEqual(['FORBIDDEN']);
    });

    it('unknown ids and steps out of order', async () => {
      expect(codes(await gql(stack.gateway.url, DECIDE('approveBooking'), { b: 'BK-nope' }, as(admin('320000'))))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(stack.gateway.url, 'mutation { approveAssetTransfer(input: { transferId: "TR-nope" }) { transfer { id } } }', {}, as(admin('320000'))))).toEqual([
        'NOT_FOUND',
      ]);
      expect(
        codes(
          await gql(
            stack.gateway.url,
            'mutation { requestAssetTransfer(input: { assetId: "320000:AS-9999999", agencyId: "330000:AG-0000001", reason: "x" }) { transfer { id } } }',
            {},
            as(admin('330000')),
          ),
        ),
      ).toEqual(['NOT_FOUND']);
      expect(
        codes(
          await gql(
            stack.gateway.url,
            'mutation { requestAssetTransfer(input: { assetId: "nope", agencyId: "330000:AG-0000001", reason: "x" }) { transfer { id } } }',
            {},
            as(admin('330000')),
          ),
        ),
      ).toEqual(['BAD_USER_INPUT']);
      const [v] = await vehicles();
      const booked = await book({ v: v.id, g: zjAgency, from: isoAt(soon() + 20 * 24 * HOUR), to: isoAt(soon() + 20 * 24 * HOUR + HOUR) }, zjOfficer);
      const id = booked.data!.bookVehicle.booking.id;
      // Not approved yet: the trip cannot be completed; rejecting needs a reason.
      expect(codes(await gql(stack.gateway.url, COMPLETE, { b: id, km: 999_999 }, as(zjOfficer)))).toEqual(['INVALID_STATE']);
      expect(codes(await gql(stack.gateway.url, DECIDE('rejectBooking'), { b: id }, as(admin(v.province))))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(stack.gateway.url, DECIDE('cancelBooking'), { b: id }, as(zjOfficer)))).toEqual([]);
      expect(codes(await gql(stack.gateway.url, DECIDE('cancelBooking'), { b: id }, as(zjOfficer)))).toEqual(['INVALID_STATE']);
    });

    it('an officer sees its own agency’s bookings only; an analyst none', async () => {
      const own = await gql(stack.gateway.url, '{ vehicleBookings(first: 100) { totalCount edges { node { agencyId } } } }', {}, as(zjOfficer));
      expect(own.data!.vehicleBookings.totalCount).toBeGreaterThan(0);
      for (const e of own.data!.vehicleBookings.edges) expect(e.node.agencyId).toBe(zjAgency);
      const other = await gql(stack.gateway.url, '{ vehicleBookings(first: 100) { edges { node { agencyId } } } }', {}, as(jsOfficer));
      expect(other.data!.vehicleBookings.edges.map((e: { node: { agencyId: string } }) => e.node.agencyId)).toEqual([jsOfficer.agency]);
      expect(codes(await gql(stack.gateway.url, '{ vehicleBookings { totalCount } }', {}, as({ sub: 'analyst', role: 'ANALYST' })))).toEqual(['FORBIDDEN']);
    });
  });
});
