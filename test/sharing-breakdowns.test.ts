import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Principal, UserRole } from '../common/auth/principal.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { formatId } from '../common/ids.js';
import type { BookingRow, TransferRow } from '../subgraphs/sharing/db/schema.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { Random } from '../subgraphs/province/seed/random.js';
import { gql, principalsOfEveryRole, startMixedStack, startTestStack, TEST_REGIONS, tokenFor, type Result } from './helpers.js';

/*
 * The sharing workflows' breakdowns and statistics, against figures computed here from the raw
 * rows: every combination of dimensions, as every role. The rows are written straight into the
 * sharing database (completed transfers and trips of 2024–2025 between 长三角 agencies and a few
 * from 北京), so the periods are in the past and the figures known.
 */

const YRD = TEST_REGIONS.members('YRD')!;
const HOUR = 3_600_000;
const BEIJING = 8 * HOUR;
const CATEGORIES = ['A01', 'A02', 'A03', 'A05'];
const TRANSFER_DIMS = ['SOURCE_PROVINCE', 'TARGET_PROVINCE', 'CATEGORY', 'FLOW'] as const;
const BOOKING_DIMS = ['MONTH', 'VEHICLE_PROVINCE', 'AGENCY_PROVINCE', 'VEHICLE_KIND', 'CATEGORY'] as const;

const pick = <T>(r: Random, xs: readonly T[]): T => r.pick(xs);
/** Five agencies per province: few enough that some pairs of provinces have one or two. */
const agenciesOf = (province: string) => [1, 2, 3, 4, 5].map((i) => formatId(province, 'agency', 9000 + i));
const beijing = (ms: number) => {
  const d = new Date(ms + BEIJING);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
};
/** n / d of positive whole numbers, rounded half away from zero to 4 decimal places, in whole-number arithmetic. */
const round4 = (n: number, d: number) => Number((BigInt(n) * 20000n + BigInt(d)) / (2n * BigInt(d))) / 10000;
const subsets = <T>(xs: readonly T[]): T[][] => xs.reduce<T[][]>((all, x) => [...all, ...all.map((s) => [...s, x])], [[]]);
const field = (dim: string) => dim.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Completed transfers of 2024–2025. Each 长三角 province gives within itself every year, and
 * 江苏→浙江 and 北京→上海 are busy corridors, all with five agencies on each side; one asset
 * category is rare (small groups when split by it). 2024 also has two thin corridors, 安徽→江苏
 * with one giver and 江苏→安徽 with one receiver, so its totals are withheld from callers who
 * read none of the two provinces; 2025's are shown.
 */
function transfersFixture(): TransferRow[] {
  const r = new Random(14);
  const flows: [string, string, number][] = [...YRD.map((p): [string, string, number] => [p, p, 12]), ['320000', '330000', 6], ['110000', '310000', 6]];
  const rows: { source: string; target: string; giver: number; receiver: number; category: string; year: number }[] = [];
  for (const year of [2024, 2025]) {
    for (const [source, target, n] of flows) {
      for (let i = 0; i < n; i++) rows.push({ source, target, giver: i % 5, receiver: (i + 1 + (i % 2)) % 5, category: i === 0 ? 'A05' : pick(r, CATEGORIES.slice(0, 3)), year });
    }
  }
  // 2024's thin corridors: one giver to three receivers, and three givers to one receiver.
  for (let i = 0; i < 3; i++) rows.push({ source: '340000', target: '320000', giver: 0, receiver: i, category: 'A02', year: 2024 });
  for (let i = 0; i < 3; i++) rows.push({ source: '320000', target: '340000', giver: i, receiver: 4, category: 'A02', year: 2024 });
  return rows.map(({ source, target, giver, receiver, category, year }, n) => {
    const completed = Date.parse(`${year}-01-01T00:00:00+08:00`) + Math.floor(r.next() * 365) * 24 * HOUR + 3 * HOUR;
    const original = 100_000 + Math.floor(r.next() * 5_000_000);
    return {
      id: `TR-FIX-${String(n).padStart(4, '0')}`,
      asset_id: `${source}:AS-FIX${n}`,
      source_province: source,
      source_agency_id: agenciesOf(source)[giver],
      target_agency_id: agenciesOf(target)[receiver],
      target_province: target,
      reason: '调剂',
      status: 'COMPLETED',
      stage: null,
      requested_by: 'fixture',
      requested_role: 'AGENCY_OFFICER',
      decided_by: 'fixture',
      outcome_reason: null,
      target_asset_id: `${target}:AS-FIXR${n}`,
      name: '办公设备',
      category_code: `${category}010100`,
      original_value_fen: original,
      net_value_fen: Math.floor(original * r.next()),
      acquired_on: '2019-06-01',
      attempts: 0,
      last_error: null,
      requested_at: completed - 48 * HOUR,
      decided_at: completed - 24 * HOUR,
      completed_at: completed,
    };
  });
}

