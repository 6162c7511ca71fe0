import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readShardRules } from '../gateway/shard/rules.js';
import { SUPERGRAPH_PATH } from '../common/subgraphs.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { rowScope } from '../common/auth/policy.js';
import type { Principal, UserRole } from '../common/auth/principal.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { WITHHELD } from '../gateway/shard/breakdown.js';
import { subsets } from './breakdown-oracle.js';
import { gql, post, principalsOfEveryRole, startTestStack, TEST_KEYS, TEST_REGIONS, tokenFor } from './helpers.js';
import { provinceAudience, signAssertion } from '../common/auth/assertion.js';

// Small-cell suppression, derived from the policy for every role and every dimension
// combination: a group is checked against the same breakdown for a national administrator
// (nothing withheld) and against the agencies per province of its groups.
const PROVINCES = ['310000', '320000', '330000', '510000'];
const PRINCIPALS = principalsOfEveryRole('320000:AG-0000002');
/** Each breakdown: its field, fixed arguments, dimensions and figures (what a withheld group nulls). */
const KINDS = [
  {
    field: 'energyBreakdown',
    args: 'from: 2024, to: 2025, ',
    dims: ['PROVINCE', 'AGENCY_LEVEL', 'ENERGY_TYPE'],
    keys: 'province agencyLevel energyType year',
    figures: ['reportCount', 'energyUsingPeople', 'buildingArea', 'quantity', 'kgcePerUnit', 'kgce', 'kgcePerCapita', 'kgcePerArea'],
  },
  {
    field: 'assetBreakdown',
    args: '',
    dims: ['PROVINCE', 'CATEGORY', 'STATUS', 'POOLED'],
    keys: 'province category status pooled',
    figures: ['assetCount', 'originalValue', 'netValue', 'pooledValue', 'idleValue'],
  },
  {
    field: 'vehicleBreakdown',
    args: '',
    dims: ['PROVINCE', 'CATEGORY', 'ENERGY_TYPE'],
    keys: 'province category energyType',
    figures: ['vehicleCount', 'newEnergyCount', 'newEnergyShare', 'establishedStaff', 'staffHundreds', 'vehiclesPerHundredStaff', 'totalPriceYuan'],
  },
  {
    field: 'officeSpaceBreakdown',
    args: '',
    dims: ['PROVINCE', 'AGENCY_LEVEL'],
    keys: 'province agencyLevel',
    figures: [
      'buildingCount',
      'constructionArea',
      'officeRoomUsableArea',
      'staffCount',
      'officeAreaPerCapita',
      'judgedAgencyCount',
      'standardArea',
      'overStandardAgencyCount',
      'overStandardShare',
      'overStandardArea',
    ],
  },
  {
    field: 'operatingCostBreakdown',
    args: 'from: 2024, to: 2025, ',
    dims: ['PROVINCE', 'AGENCY_LEVEL', 'COMPONENT'],
    keys: 'province agencyLevel component year',
    figures: ['amount', 'total', 'share', 'staffedAgencyCount', 'staffCount', 'staffedAmount', 'costPerCapita'],
  },
];
type Kind = (typeof KINDS)[number];
const [ENERGY] = KINDS;
const DIMS = ENERGY.dims;
const FIGURES = ENERGY.figures;
const GROUP = `${ENERGY.keys} agencyCount provinces withheld ${FIGURES.join(' ')}`;
type Group = Record<string, any>;

let stack: DemoStack;
let complementarySeen = 0;

/**
 * Whether a group's figures add up, along a dimension, to the coarser group's: water's adds
 * nothing to a total kgce, so a withheld water group hides nothing of an energy total and cannot
 * count as the complement of a withheld energy type.
 */
const addsAlong = (g: Group, dim: string) => !(dim === 'ENERGY_TYPE' && g.energyType === 'WATER');
beforeAll(async () => {
  stack = await startTestStack({ ...TEST_SCALE, agencies: 8 }, PROVINCES);
}, 60_000);
afterAll(() => stack?.stop());

