import { describe, expect, it } from '@jest/globals';
import { parse, type OperationDefinitionNode, type FieldNode, type GraphQLObjectType } from 'graphql';
import { AGENCIES_BY_PROVINCE, discloseGroups, fieldOfEnum, WITHHELD } from './breakdown.js';
import { readShardRules } from './rules.js';

// A breakdown's group type as the contract declares one (the rules read its directives).
const rules = readShardRules(`
  directive @shardMerge(op: String!, of: [String!], precision: Int) on FIELD_DEFINITION
  type Query { b: B }
  type B { groups: [G!]! @shardMerge(op: "groups") }
  type G {
    level: String @shardMerge(op: "key")
    year: Int @shardMerge(op: "key")
    agencyCount: Int! @shardMerge(op: "sum")
    provinces: [ID!]! @shardMerge(op: "union")
    withheld: String
    kgce: Float @shardMerge(op: "sum", precision: 3)
  }
`);
const type = rules.schema.getType('G') as GraphQLObjectType;
const selection = ((parse('{ b { groups { level year agencyCount withheld kgce } } }').definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode)
  .selectionSet!.selections[0] as FieldNode;

/** A merged group; `byProvince` its agencies per province (all in 320000 unless given). */
const group = (level: string | null, year: number | null, agencyCount: number, kgce: number, byProvince: Record<string, number> = { '320000': agencyCount }) => ({
  level,
  year,
  agencyCount,
  kgce,
  withheld: null,
  provinces: Object.keys(byProvince),
  [AGENCIES_BY_PROVINCE]: byProvince,
});
const nothing = () => false;
const disclose = (groups: ReturnType<typeof group>[], by: string[], reads: (province: string) => boolean = nothing, orderBy?: string, descending = true) =>
  discloseGroups(rules, type, selection.selectionSet!, groups, { by, orderBy, descending, minAgencies: 3, reads });

describe('fieldOfEnum', () => {
  it('names the group field of a dimension or measure', () => {
    expect(fieldOfEnum('AGENCY_LEVEL')).toBe('agencyLevel');
    expect(fieldOfEnum('KGCE_PER_CAPITA')).toBe('kgcePerCapita');
    expect(fieldOfEnum('YEAR')).toBe('year');
  });
});

describe('discloseGroups', () => {
  it('withholds a group of fewer agencies, and the next smallest of its line so it cannot be derived by subtraction', () => {
    const groups = [group('A', null, 2, 10), group('B', null, 5, 20), group('C', null, 4, 30), group('D', null, 9, 40)];
    const out = disclose(groups, ['LEVEL']);
    const byLevel = Object.fromEntries(out.map((g) => [g.level, g]));
    expect(byLevel.A).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    expect(byLevel.C).toMatchObject({ kgce: null, withheld: WITHHELD.complementary });
    expect(byLevel.B).toMatchObject({ kgce: 20, withheld: null });
    expect(byLevel.D).toMatchObject({ kgce: 40, withheld: null });
  });

  it('repeats along every dimension until no line withholds exactly one group', () => {
    // 2 levels x 2 years; only (A, 2024) is small. Withholding (A, 2025) for the level line makes
    // the 2025 year line withhold one, and so on, until each line withholds none or two or more.
    const groups = [group('A', 2024, 1, 1), group('A', 2025, 4, 2), group('B', 2024, 5, 3), group('B', 2025, 6, 4)];
    const out = disclose(groups, ['LEVEL', 'YEAR']);
    const withheld = out.filter((g) => g.withheld !== null).map((g) => `${g.level}${g.year}`);
    for (const line of [
      ['A2024', 'A2025'],
      ['B2024', 'B2025'],
      ['A2024', 'B2024'],
      ['A2025', 'B2025'],
    ]) {
      expect(line.filter((g) => withheld.includes(g)).length).not.toBe(1);
    }
    expect(withheld).toContain('A2024');
  });

  it('judges what a caller cannot add up itself: the agencies outside the provinces it reads in full', () => {
    const jiangsu = (p: string) => p === '320000';
    // 江苏's administrator reads its own small group; 浙江's is withheld, and no other group of
    // the line is unknown to it, so none is withheld with it.
    const out = disclose([group('A', null, 1, 10), group('B', null, 2, 20, { '330000': 2 })], ['LEVEL'], jiangsu);
    expect(out.find((g) => g.level === 'A')).toMatchObject({ kgce: 10, withheld: null });
    expect(out.find((g) => g.level === 'B')).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    // The total of both (a coarser breakdown) is withheld from it too: minus its own 5 agencies, 2 remain.
    expect(disclose([group(null, null, 7, 30, { '320000': 5, '330000': 2 })], [], jiangsu)[0]).toMatchObject({ kgce: null, withheld: WITHHELD.small(3) });
    // An analyst, who reads no rows, sees the total of 7.
    expect(disclose([group(null, null, 7, 30, { '320000': 5, '330000': 2 })], [])[0]).toMatchObject({ kgce: 30, withheld: null });
  });

  it('orders by the measure, withheld groups last, ties by key', () => {
    const groups = [group('A', null, 3, 10), group('B', null, 3, 30), group('C', null, 1, 99), group('D', null, 3, 30), group('E', null, 2, 5)];
    expect(disclose(groups, ['LEVEL'], nothing, 'KGCE').map((g) => g.level)).toEqual(['B', 'D', 'A', 'C', 'E']);
    expect(disclose(groups, ['LEVEL'], nothing, 'KGCE', false).map((g) => g.level)).toEqual(['A', 'B', 'D', 'C', 'E']);
  });
});