/**
 * Trips on the platform's vehicles from December 2024 to December 2025: every month, six
 * in-province trips per province with vehicles, by five agencies in turn, on vehicles picked at
 * random (so splits by kind and category are small); every seventh booking only approved. In
 * December 2024 also one agency of 北京 travels, so 2024's totals are withheld from callers
 * who read neither 北京 nor the vehicle's province; in 2025 安徽 agencies travel on another
 * province's vehicle, thin in June only. In December 2024 three 浙江 agencies travel on one
 * 江苏 agency's own vehicle: many bookers, one owner.
 */
function bookingsFixture(vehicles: { id: string; province: string; kind: string }[]): BookingRow[] {
  const r = new Random(15);
  const provinces = [...new Set(vehicles.map((v) => v.province))].sort();
  const trips: { vehicle: { id: string; province: string }; agency: string; starts: number; approvedOnly: boolean }[] = [];
  const ownVehicleOf = (province: string) => vehicles.find((v) => v.province === province && v.kind === 'AGENCY')!;
  for (let m = 0; m < 13; m++) {
    const month = Date.parse(m === 0 ? '2024-12-01T00:00:00+08:00' : `2025-${String(m).padStart(2, '0')}-01T00:00:00+08:00`);
    let slot = 0;
    const trip = (vehicle: { id: string; province: string }, agency: string, approvedOnly = false) =>
      trips.push({ vehicle, agency, starts: month + slot++ * 20 * HOUR, approvedOnly });
    for (const province of provinces) {
      const own = vehicles.filter((v) => v.province === province);
      for (let i = 0; i < 6; i++) trip(pick(r, own), agenciesOf(province)[(i + m) % 5], trips.length % 7 === 3);
    }
    if (m === 0) trip(vehicles[0], agenciesOf('110000')[0]);
    // 安徽 agencies travel on the first province's vehicles: three in January 2025, one in June (thin that month, not that year).
    if (m === 1) for (const agency of agenciesOf('340000').slice(0, 3)) trip(vehicles[0], agency);
    if (m === 6) trip(vehicles[0], agenciesOf('340000')[3]);
    if (m === 0) for (const agency of agenciesOf('330000').slice(0, 3)) trip(ownVehicleOf('320000'), agency);
  }
  return trips.map(({ vehicle, agency, starts, approvedOnly }, i) => {
    const km = 20 + Math.floor(r.next() * 400);
    const completed = !approvedOnly;
    return {
      id: `BK-FIX-${String(i).padStart(4, '0')}`,
      vehicle_id: vehicle.id,
      vehicle_province: vehicle.province,
      agency_id: agency,
      agency_province: agency.slice(0, 6),
      purpose: '公务出行',
      passengers: 2,
      daily_rate_fen: 38_000,
      per_km_fen: 150,
      starts_ms: starts,
      ends_ms: starts + 12 * HOUR,
      status: completed ? 'COMPLETED' : 'APPROVED',
      occupies: 1,
      requested_by: 'fixture',
      requested_role: 'AGENCY_OFFICER',
      decided_by: 'fixture',
      outcome_reason: null,
      mileage_km: completed ? km : null,
      cost_fen: completed ? 38_000 + km * 150 : null,
      requested_at: starts - 72 * HOUR,
      decided_at: starts - 48 * HOUR,
      completed_at: completed ? starts + 12 * HOUR : null,
    };
  });
}