const groupsOf = async (kind: Kind, principal: Principal | null, by: string[], extra = '') => {
  const q = `{ ${kind.field}(${kind.args}by: [${by.join(', ')}]${extra}) { groups { ${kind.keys} agencyCount provinces withheld ${kind.figures.join(' ')} } } }`;
  const r = await gql(stack.gateway.url, q, undefined, { token: principal ? tokenFor(principal) : null });
  expect([kind.field, by, r.errors]).toEqual([kind.field, by, undefined]);
  return r.data![kind.field].groups as Group[];
};
const breakdown = (principal: Principal | null, by: string[], extra = '') => groupsOf(ENERGY, principal, by, extra);
/** The code a breakdown is refused with (undefined when it answers). */
const refusal = async (kind: Kind, principal: Principal | null, by: string[]) => {
  const r = await gql(stack.gateway.url, `{ ${kind.field}(${kind.args}by: [${by.join(', ')}]) { groups { agencyCount } } }`, undefined, {
    token: principal ? tokenFor(principal) : null,
  });
  return r.errors?.[0]?.extensions?.code as string | undefined;
};
const fieldOf = (dim: string) => dim.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** A group's key on some dimensions (enum values), the year always included. */
const keyOf = (g: Group, dims: string[] = DIMS) => JSON.stringify([...dims.map((d) => g[fieldOf(d)]), g.year]);
const withoutProvince = (by: string[]) => by.filter((d) => d !== 'PROVINCE');

