import { describe, expect, it } from '@jest/globals';
import { parse, type OperationDefinitionNode, type FieldNode, type GraphQLObjectType } from 'graphql';
import { PARTS_BY_PROVINCE, discloseGroups, noteProvince, WITHHELD } from './breakdown.js';
import { readShardRules } from './rules.js';

// A breakdown's group type as the contract declares one (the rules read its directives).
const rules = readShardRules(`
  directive @shardMerge(op: String!, of: [String!], precision: Int) on FIELD_DEFINITION
  type Query { b: B }
  type B { groups: [G!]! @shardMerge(op: "groups") }
  type G {
    province: ID @shardMerge(op: "key")
    level: String @shardMerge(op: "key")
    kind: String @shardMerge(op: "key")
    adds: Boolean @shardMerge(op: "key")
    year: Int! @shardMerge(op: "key")
    agencyCount: Int! @shardMerge(op: "sum")
    provinces: [ID!]! @shardMerge(op: "union")
    withheld: String
    kgce: Float @shardMerge(op: "sum", precision: 3)
    newEnergy: Int @shardMerge(op: "sum")
    leastAgencyCount: Int! @shardMerge(op: "min")
  }
`);
const type = rules.schema.getType('G') as GraphQLObjectType;
const selection = ((parse('{ b { groups { level kind year agencyCount withheld kgce } } }').definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode)
  .selectionSet!.selections[0] as FieldNode;

/** A merged group of year 2025; `byProvince` its agencies per province (all in 320000 unless given), each part's kgce not zero unless the group's is. */
const group = (level: string | null, kind: string | null, agencyCount: number, kgce: number, byProvince: Record<string, number> = { '320000': agencyCount }, year = 2025) => ({
  level,
  kind,
  year,
  agencyCount,
  kgce,
  withheld: null as string | null,
  provinces: Object.keys(byProvince),
  [PARTS_BY_PROVINCE]: Object.fromEntries(Object.entries(byProvince).map(([p, agencies]) => [p, { agencies, figures: kgce ? ['kgce'] : [] }])),
});
const nothing = () => false;
const disclose = (groups: ReturnType<typeof group>[], by: string[], reads: (province: string) => boolean = nothing, orderBy?: string, descending = true) =>
  discloseGroups(rules, type, selection.selectionSet!, groups, { by, orderBy, descending, minAgencies: 3, knows: (p) => ({ all: reads(p), some: 0 }) });

const named = (out: Record<string, any>[]) => Object.fromEntries(out.map((g) => [`${g.level ?? ''}${g.kind ?? ''}${g.year === 2025 ? '' : g.year}`, g]));

describe('discloseGroups', () => {
  it('withholds a small group, and the next smallest of its line so it cannot be derived by subtraction', () => {
    const out = named(disclose([group('A', null, 2, 10), group('B', null, 5, 20), group('C', null, 4, 30), group('D', null, 9, 40)], ['LEVEL']));
    expect(out.A).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    expect(out.C).toMatchObject({ kgce: null, withheld: WITHHELD.complementary });
    expect(out.B).toMatchObject({ kgce: 20, withheld: null });
    expect(out.D).toMatchObject({ kgce: 40, withheld: null });
  });

  it('repeats along every dimension until what each line hides stands for at least 3 agencies', () => {
    // 2 levels x 2 kinds; only (A, x) is small.
    const groups = [group('A', 'x', 1, 1), group('A', 'y', 4, 2), group('B', 'x', 5, 3), group('B', 'y', 6, 4)];
    const out = disclose(groups, ['LEVEL', 'KIND']);
    const hidden = (names: string[]) => out.filter((g) => g.withheld !== null && names.includes(`${g.level}${g.kind}`)).reduce((n, g) => n + Number(g.agencyCount), 0);
    for (const line of [
      ['Ax', 'Ay'],
      ['Bx', 'By'],
      ['Ax', 'Bx'],
      ['Ay', 'By'],
    ]) {
      expect([line, hidden(line) === 0 || hidden(line) >= 3]).toEqual([line, true]);
    }
    expect(out.find((g) => g.level === 'A' && g.kind === 'x')!.withheld).toBe(WITHHELD.small(3));
  });

  it('leaves no withheld group alone on a line, where the total minus the shown groups would give it for another line to subtract', () => {
    // (A, x) is small. Hiding (B, x) as its complement along LEVEL left (B, x) alone on the line of B:
    // B's total minus (B, y) gave (B, x), and x's total minus (B, x) gave the small (A, x).
    const out = disclose([group('A', 'x', 1, 1), group('A', 'y', 10, 2), group('B', 'x', 4, 3), group('B', 'y', 10, 4)], ['LEVEL', 'KIND']);
    expect(out.map((g) => [`${g.level}${g.kind}`, g.withheld])).toEqual(
      expect.arrayContaining([
        ['Ax', WITHHELD.small(3)],
        ['Ay', WITHHELD.complementary],
        ['Bx', WITHHELD.complementary],
        ['By', WITHHELD.complementary],
      ]),
    );
    for (const line of [
      ['Ax', 'Ay'],
      ['Bx', 'By'],
      ['Ax', 'Bx'],
      ['Ay', 'By'],
    ]) {
      const hidden = out.filter((g) => g.withheld !== null && line.includes(`${g.level}${g.kind}`)).length;
      expect([line, hidden === 0 || hidden >= 2]).toEqual([line, true]);
    }
  });

  it('keeps hiding along a line while the hidden groups stand for fewer than 3 agencies (two small groups)', () => {
    const out = named(disclose([group('A', null, 1, 1), group('B', null, 1, 2), group('C', null, 6, 3), group('D', null, 9, 4)], ['LEVEL']));
    expect([out.A.withheld, out.B.withheld, out.C.withheld, out.D.withheld]).toEqual([WITHHELD.small(3), WITHHELD.small(3), WITHHELD.complementary, null]);
  });

  it('nulls every figure and the agency count of a withheld group, whatever aliases or fragments with directives select it', () => {
    const sel = (
      (parse('{ b { groups { level year agencyCount k: kgce ... @include(if: true) { kgce withheld } } } }').definitions[0] as OperationDefinitionNode).selectionSet
        .selections[0] as FieldNode
    ).selectionSet!.selections[0] as FieldNode;
    const g = { level: 'A', year: 2025, agencyCount: 1, k: 10, kgce: 10, withheld: null, [PARTS_BY_PROVINCE]: { '320000': { agencies: 1, figures: ['kgce'] } } };
    discloseGroups(rules, type, sel.selectionSet!, [g], { by: ['LEVEL'], descending: true, minAgencies: 3, knows: () => ({ all: false, some: 0 }) });
    expect(g).toMatchObject({ level: 'A', year: 2025, agencyCount: null, k: null, kgce: null, withheld: WITHHELD.small(3) });
  });

  it("ties are broken by key, never by the order the provinces' answers came in", () => {
    const a = [group('X', null, 1, 1, { A: 1 }), group('Y', null, 4, 100, { A: 4 }), group('Z', null, 4, 200, { A: 4 })];
    const withB = [group('Z', null, 9, 200, { B: 5, A: 4 }), group('X', null, 1, 1, { A: 1 }), group('Y', null, 4, 100, { A: 4 })];

    const hiddenOf = (out: Record<string, any>[]) =>
      out
        .filter((g) => g.withheld !== null)
        .map((g) => g.level)
        .sort();
    expect(hiddenOf(disclose(a, ['LEVEL']))).toEqual(hiddenOf(disclose(withB, ['LEVEL'])));
  });

  it('shows a group over several provinces only when no province part of it is withheld', () => {
    // 9 agencies in all, but 浙江's part is 2: a region total minus 江苏's would give it.
    const out = named(disclose([group('A', null, 9, 10, { '320000': 7, '330000': 2 }), group('B', null, 12, 20, { '320000': 6, '330000': 6 })], ['LEVEL']));
    expect(out.A).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    // 浙江's line of levels then withholds its part of B too (complementary), so B is withheld as a whole.
    expect(out.B).toMatchObject({ kgce: null, withheld: WITHHELD.complementary });
    expect(named(disclose([group('A', null, 9, 10, { '320000': 6, '330000': 3 })], ['LEVEL'])).A).toMatchObject({ kgce: 10, withheld: null });
  });

  it('judges what a caller cannot add up itself: parts in provinces it reads in full are never withheld from it', () => {
    const jiangsu = (p: string) => p === '320000';
    const out = named(disclose([group('A', null, 1, 10), group('B', null, 2, 20, { '330000': 2 }), group('C', null, 5, 30, { '330000': 5 })], ['LEVEL'], jiangsu));
    expect(out.A).toMatchObject({ kgce: 10, withheld: null });
    expect(out.B).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    expect(out.C).toMatchObject({ kgce: null, withheld: WITHHELD.complementary });
    // Its own small group within a total over both provinces is no secret to it; the other part is.
    expect(disclose([group(null, null, 7, 30, { '320000': 5, '330000': 2 })], [], jiangsu)[0]).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    expect(disclose([group(null, null, 7, 30, { '320000': 1, '330000': 6 })], [], jiangsu)[0]).toMatchObject({ kgce: 30, withheld: null });
  });

  it('a group whose key sets it apart (water, which adds nothing to the kgce total) lies on no line with the others', () => {
    // y is small; the next smallest by key would be w, which hides nothing of the total: x is hidden instead.
    const typed = (kind: string, agencies: number, adds: boolean) => ({ ...group(null, kind, agencies, adds ? 10 : 0), adds });
    const out = disclose([typed('w', 10, false), typed('x', 10, true), typed('y', 2, true), typed('z', 12, true)], ['KIND']);
    expect(Object.fromEntries(out.map((g) => [g.kind, g.withheld]))).toEqual({ w: null, x: WITHHELD.complementary, y: WITHHELD.small(3), z: null });
  });

  it('never runs a line along the year: no total over years is published', () => {
    const out = disclose([group(null, null, 2, 10, undefined, 2024), group(null, null, 9, 20, undefined, 2025)], []);
    expect(out.map((g) => [g.year, g.withheld === null])).toEqual([
      [2024, false],
      [2025, true],
    ]);
  });

  it('orders by the measure, withheld groups last, ties by key', () => {
    // C and E are small; A (3 agencies, the smaller of A and B by key) is hidden with them.
    const groups = () => [group('A', null, 3, 10), group('B', null, 3, 30), group('C', null, 1, 99), group('D', null, 4, 20), group('E', null, 2, 5)];
    expect(disclose(groups(), ['LEVEL'], nothing, 'KGCE').map((g) => g.level)).toEqual(['B', 'D', 'A', 'C', 'E']);
    expect(disclose(groups(), ['LEVEL'], nothing, 'KGCE', false).map((g) => g.level)).toEqual(['D', 'B', 'A', 'C', 'E']);
  });
});

describe('sub-figures', () => {
  it("a group whose sub-figure is formed by fewer agencies (one agency's pooled value) is withheld by that count", () => {
    const root = (parse('{ b { groups { level kind year agencyCount withheld kgce } } }').definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    const answer = { groups: [{ ...group('L', null, 10, 5), leastAgencyCount: 1 }] as Record<string, unknown>[] };
    noteProvince(rules, rules.schema.getQueryType()!, root, answer, '320000');
    expect(answer.groups[0][PARTS_BY_PROVINCE]).toEqual({ '320000': { agencies: 1, figures: ['kgce'] } });
    const [g] = disclose(answer.groups as ReturnType<typeof group>[], ['LEVEL']);
    expect([g.withheld, g.kgce, g.agencyCount]).toEqual([WITHHELD.small(3), null, null]);
  });

  it("a sub-figure lies on a line of the parts where it is not zero: the coarser group's new-energy count minus the shown new-energy types never gives back a small one", () => {
    // Energy types: battery-electric (9 agencies), plug-in hybrid (1, small), diesel (4), petrol (12).
    // Along all types diesel is the complement; but only BEV and PHEV add up to the new-energy
    // count of the group without the type, so BEV must be withheld too.
    const typed = (kind: string, agencies: number, newEnergy: number) => ({
      ...group(null, kind, agencies, 10),
      newEnergy,
      [PARTS_BY_PROVINCE]: { '320000': { agencies, figures: newEnergy ? ['kgce', 'newEnergy'] : ['kgce'] } },
    });
    const out = disclose([typed('bev', 9, 30), typed('phev', 1, 2), typed('diesel', 4, 0), typed('petrol', 12, 0)], ['KIND']);
    expect(Object.fromEntries(out.map((g) => [g.kind, g.withheld]))).toEqual({
      bev: WITHHELD.complementary,
      phev: WITHHELD.small(3),
      diesel: WITHHELD.complementary,
      petrol: null,
    });
  });

  it('notes which additive figures of a province part are not zero', () => {
    const root = (parse('{ b { groups { kind year agencyCount kgce newEnergy } } }').definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    const answer = { groups: [{ kind: 'x', year: 2025, agencyCount: 4, kgce: 3, newEnergy: 0 }] as Record<string, unknown>[] };
    noteProvince(rules, rules.schema.getQueryType()!, root, answer, '330000');
    expect(answer.groups[0][PARTS_BY_PROVINCE]).toEqual({ '330000': { agencies: 4, figures: ['kgce'] } });
  });
});