/** A fact as this test sees a row: its group keys per dimension, its year and pair, the agencies of each side, its figures. */
interface Fact {
  keys: Record<string, string | number>;
  year: number;
  pair: [string, string];
  /** The agency on each side; null where the side has none (a rental vehicle's owner). */
  sides: (string | null)[];
  figures: Record<string, number>;
}

/** Whether the agencies of some side are fewer than needed (a side with none does not count). */
const thin = (sides: Set<string>[], need: number) => sides.some((s) => s.size > 0 && s.size < need);

/** Adds a fact's agencies to the sets of its sides. */
const addSides = (sides: Set<string>[], f: Fact) => f.sides.forEach((a, i) => a !== null && sides[i].add(a));

/** The groups of some facts by some dimensions (the year always), with summed figures and every fact kept. */
function groupsOf(facts: Fact[], dims: readonly string[]) {
  const groups = new Map<string, { keys: Record<string, string | number>; facts: Fact[]; sums: Record<string, number> }>();
  for (const f of facts) {
    const keys = Object.fromEntries([['year', f.year], ...dims.map((d) => [field(d), f.keys[d]])]);
    const id = JSON.stringify(keys);
    const g = groups.get(id) ?? { keys, facts: [] as Fact[], sums: {} as Record<string, number> };
    g.facts.push(f);
    for (const [k, v] of Object.entries(f.figures)) g.sums[k] = (g.sums[k] ?? 0) + v;
    groups.set(id, g);
  }
  return groups;
}

/** The provinces a role reads in full (the others' agencies it cannot add up itself). */
function readsFully(principal: Principal | null): (province: string) => boolean {
  if (principal?.role === 'NATIONAL_ADMIN') return () => true;
  if (principal?.role === 'REGION_COORDINATOR') return (p) => YRD.includes(p);
  if (principal?.role === 'PROVINCE_ADMIN') return (p) => p === principal.province;
  return () => false;
}

/**
 * How many agencies a part between a pair must have for a role: 3, and one more where it may know
 * one of them anyway (an officer, in its own agency's province).
 */
function needed(principal: Principal | null): (pair: [string, string]) => number {
  const own = principal?.role === 'AGENCY_OFFICER' ? principal.agency!.slice(0, 6) : undefined;
  return (pair) => (own && pair.includes(own) ? 4 : 3);
}

/** Whether some facts (of one year), between a pair of provinces the caller reads neither of, were formed by fewer agencies than needed on some side. */
function hasSmallPart(facts: Fact[], reads: (p: string) => boolean, need: (pair: [string, string]) => number = () => 3): boolean {
  const cells = new Map<string, Set<string>[]>();
  for (const f of facts) {
    if (reads(f.pair[0]) || reads(f.pair[1])) continue;
    const id = JSON.stringify([f.pair, f.year]);
    const sides = cells.get(id) ?? f.sides.map(() => new Set<string>());
    addSides(sides, f);
    cells.set(id, sides);
  }
  return [...cells].some(([id, sides]) => thin(sides, need(JSON.parse(id)[0])));
}

/** Whether, per pair the caller reads neither of, some facts are formed by fewer than 3 agencies on a side. */
function smallPerPair(facts: Fact[], reads: (p: string) => boolean): boolean {
  const pairs = new Map<string, Set<string>[]>();
  for (const f of facts) {
    if (reads(f.pair[0]) || reads(f.pair[1])) continue;
    const sides = pairs.get(JSON.stringify(f.pair)) ?? f.sides.map(() => new Set<string>());
    addSides(sides, f);
    pairs.set(JSON.stringify(f.pair), sides);
  }
  return [...pairs.values()].some((sides) => thin(sides, 3));
}