describe.each(KINDS)('$field withholds small groups from those who may not read their rows', (kind) => {
  const keyOf = (g: Group, dims: string[] = kind.dims) => JSON.stringify([...dims.map((d) => g[fieldOf(d)]), g.year]);
  for (const [role, principal] of Object.entries(PRINCIPALS) as [UserRole, Principal | null][]) {
    it(`${role}: every dimension combination`, async () => {
      const reads = (p: string) => principal !== null && rowScope(principal, p).kind === 'all';
      let withheldSeen = 0;
      for (const by of subsets(kind.dims)) {
        const fineBy = [...new Set(['PROVINCE', ...by])];
        if (withoutProvince(by).length > 1 && !PROVINCES.every(reads)) {
          // More than one dimension besides the province needs row access to every province in scope.
          expect([by, await refusal(kind, principal, by)]).toEqual([by, 'FORBIDDEN']);
          continue;
        }
        const [mine, full, fine, fineFull] = await Promise.all([
          groupsOf(kind, principal, by),
          groupsOf(kind, PRINCIPALS.NATIONAL_ADMIN, by),
          groupsOf(kind, principal, fineBy),
          groupsOf(kind, PRINCIPALS.NATIONAL_ADMIN, fineBy),
        ]);
        expect(mine.map((g) => keyOf(g)).sort()).toEqual(full.map((g) => keyOf(g)).sort());
        const fullByKey = new Map(full.map((g) => [keyOf(g), g]));
        const fineFullByKey = new Map(fineFull.map((g) => [keyOf(g), g]));
        /** A group's agencies, as the national administrator sees them (a withheld group does not say). */
        const agenciesOf = (g: Group) => fineFullByKey.get(keyOf(g))!.agencyCount as number;
        // Each group's province parts, from the per-province breakdown (the caller's and the full one).
        const partsOf = (g: Group, of: Group[]) =>
          of.filter((p) => keyOf(p, withoutProvince(by)) === keyOf(g, withoutProvince(by)) && (!by.includes('PROVINCE') || p.province === g.province));
        for (const g of mine) {
          const parts = partsOf(g, fineFull);
          // An officer may know its own agency: a part of its province needs one agency more.
          const mayKnow = (p: Group) => (principal?.role === 'AGENCY_OFFICER' && principal.agency?.startsWith(p.province) ? 1 : 0);
          const small = parts.some((p) => !reads(p.province) && p.agencyCount - mayKnow(p) < 3);
          if (small) expect([by, keyOf(g), g.withheld]).toEqual([by, keyOf(g), WITHHELD.small(3)]);
          // Shown only when none of its province parts is withheld from the caller.
          if (g.withheld === null) {
            expect(g).toEqual(fullByKey.get(keyOf(g)));
            expect([by, keyOf(g), partsOf(g, fine).filter((p) => p.withheld !== null).length]).toEqual([by, keyOf(g), 0]);
          } else {
            withheldSeen += 1;
            expect([by, kind.figures.map((f) => g[f]), g.agencyCount]).toEqual([by, kind.figures.map(() => null), null]);
          }
        }
        // Within a province, along every other dimension, no line leaves exactly one part unknown
        // to the caller withheld while another unknown one is shown: the province's published
        // total minus the rest would give it.
        for (const dim of withoutProvince(fineBy)) {
          const lines = new Map<string, Group[]>();
          for (const p of fine.filter((g) => addsAlong(g, dim))) {
            const line = keyOf(
              p,
              fineBy.filter((d) => d !== dim),
            );
            lines.set(line, [...(lines.get(line) ?? []), p]);
          }
          for (const line of lines.values()) {
            // What a line hides (its total minus what it shows) stands for 0 or at least 3 agencies the caller does not know.
            const hidden = line.filter((p) => p.withheld !== null && !reads(p.province)).reduce((n, p) => n + agenciesOf(p), 0);
            const open = line.filter((p) => p.withheld === null && !reads(p.province));
            if (hidden > 0 && hidden < 3) expect([fineBy, dim, open.length]).toEqual([fineBy, dim, 0]);
          }
        }
      }
      // The test data has small groups: roles reading rows of only some provinces, and none, meet them.
      if (role === 'NATIONAL_ADMIN') expect(withheldSeen).toBe(0);
      if (role === 'ANALYST' || role === 'ANONYMOUS' || role === 'PROVINCE_ADMIN') expect(withheldSeen).toBeGreaterThan(0);
    });
  }

  it('an analyst cannot recover a withheld group by subtraction: from a coarser breakdown, or from another scope', async () => {
    const analyst = PRINCIPALS.ANALYST;
    let complementary = 0;
    for (const by of subsets(kind.dims).filter((s) => s.length > 0 && withoutProvince(s).length <= 1)) {
      const [fine, fineFull] = await Promise.all([groupsOf(kind, analyst, by), groupsOf(kind, PRINCIPALS.NATIONAL_ADMIN, by)]);
      const full = new Map(fineFull.map((g) => [keyOf(g), g]));
      for (const dim of by) {
        const rest = by.filter((d) => d !== dim);
        const coarse = await groupsOf(kind, analyst, rest);
        const lines = new Map<string, Group[]>();
        for (const g of fine.filter((x) => addsAlong(x, dim))) lines.set(keyOf(g, rest), [...(lines.get(keyOf(g, rest)) ?? []), g]);
        for (const [line, groups] of lines) {
          const total = coarse.find((g) => keyOf(g, rest) === line);
          if (total?.withheld !== null) continue;
          // A shown total minus the shown groups is the sum of the withheld ones: never fewer than 3
          // agencies. So is each figure's total minus the shown groups, where only the groups whose
          // figure is not zero add up to it (the new-energy count of the energy types).
          for (const figure of [null, ...kind.figures]) {
            const adding = figure === null ? groups : groups.filter((g) => Number(full.get(keyOf(g))![figure] ?? 0) !== 0);
            const hidden = adding.filter((g) => g.withheld !== null).reduce((n, g) => n + (full.get(keyOf(g))!.agencyCount as number), 0);
            expect([by, dim, line, figure, hidden > 0 && hidden < 3]).toEqual([by, dim, line, figure, false]);
          }
          if (groups.some((g) => g.withheld === WITHHELD.complementary)) complementary += 1;
        }
      }
    }
    // Lines where a second group was withheld so the first stays hidden: counted over all kinds (below).
    complementarySeen += complementary;
    // Another scope: all provinces minus all but one gives that one's groups only where it shows them itself.
    for (const by of subsets(withoutProvince(kind.dims)).filter((s) => s.length <= 1)) {
      const all = await groupsOf(kind, analyst, by);
      for (const left of PROVINCES) {
        const others = await groupsOf(kind, analyst, by, `, scope: { provinces: ${JSON.stringify(PROVINCES.filter((p) => p !== left))} }`);
        const alone = await groupsOf(kind, analyst, by, `, scope: { province: "${left}" }`);
        for (const g of all) {
          const rest = others.find((o) => keyOf(o, by) === keyOf(g, by));
          const own = alone.find((o) => keyOf(o, by) === keyOf(g, by));
          if (g.withheld === null && rest?.withheld === null) expect([by, left, keyOf(g, by), own?.withheld ?? null]).toEqual([by, left, keyOf(g, by), null]);
        }
      }
    }
  });
});

// The kinds above run first: the test data has lines where a second group was withheld so the first stays hidden.
it('complementary withholding occurs in the test data', () => expect(complementarySeen).toBeGreaterThan(0));

describe('energyBreakdown orders and checks its arguments', () => {
  it('orders by the measure asked, withheld groups last', async () => {
    for (const descending of [true, false]) {
      const groups = await breakdown(PRINCIPALS.ANALYST, ['PROVINCE', 'AGENCY_LEVEL'], `, orderBy: KGCE_PER_CAPITA, descending: ${descending}`);
      const shown = groups.filter((g) => g.withheld === null).map((g) => g.kgcePerCapita as number);
      expect(shown).toEqual([...shown].sort((a, b) => (descending ? b - a : a - b)));
      const firstWithheld = groups.findIndex((g) => g.withheld !== null);
      if (firstWithheld >= 0) expect(groups.slice(firstWithheld).every((g) => g.withheld !== null)).toBe(true);
    }
  });

  it.each(KINDS)('$field without orderBy orders by its declared default measure, largest first', async (kind) => {
    const def = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8')).schema.getQueryType()!.getFields()[kind.field];
    const measure = fieldOf(String(def.args.find((a) => a.name === 'orderBy')!.defaultValue));
    const r = await gql(stack.gateway.url, `{ ${kind.field}(${kind.args}by: [${kind.dims.filter((d) => d !== 'PROVINCE').join(', ')}]) { groups { ${measure} withheld } } }`);
    const shown = (r.data![kind.field].groups as Group[]).map((g) => g[measure] as number);
    expect(shown.length).toBeGreaterThan(1);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
  });

  it('refuses a reversed or too long year range and an unknown dimension with clear errors', async () => {
    const ask = (args: string) => gql(stack.gateway.url, `{ energyBreakdown(${args}) { groups { kgce } } }`);
    const reversed = await ask('from: 2025, to: 2024');
    expect(reversed.errors?.[0]).toMatchObject({ message: 'from (2025) is after to (2024).', extensions: { code: 'BAD_USER_INPUT' } });
    const long = await ask('from: 2001, to: 2025');
    expect(long.errors?.[0]).toMatchObject({ message: 'A breakdown covers at most 20 years; 2001–2025 is 25.', extensions: { code: 'BAD_USER_INPUT' } });
    const unknown = await ask('from: 2024, to: 2025, by: [COLOUR]');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify([reversed, long])).not.toMatch(/select|SQLITE|stack/i);
    // The annual summaries refuse a year out of range the same way, naming their argument.
    for (const field of ['energySummary(year: 1990) { totalKgce }', 'operatingCostSummary(year: 2200) { total }']) {
      const r = await gql(stack.gateway.url, `{ ${field} }`);
      expect([field, r.errors?.[0]]).toEqual([
        field,
        expect.objectContaining({ message: 'year must be a year between 2000 and 2100.', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'year' }) }),
      ]);
    }
  });

  it('an empty list of provinces is an answer over none, never a null that blanks the response', async () => {
    const r = await gql(stack.gateway.url, '{ energyBreakdown(from: 2025, to: 2025, scope: { provinces: [] }) { groups { kgce } } energySummary(year: 2025) { provinceCount } }');
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ energyBreakdown: { groups: [] }, energySummary: { provinceCount: PROVINCES.length } });
  });

  it('a year range gives one point per year in one field', async () => {
    const groups = await breakdown(PRINCIPALS.NATIONAL_ADMIN, [], ', orderBy: AGENCY_COUNT');
    expect(groups.map((g) => g.year).sort()).toEqual([2024, 2025]);
    // A year's groups, withheld ones included, are the same whatever range they are asked in, so
    // two ranges never differ by a year an analyst may not see (who combines one dimension besides the province).
    for (const by of subsets(DIMS).filter((s) => withoutProvince(s).length <= 1)) {
      const ask = async (from: number) =>
        (
          await gql(stack.gateway.url, `{ energyBreakdown(from: ${from}, to: 2025, by: [${by.join(', ')}]) { groups { ${GROUP} } } }`, undefined, {
            token: tokenFor(PRINCIPALS.ANALYST!),
          })
        ).data!.energyBreakdown.groups as Group[];
      const [wide, narrow] = await Promise.all([ask(2024), ask(2025)]);
      expect(narrow.map((g) => keyOf(g)).sort()).toEqual(
        wide
          .filter((g) => g.year === 2025)
          .map((g) => keyOf(g))
          .sort(),
      );
      for (const g of narrow) expect(wide.find((w) => keyOf(w) === keyOf(g))).toEqual(g);
    }
  });
});