const as = (p: Principal | null) => ({ token: p ? tokenFor(p) : null });

describe.each([
  ['SQLite', () => startTestStack(TEST_SCALE, [...YRD])],
  ['PostgreSQL', () => startMixedStack(TEST_SCALE, ['320000', '330000'])],
])('sharing breakdowns over %s', (_name, start) => {
  let stack: DemoStack;
  let transfers: TransferRow[];
  let bookings: BookingRow[];
  let vehicleOf: Map<string, { kind: string; category: string; owner_agency_id: string | null }>;
  const principals = Object.entries(principalsOfEveryRole(agenciesOf('320000')[0])) as [UserRole, Principal | null][];

  beforeAll(async () => {
    stack = await start();
    const db = stack.sharing.store.db;
    const vehicles = await db.selectFrom('platform_vehicles').select(['id', 'province', 'kind', 'category', 'owner_agency_id']).orderBy('id').execute();
    vehicleOf = new Map(vehicles.map((v) => [v.id, v]));
    transfers = transfersFixture();
    bookings = bookingsFixture(vehicles.filter((v) => YRD.includes(v.province)));
    await db.insertInto('transfers').values(transfers).execute();
    for (let i = 0; i < bookings.length; i += 100)
      await db
        .insertInto('bookings')
        .values(bookings.slice(i, i + 100))
        .execute();
  }, 180_000);
  afterAll(() => stack?.stop());

  const transferFacts = (): Fact[] =>
    transfers.map((t) => ({
      keys: {
        SOURCE_PROVINCE: t.source_province,
        TARGET_PROVINCE: t.target_province,
        CATEGORY: t.category_code!.slice(0, 3),
        FLOW: t.source_province === t.target_province ? 'IN_PROVINCE' : 'CROSS_PROVINCE',
      },
      year: beijing(t.completed_at!).year,
      pair: [t.source_province, t.target_province],
      sides: [t.source_agency_id, t.target_agency_id],
      figures: { transferCount: 1, originalFen: t.original_value_fen!, netFen: t.net_value_fen! },
    }));
  const tripFacts = (): Fact[] =>
    bookings
      .filter((b) => b.status === 'COMPLETED')
      .map((b) => {
        const { year, month } = beijing(b.starts_ms);
        const v = vehicleOf.get(b.vehicle_id)!;
        return {
          keys: { MONTH: month, VEHICLE_PROVINCE: b.vehicle_province, AGENCY_PROVINCE: b.agency_province, VEHICLE_KIND: v.kind, CATEGORY: v.category },
          year,
          pair: [b.agency_province, b.vehicle_province],
          // A trip is its booker's figure and its vehicle's owning agency's (a rental vehicle has none).
          sides: [b.agency_id, v.kind === 'AGENCY' ? v.owner_agency_id : null],
          figures: { tripCount: 1, totalKm: b.mileage_km!, costFen: b.cost_fen! },
        };
      });

  /** Every combination of dimensions, 16 to a request (aliased `b0`, `b1`, …: the gateway allows 30 aliases), as one principal. */
  async function everyCombination(root: string, dims: readonly (typeof TRANSFER_DIMS | typeof BOOKING_DIMS)[number][], selection: string, principal: Principal | null) {
    const combos = subsets(dims);
    const answers: { by: string[]; groups: Record<string, any>[]; refused?: string }[] = [];
    for (let at = 0; at < combos.length; at += 16) {
      const chunk = combos.slice(at, at + 16);
      const query = `{ ${chunk.map((by, i) => `b${i}: ${root}(region: "YRD", from: 2024, to: 2025, by: [${by.join(', ')}]) { groups { ${selection} } }`).join(' ')} }`;
      const result: Result = await gql(stack.gateway.url, query, {}, as(principal));
      // A combination may be refused as a whole (FORBIDDEN, at its alias); nothing else fails.
      const refusals = new Map((result.errors ?? []).map((e) => [e.path?.[0], e.extensions?.code as string]));
      expect([...refusals.values()].filter((c) => c !== 'FORBIDDEN')).toEqual([]);
      answers.push(...chunk.map((by, i) => ({ by, groups: (result.data?.[`b${i}`]?.groups ?? []) as Record<string, any>[], refused: refusals.get(`b${i}`) })));
    }
    return answers;
  }

  const TRANSFER_SELECTION = 'year sourceProvince targetProvince category flow agencyCount withheld transferCount originalValue netValue';
  const BOOKING_SELECTION = 'year month vehicleProvince agencyProvince vehicleKind category agencyCount withheld tripCount totalKm totalCost costPerKm';

  it.each([
    ['transferBreakdown', TRANSFER_DIMS, TRANSFER_SELECTION],
    ['bookingBreakdown', BOOKING_DIMS, BOOKING_SELECTION],
  ] as const)('%s: every combination of dimensions equals the raw rows, grouped here, as a national administrator', async (root, dims, selection) => {
    const facts = root === 'transferBreakdown' ? transferFacts() : tripFacts();
    const answers = await everyCombination(root, dims, selection, principals[0][1]);
    for (const { by, groups } of answers) {
      const expected = [...groupsOf(facts, by).values()].map((g) => {
        const keys: Record<string, unknown> = Object.fromEntries(dims.map((d) => [field(d), g.keys[field(d)] ?? null]));
        const agencies = new Set(g.facts.flatMap((f) => f.sides).filter((a) => a !== null)).size;
        const figures =
          root === 'transferBreakdown'
            ? { transferCount: g.sums.transferCount, originalValue: g.sums.originalFen / 100, netValue: g.sums.netFen / 100 }
            : { tripCount: g.sums.tripCount, totalKm: g.sums.totalKm, totalCost: g.sums.costFen / 100, costPerKm: round4(g.sums.costFen, g.sums.totalKm * 100) };
        return { year: g.keys.year, ...keys, agencyCount: agencies, withheld: null, ...figures };
      });
      const key = (g: Record<string, unknown>) => JSON.stringify([g.year, ...dims.map((d) => g[field(d)] ?? null)]);
      const sorted = (gs: Record<string, any>[]) => [...gs].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect([by, sorted(groups)]).toEqual([by, sorted(expected)]);
    }
    // Ordered by the default measure, largest first.
    const measure = root === 'transferBreakdown' ? 'originalValue' : 'tripCount';
    for (const { groups } of answers) expect(groups.map((g) => g[measure])).toEqual(groups.map((g) => g[measure]).sort((a: number, b: number) => b - a));
  });

  it.each([
    ['transferBreakdown', TRANSFER_DIMS, TRANSFER_SELECTION, 'transferCount'],
    ['bookingBreakdown', BOOKING_DIMS, BOOKING_SELECTION, 'tripCount'],
  ] as const)('%s as every role: a group with a small part the role cannot add up is withheld, and no complement gives one back', async (root, dims, selection, count) => {
    const facts = root === 'transferBreakdown' ? transferFacts() : tripFacts();
    const full = await everyCombination(root, dims, selection, principals[0][1]);
    let shown = 0;
    let withheld = 0;
    let complemented = 0;
    for (const [role, principal] of principals) {
      const reads = readsFully(principal);
      const answers = await everyCombination(root, dims, selection, principal);
      answers.forEach(({ by, groups, refused }, i) => {
        // Two or more dimensions besides the provinces (and a transfer's flow, which its pair fixes) need row access to every province of the region.
        const free = by.filter((d) => !d.endsWith('_PROVINCE') && d !== 'FLOW');
        const combined = free.length > 1 && !YRD.every(reads);
        expect([role, by, refused ?? null]).toEqual([role, by, combined ? 'FORBIDDEN' : null]);
        if (refused) return;
        const byKey = new Map(full[i].groups.map((g) => [JSON.stringify([g.year, ...dims.map((d) => g[field(d)])]), g]));
        const raw = groupsOf(facts, by);
        expect(groups.length).toBe(raw.size);
        for (const g of groups) {
          const id = JSON.stringify([g.year, ...dims.map((d) => g[field(d)])]);
          const admin = byKey.get(id)!;
          const rawGroup = raw.get(JSON.stringify(Object.fromEntries([['year', g.year], ...by.map((d) => [field(d), g[field(d)]])])))!;
          // A group is the administrator's or withheld whole, its agency count too.
          if (g.withheld === null) expect([role, by, g]).toEqual([role, by, admin]);
          else expect([role, by, g[count], g.agencyCount]).toEqual([role, by, null, null]);
          if (hasSmallPart(rawGroup.facts, reads)) expect([role, by, id, g.withheld]).toEqual([role, by, id, expect.stringContaining('fewer than 3 agencies')]);
          // A total has no line to hide along: it is withheld exactly when some part of it is small.
          if (by.length === 0) expect([role, id, g.withheld !== null]).toEqual([role, id, hasSmallPart(rawGroup.facts, reads, needed(principal))]);
          if (role === 'ANALYST' && g.withheld === null) shown++;
          if (role === 'ANALYST' && g.withheld !== null) withheld++;
        }
        // Complementary cells: where a one-dimension breakdown's year total is shown, the groups it
        // hides together are never one or two agencies' figures between a pair of provinces.
        if (by.length !== 1) return;
        const totals = answers[0].groups;
        for (const year of [2024, 2025]) {
          if (totals.find((t) => t.year === year)?.withheld !== null) continue;
          const hidden = groups.filter((g) => g.year === year && g.withheld !== null);
          if (role === 'ANALYST' && hidden.length) complemented++;
          const hiddenFacts = hidden.flatMap((g) => raw.get(JSON.stringify({ year, [field(by[0])]: g[field(by[0])] }))!.facts);
          expect([role, by, year, smallPerPair(hiddenFacts, reads)]).toEqual([role, by, year, false]);
        }
      });
    }
    // The walk saw both outcomes for an analyst: it is not vacuous.
    expect(shown).toBeGreaterThan(0);
    expect(withheld).toBeGreaterThan(0);
    expect(complemented).toBeGreaterThan(0);
  });

  it('transferStatistics is the breakdown by flow of one year, withheld alike', async () => {
    for (const [role, principal] of principals) {
      const result = await gql(
        stack.gateway.url,
        `{ s: transferStatistics(region: "YRD", year: 2025) { inProvinceCount inProvinceOriginalValue crossProvinceCount crossProvinceOriginalValue withheld { field reason } }
           b: transferBreakdown(region: "YRD", from: 2025, to: 2025, by: [FLOW]) { groups { flow withheld transferCount originalValue } } }`,
        {},
        as(principal),
      );
      expect(result.errors).toBeUndefined();
      const { s, b } = result.data!;
      for (const [flow, prefix] of [
        ['IN_PROVINCE', 'inProvince'],
        ['CROSS_PROVINCE', 'crossProvince'],
      ]) {
        const g = b.groups.find((x: { flow: string }) => x.flow === flow);
        expect([role, flow, s[`${prefix}Count`], s[`${prefix}OriginalValue`]]).toEqual([role, flow, g.transferCount, g.originalValue]);
        expect([role, flow, s.withheld.some((w: { field: string }) => w.field === `${prefix}Count`)]).toEqual([role, flow, g.withheld !== null]);
      }
    }
    // The administrator's figures from the raw rows.
    const year = transferFacts().filter((f) => f.year === 2025);
    const admin = await gql(stack.gateway.url, '{ transferStatistics(region: "YRD", year: 2025) { inProvinceCount crossProvinceOriginalValue } }');
    expect(admin.data!.transferStatistics).toEqual({
      inProvinceCount: year.filter((f) => f.pair[0] === f.pair[1]).length,
      crossProvinceOriginalValue: year.filter((f) => f.pair[0] !== f.pair[1]).reduce((s, f) => s + f.figures.originalFen, 0) / 100,
    });
  });

  it('bookingStatistics over whole months equals the raw rows; a small month between some pair withholds the figure', async () => {
    const [from, to] = [Date.parse('2025-03-01T00:00:00+08:00'), Date.parse('2025-06-01T00:00:00+08:00')];
    const inRegion = bookings.filter((b) => YRD.includes(b.vehicle_province));
    const trips = inRegion.filter((b) => b.status === 'COMPLETED' && b.starts_ms >= from && b.starts_ms < to);
    const held = inRegion.filter((b) => b.starts_ms < to && b.ends_ms > from);
    const heldMs = held.reduce((s, b) => s + Math.min(to, b.ends_ms) - Math.max(from, b.starts_ms), 0);
    const query =
      '{ bookingStatistics(region: "YRD", from: "2025-03", to: "2025-06-01T00:00:00+08:00") { from to bookedHours completedTrips crossProvinceTrips totalKm totalCost withheld { field } } }';
    const admin = (await gql(stack.gateway.url, query)).data!.bookingStatistics;
    expect(admin).toMatchObject({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      completedTrips: trips.length,
      crossProvinceTrips: trips.filter((b) => b.agency_province !== b.vehicle_province).length,
      totalKm: trips.reduce((s, b) => s + b.mileage_km!, 0),
      totalCost: trips.reduce((s, b) => s + b.cost_fen!, 0) / 100,
      withheld: [],
    });
    expect(admin.bookedHours).toBeCloseTo(heldMs / HOUR, 9);
    // An analyst: a figure is withheld exactly when the breakdown by month withholds one of its months.
    const analyst = as({ sub: 'analyst', role: 'ANALYST' });
    const months = (await gql(stack.gateway.url, '{ bookingBreakdown(region: "YRD", from: 2024, to: 2025, by: [MONTH]) { groups { year month withheld } } }', {}, analyst)).data!
      .bookingBreakdown.groups as { year: number; month: number; withheld: string | null }[];
    const hiddenIn = (year: number, ms: number[]) => months.some((g) => g.year === year && ms.includes(g.month) && g.withheld !== null);
    const spring = (await gql(stack.gateway.url, query, {}, analyst)).data!.bookingStatistics;
    expect(spring.completedTrips).toBe(hiddenIn(2025, [3, 4, 5]) ? null : admin.completedTrips);
    // Every window of one or three months of 2025 alike: the statistics choose no other complement than the breakdown.
    const windows = [1, 3].flatMap((length) => Array.from({ length: 13 - length }, (_, i) => Array.from({ length }, (_, j) => i + 1 + j)));
    const monthOf = (m: number) => (m > 12 ? '2026-01' : `2025-${String(m).padStart(2, '0')}`);
    const aliased = windows.map((ms, i) => `w${i}: bookingStatistics(region: "YRD", from: "${monthOf(ms[0])}", to: "${monthOf(ms[ms.length - 1] + 1)}") { completedTrips }`);
    for (let at = 0; at < aliased.length; at += 25) {
      const answer = await gql(stack.gateway.url, `{ ${aliased.slice(at, at + 25).join(' ')} }`, {}, analyst);
      expect(answer.errors).toBeUndefined();
      windows.slice(at, at + 25).forEach((ms, i) => expect([ms, answer.data![`w${i}`].completedTrips === null]).toEqual([ms, hiddenIn(2025, ms)]));
    }
    // December 2024 has one 北京 agency's trip: thin for the analyst, so a period holding it is withheld.
    const winter = '{ bookingStatistics(region: "YRD", from: "2024-12", to: "2025-02") { completedTrips totalKm withheld { field } } }';
    expect(
      hasSmallPart(
        tripFacts().filter((f) => f.year === 2024 && f.keys.MONTH === 12),
        () => false,
      ),
    ).toBe(true);
    expect(hiddenIn(2024, [12])).toBe(true);
    expect((await gql(stack.gateway.url, winter, {}, analyst)).data!.bookingStatistics).toMatchObject({ completedTrips: null, totalKm: null });
    // A coordinator of the region reads the vehicles' provinces in full: nothing is withheld from it.
    const coordinator = { sub: 'coordinator-yrd', role: 'REGION_COORDINATOR' as const, region: 'YRD' };
    expect((await gql(stack.gateway.url, winter, {}, as(coordinator))).data!.bookingStatistics.withheld).toEqual([]);
  });

  it("trips on one agency's own vehicle are that agency's figure: many bookers do not make the group large", async () => {
    const query =
      '{ bookingBreakdown(region: "YRD", from: 2024, to: 2024, by: [VEHICLE_PROVINCE, AGENCY_PROVINCE]) { groups { vehicleProvince agencyProvince agencyCount tripCount withheld } } }';
    const pick = (groups: { vehicleProvince: string; agencyProvince: string }[]) => groups.find((g) => g.vehicleProvince === '320000' && g.agencyProvince === '330000');
    // Three 浙江 bookers and the 江苏 agency owning the vehicle.
    expect(pick((await gql(stack.gateway.url, query)).data!.bookingBreakdown.groups)).toMatchObject({ agencyCount: 4, tripCount: 3, withheld: null });
    const analyst = pick((await gql(stack.gateway.url, query, {}, as({ sub: 'analyst', role: 'ANALYST' }))).data!.bookingBreakdown.groups);
    expect(analyst).toMatchObject({ agencyCount: null, tripCount: null, withheld: expect.stringContaining('fewer than 3 agencies') });
    // A province administrator of either side reads the pair.
    const zhejiang = { sub: 'admin-zj', role: 'PROVINCE_ADMIN' as const, province: '330000' };
    expect(pick((await gql(stack.gateway.url, query, {}, as(zhejiang))).data!.bookingBreakdown.groups)).toMatchObject({ tripCount: 3, withheld: null });
  });

  it('bookingStatistics refuses a period that is not whole calendar months, or longer than 12', async () => {
    for (const [from, to] of [
      ['2025-03-02T00:00:00+08:00', '2025-04'],
      ['2025-03-01T00:00:00Z', '2025-04'],
      ['2025-03', '2025-03'],
      ['2025-01', '2026-02'],
      ['2025-13', '2026-01'],
      ['March', '2025-04'],
    ]) {
      const result = await gql(stack.gateway.url, 'query($f: String!, $t: String!) { bookingStatistics(region: "YRD", from: $f, to: $t) { completedTrips } }', { f: from, t: to });
      expect([from, to, result.errors?.[0]?.extensions?.code]).toEqual([from, to, 'BAD_USER_INPUT']);
    }
    const fine = await gql(stack.gateway.url, '{ bookingStatistics(region: "YRD", from: "2025-01", to: "2026-01") { completedTrips } }');
    expect(fine.errors).toBeUndefined();
  });

  it('a breakdown refuses a bad year range and an unknown region with stable codes', async () => {
    const bad = await gql(stack.gateway.url, '{ transferBreakdown(region: "YRD", from: 2025, to: 2024) { groups { year } } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const region = await gql(stack.gateway.url, '{ bookingBreakdown(region: "NOPE", from: 2025, to: 2025) { groups { year } } }');
    expect(region.errors?.[0]?.extensions?.code).toBe('UNKNOWN_REGION');
  });
});