describe('complete or flagged: every summary and breakdown says whether all of its scope answered', () => {
  const FLAGS = 'coverage { complete missingProvinces { code reason region } asOf }';

  it('when every province answers: complete, nothing missing, and as of the oldest answer', async () => {
    const before = new Date().toISOString();
    const r = await gql(stack.gateway.url, `{ energySummary(year: 2025) { ${FLAGS} } energyBreakdown(from: 2025, to: 2025) { ${FLAGS} } }`);
    expect(r.errors).toBeUndefined();
    for (const { coverage: answer } of [r.data!.energySummary, r.data!.energyBreakdown]) {
      expect(answer).toMatchObject({ complete: true, missingProvinces: [] });
      expect(answer.asOf >= before && answer.asOf <= new Date().toISOString()).toBe(true);
    }
  });

  it("a stopped province makes complete false with that province named, in a summary, a breakdown and a region; the figures are the others' sum", async () => {
    const others = PROVINCES.filter((p) => p !== '330000');
    const expected = await gql(
      stack.gateway.url,
      `{ energySummary(year: 2025, scope: { provinces: ${JSON.stringify(others)} }) { totalKgce } energyBreakdown(from: 2025, to: 2025, scope: { provinces: ${JSON.stringify(others)} }) { groups { kgce } } }`,
    );
    await stack.stopProvince('330000');
    try {
      const r = await gql(
        stack.gateway.url,
        `{ energySummary(year: 2025) { totalKgce ${FLAGS} } energyBreakdown(from: 2025, to: 2025) { groups { kgce } ${FLAGS} }
           region(code: "YRD") { assetSummary { ${FLAGS} } } }`,
      );
      const missing = [{ code: '330000', reason: 'UNAVAILABLE', region: null }];
      expect(r.data!.energySummary).toMatchObject({ coverage: { complete: false, missingProvinces: missing }, totalKgce: expected.data!.energySummary.totalKgce });
      expect(r.data!.energyBreakdown).toMatchObject({ coverage: { complete: false, missingProvinces: missing }, groups: expected.data!.energyBreakdown.groups });
      // YRD: 330000 is down, and 340000 has not joined this gateway at all.
      expect(r.data!.region.assetSummary.coverage).toMatchObject({
        complete: false,
        missingProvinces: [
          { code: '340000', reason: 'NOT_REGISTERED', region: 'YRD' },
          { code: '330000', reason: 'UNAVAILABLE', region: null },
        ],
      });
      expect(r.errors?.map((e) => e.extensions?.code)).toContain('PROVINCE_UNAVAILABLE');
    } finally {
      await stack.restartProvince('330000');
    }
  });
});

describe('summaries withhold figures formed by too few agencies, as breakdowns do', () => {
  const ENERGY_FIELDS: Record<string, string> = {
    electricity_kwh: 'electricityKwh',
    coal_kg: 'coalKg',
    natural_gas_m3: 'naturalGasM3',
    lpg_kg: 'lpgKg',
    gasoline_l: 'gasolineL',
    diesel_l: 'dieselL',
    heat_mj: 'heatMj',
  };
  const FIGURES = `reportCount totalKgce kgcePerCapita waterM3 waterPerCapita ${Object.values(ENERGY_FIELDS).join(' ')}`;
  /** Per province, from the 2025 reports as rows (read in full by a national administrator): the agencies using each energy type, and water. */
  const usersOf = async (province: string) => {
    const r = await gql(
      stack.gateway.url,
      `{ energyReports(filter: { province: "${province}", year: 2025 }, first: 100) { edges { node { agency { id } ${[...Object.values(ENERGY_FIELDS), 'waterM3'].join(' ')} } } } }`,
    );
    const rows = r.data!.energyReports.edges.map((e: { node: Record<string, any> }) => e.node) as Record<string, any>[];
    expect(rows.length).toBeGreaterThan(0);
    const count = (field: string) => new Set(rows.filter((row) => Number(row[field]) > 0).map((row) => row.agency.id)).size;
    return Object.fromEntries([...Object.values(ENERGY_FIELDS), 'waterM3'].map((field) => [field, count(field)]));
  };

  for (const [role, principal] of Object.entries(PRINCIPALS) as [UserRole, Principal | null][]) {
    it(`${role}: a root, a region and a province summary, against the raw rows`, async () => {
      const q = `{ energySummary(year: 2025) { ${FIGURES} withheld { field reason } }
        region(code: "YRD") { energySummary(year: 2025) { ${FIGURES} withheld { field reason } } }
        ${PROVINCES.map((p) => `p${p}: province(code: "${p}") { energySummary(year: 2025) { ${FIGURES} withheld { field reason } } }`).join('\n')} }`;
      const ask = async (p: Principal | null) => {
        const r = await gql(stack.gateway.url, q, undefined, { token: p ? tokenFor(p) : null });
        expect(r.errors?.filter((e) => e.extensions?.code !== 'PROVINCE_NOT_REGISTERED')).toBeFalsy();
        return r.data!;
      };
      const [mine, full] = await Promise.all([ask(principal), ask(PRINCIPALS.NATIONAL_ADMIN)]);
      const users = Object.fromEntries(await Promise.all(PROVINCES.map(async (p) => [p, await usersOf(p)] as const)));
      const reads = (p: string) => principal !== null && rowScope(principal, p).kind === 'all';
      const mayKnow = (p: string) => (principal?.role === 'AGENCY_OFFICER' && principal.agency?.startsWith(p) ? 1 : 0);
      const summaries: [string, Record<string, any>, Record<string, any>, string[]][] = [
        ['root', mine.energySummary, full.energySummary, PROVINCES],
        ['YRD', mine.region.energySummary, full.region.energySummary, PROVINCES.filter((p) => p !== '510000')],
        ...PROVINCES.map((p): [string, Record<string, any>, Record<string, any>, string[]] => [p, mine[`p${p}`].energySummary, full[`p${p}`].energySummary, [p]]),
      ];
      let withheldSeen = 0;
      for (const [where, summary, fullSummary, provinces] of summaries) {
        expect([where, fullSummary.withheld]).toEqual([where, []]);
        const withheld = new Map((summary.withheld as { field: string; reason: string }[]).map((w) => [w.field, w.reason]));
        withheldSeen += withheld.size;
        for (const field of FIGURES.split(' ')) {
          // A shown figure is the full figure; a withheld one is null and says why.
          if (withheld.has(field)) expect([where, field, summary[field]]).toEqual([where, field, null]);
          else expect([where, field, summary[field]]).toEqual([where, field, fullSummary[field]]);
        }
        for (const p of provinces) {
          if (reads(p)) continue;
          for (const [field, n] of Object.entries(users[p])) {
            // Formed in one province by one or two agencies the caller cannot add up: withheld.
            if (n > 0 && n - mayKnow(p) < 3) expect([where, p, field, withheld.get(field)]).toEqual([where, p, field, WITHHELD.small(3)]);
          }
          // totalKgce is published: the types hidden in a province never add up to fewer than 3 agencies' kgce alone.
          const hidden = Object.entries(ENERGY_FIELDS)
            .map(([, field]) => field)
            .filter((field) => withheld.has(field) && users[p][field] > 0);
          if (hidden.length) expect([where, p, Math.max(...hidden.map((f) => users[p][f])) - mayKnow(p) >= 3]).toEqual([where, p, true]);
        }
      }
      if (role === 'NATIONAL_ADMIN') expect(withheldSeen).toBe(0);
      if (role === 'ANALYST' || role === 'ANONYMOUS') expect(withheldSeen).toBeGreaterThan(0);
    });
  }

  it('every summary type withholds by the same rule, and a withheld figure is null under any alias or fragment', async () => {
    const q = `{ assetSummary { idle: idleCount ... on AssetSummary { idleShare } withheld { field } }
      vehicleSummary { newEnergyCount confidentialCommunicationCount withheld { field } }
      officeSpaceSummary { exceedingCount withheld { field } }
      operatingCostSummary(year: 2025) { total withheld { field } } }`;
    const [analyst, admin] = await Promise.all([
      gql(stack.gateway.url, q, undefined, { token: tokenFor(PRINCIPALS.ANALYST!) }),
      gql(stack.gateway.url, q, undefined, { token: tokenFor(PRINCIPALS.NATIONAL_ADMIN!) }),
    ]);
    expect([analyst.errors, admin.errors]).toEqual([undefined, undefined]);
    for (const s of Object.values(admin.data!) as { withheld: unknown[] }[]) expect(s.withheld).toEqual([]);
    const fields = (s: { withheld: { field: string }[] }) => s.withheld.map((w) => w.field);
    const a = analyst.data!;
    if (fields(a.assetSummary).includes('idleCount')) expect([a.assetSummary.idle, a.assetSummary.idleShare]).toEqual([null, null]);
    for (const [name, s] of Object.entries(a) as [string, Record<string, unknown> & { withheld: { field: string }[] }][]) {
      for (const field of fields(s)) if (field in s) expect([name, field, s[field]]).toEqual([name, field, null]);
    }
  });
});

describe('combining dimensions needs row access to every province in scope', () => {
  it('the gateway refuses two dimensions besides PROVINCE to an analyst, answers one, and answers both to a national administrator', async () => {
    const ask = (by: string, principal: Principal | null) =>
      gql(stack.gateway.url, `{ vehicleBreakdown(by: [${by}]) { groups { vehicleCount } } }`, undefined, { token: principal ? tokenFor(principal) : null });
    const refused = await ask('CATEGORY, ENERGY_TYPE', PRINCIPALS.ANALYST);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', dimensions: ['CATEGORY', 'ENERGY_TYPE'] } });
    expect(JSON.stringify(refused)).not.toMatch(/select|SQLITE|stack/i);
    expect((await ask('PROVINCE, ENERGY_TYPE', PRINCIPALS.ANALYST)).errors).toBeUndefined();
    expect((await ask('CATEGORY, ENERGY_TYPE', PRINCIPALS.NATIONAL_ADMIN)).errors).toBeUndefined();
    // A province administrator combines them over its own province, not over others.
    const own = await gql(stack.gateway.url, '{ vehicleBreakdown(by: [CATEGORY, ENERGY_TYPE], scope: { province: "320000" }) { groups { vehicleCount } } }', undefined, {
      token: tokenFor(PRINCIPALS.PROVINCE_ADMIN!),
    });
    expect(own.errors).toBeUndefined();
    expect((await ask('CATEGORY, ENERGY_TYPE', PRINCIPALS.PROVINCE_ADMIN)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a province refuses it too, to a caller that reached it past the gateway with a valid assertion', async () => {
    const direct = (principal: Principal) =>
      post(
        stack.provinces.get('320000')!.url,
        { query: '{ vehicleBreakdown(by: [CATEGORY, ENERGY_TYPE]) { groups { vehicleCount } } }' },
        { token: null, assertion: signAssertion(principal, TEST_KEYS.assertionPrivateKey, provinceAudience('320000'), { regions: TEST_REGIONS }) },
      ).then((r) => r.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
    expect((await direct(PRINCIPALS.ANALYST!)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await direct(PRINCIPALS.PROVINCE_ADMIN!)).errors).toBeUndefined();
  });
});

describe('summaries are protected jointly with the breakdowns their figures are groups of', () => {
  /** A summary figure, and the breakdown by one dimension whose groups it is (or sums). */
  const JOINT = [
    { summary: 'assetSummary', args: '', figures: ['idleCount'], breakdown: 'assetBreakdown', by: 'STATUS', extra: '' },
    { summary: 'assetSummary', args: '', figures: ['pooledCount'], breakdown: 'assetBreakdown', by: 'POOLED', extra: '' },
    { summary: 'vehicleSummary', args: '', figures: ['newEnergyCount'], breakdown: 'vehicleBreakdown', by: 'ENERGY_TYPE', extra: '' },
    { summary: 'vehicleSummary', args: '', figures: ['emergencyCount', 'otherCount', 'lawEnforcementCount'], breakdown: 'vehicleBreakdown', by: 'CATEGORY', extra: '' },
    {
      summary: 'operatingCostSummary',
      args: 'year: 2025, ',
      figures: ['salaries', 'officialReception', 'vehicleOperation'],
      breakdown: 'operatingCostBreakdown',
      by: 'COMPONENT',
      extra: 'from: 2025, to: 2025, ',
    },
  ];
  const SCOPES = [...PROVINCES.map((p) => `{ province: "${p}" }`), `{ provinces: ${JSON.stringify(PROVINCES)} }`];

  it('a summary figure is shown only where the breakdown by its dimension withholds no group, so it never gives back a complement', async () => {
    let jointly = 0;
    for (const [role, principal] of Object.entries(PRINCIPALS) as [UserRole, Principal | null][]) {
      for (const j of JOINT) {
        for (const scope of SCOPES) {
          const q = `{ s: ${j.summary}(${j.args}scope: ${scope}) { ${j.figures.join(' ')} withheld { field } } b: ${j.breakdown}(${j.extra}by: [${j.by}], scope: ${scope}) { groups { withheld } } }`;
          const r = await gql(stack.gateway.url, q, undefined, { token: principal ? tokenFor(principal) : null });
          expect([role, q, r.errors]).toEqual([role, q, undefined]);
          const hidden = (r.data!.b.groups as Group[]).filter((g) => g.withheld !== null).length;
          for (const figure of j.figures) {
            // The breakdown withholds a group (a small one and its complement): the summary's figure must not stand beside it.
            if (hidden > 0) expect([role, j.summary, figure, scope, r.data!.s[figure]]).toEqual([role, j.summary, figure, scope, null]);
          }
          if (hidden > 0 && role === 'ANALYST') jointly += 1;
        }
      }
    }
    // The test data has such lines for an analyst: the property is exercised.
    expect(jointly).toBeGreaterThan(0);
  });
});

describe('a row scope that names provinces the caller may not read says so', () => {
  // Every list routed by scope in the supergraph, every role: generated, not a hand list.
  const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));
  const query = rules.schema.getQueryType()!;
  const LISTS = Object.keys(query.getFields()).filter((f) => rules.fieldAccess('Query', f)?.class === 'rows' && rules.fieldRoute('Query', f)?.by === 'scope');

  it('the lists are found', () => expect(LISTS.length).toBeGreaterThanOrEqual(6));

  for (const [role, principal] of Object.entries(PRINCIPALS) as [UserRole, Principal | null][]) {
    it(`${role}: every list, by provinces and by region`, async () => {
      for (const field of LISTS) {
        const pool = rules.fieldAccess('Query', field)?.pool === true;
        const readable = (p: string) => {
          const kind = principal ? rowScope(principal, p).kind : 'none';
          return kind !== 'none' && (kind !== 'pool' || pool);
        };
        for (const [filter, named, region] of [
          [`provinces: ${JSON.stringify(PROVINCES)}`, PROVINCES, null],
          ['region: "CY"', ['510000'], 'CY'],
        ] as const) {
          const r = await gql(stack.gateway.url, `{ ${field}(filter: { ${filter} }) { totalCount } }`, undefined, { token: principal ? tokenFor(principal) : null });
          if (r.errors?.some((e) => e.extensions?.code === 'FORBIDDEN')) {
            // A role that reads no rows is refused the field itself, before any province.
            expect([field, r.data?.[field] ?? null]).toEqual([field, null]);
            continue;
          }
          expect([field, r.errors]).toEqual([field, undefined]);
          const missing = ((r.extensions?.missingProvinces ?? []) as { code: string; reason: string; region: string | null }[]).filter((m) => m.reason === 'NOT_READABLE');
          expect([field, filter, missing]).toEqual([field, filter, named.filter((p) => !readable(p)).map((code) => ({ code, reason: 'NOT_READABLE', region }))]);
        }
      }
    });
  }
});
