import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { DemoStack } from '../demo/demo-stack.js';
import { USER_ROLES, type Principal, type UserRole } from '../common/auth/principal.js';
import { SUPERGRAPH_PATH } from '../common/subgraphs.js';
import { readShardRules } from '../gateway/shard/rules.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { gql, NATIONAL_ADMIN, principalsOfEveryRole, startTestStack, tokenFor } from './helpers.js';

/*
 * Aggregate access, generated from the schema: every root field of the aggregate class, and
 * every summary of a Province and a Region, asked with every figure it has (breakdowns by all
 * their dimensions), by every role. A role either reads the field or is refused it; what it
 * reads equals a national administrator's answer, figure for figure, except figures withheld as
 * the answer itself says (`withheld`), which are null. New aggregate fields are walked as they
 * land: nothing here names one.
 */

const PROVINCES = ['310000', '320000', '510000'];
/** Roles whose policy includes aggregates (README, Who sees what): every role. */
const READS_AGGREGATES: readonly UserRole[] = USER_ROLES;
/** Values for the arguments an aggregate requires, by name and type (years, or instants for a period). */
const REQUIRED: Record<string, Record<string, string>> = {
  year: { Int: '2025' },
  from: { Int: '2024', String: '"2025-01-01T00:00:00+08:00"' },
  to: { Int: '2025', String: '"2026-01-01T00:00:00+08:00"' },
  region: { ID: '"YRD"' },
};
/** The value for a required argument, or undefined when the walk has none (the field is then left out). */
const required = (a: { name: string; type: GraphQLInputType }) => REQUIRED[a.name]?.[getNamedType(a.type).name];

type Obj = Record<string, any>;
let stack: DemoStack;
let schema: GraphQLSchema;
const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));

beforeAll(async () => {
  stack = await startTestStack({ ...TEST_SCALE, agencies: 8 }, PROVINCES);
  const introspection = await gql(stack.gateway.url, getIntrospectionQuery());
  schema = buildClientSchema(introspection.data as unknown as IntrospectionQuery);
}, 60_000);
afterAll(() => stack?.stop());

/** Every figure of a type, to a few levels (the API schema's fields: nothing internal). */
function selectAll(type: GraphQLObjectType, depth = 3): string {
  return Object.values(type.getFields())
    .filter((f) => f.args.every((a) => !isNonNullType(a.type) || required(a) !== undefined))
    .map((f) => {
      const named = getNamedType(f.type);
      const args = f.args.filter((a) => isNonNullType(a.type)).map((a) => `${a.name}: ${required(a)}`);
      const call = args.length ? `${f.name}(${args.join(', ')})` : f.name;
      if (isLeafType(named)) return call;
      // What an answer says it withholds is always asked, at any depth.
      return isObjectType(named) && (depth > 0 || f.name === 'withheld') ? `${call} { ${selectAll(named, Math.max(depth - 1, 0))} }` : '';
    })
    .filter(Boolean)
    .join(' ');
}

/** A root aggregate's arguments: the required ones, and a breakdown's `by` with every dimension. */
function argumentsOf(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.flatMap((a) => {
    if (isNonNullType(a.type) && required(a) !== undefined) return [`${a.name}: ${required(a)}`];
    const inner = isNonNullType(a.type) ? a.type.ofType : a.type;
    const item = isListType(inner) ? getNamedType(inner) : undefined;
    if (a.name === 'by' && item && isEnumType(item))
      return [
        `by: [${item
          .getValues()
          .map((v) => v.name)
          .join(', ')}]`,
      ];
    return [];
  });
  return args.length ? `(${args.join(', ')})` : '';
}

/** A breakdown's dimensions (the enum values of its `by` list), or none. */
function dimensionsOf(field: GraphQLField<unknown, unknown>): string[] {
  const by = field.args.find((a) => a.name === 'by');
  const inner = by && (isNonNullType(by.type) ? by.type.ofType : by.type);
  const item = inner && isListType(inner) ? getNamedType(inner) : undefined;
  return item && isEnumType(item) ? item.getValues().map((v) => v.name) : [];
}

/**
 * The aggregate fields to walk, as documents: root fields of the class (a breakdown by all its
 * dimensions, marked `[all]`, and by each one alone), and a Province's and a Region's summaries.
 */
function cases(): [string, string][] {
  const query = schema.getQueryType()!;
  const roots = Object.values(query.getFields())
    .filter((f) => rules.fieldAccess('Query', f.name)?.class === 'aggregate')
    .flatMap((f): [string, string][] => {
      const document = (args: string) => `{ ${f.name}${args} { ${selectAll(getNamedType(f.type) as GraphQLObjectType)} } }`;
      const dims = dimensionsOf(f);
      if (!dims.length) return [[f.name, document(argumentsOf(f))]];
      const fixed = f.args.filter((a) => isNonNullType(a.type) && a.name !== 'by').map((a) => `${a.name}: ${required(a)}`);
      return [[`${f.name}[all]`, document(argumentsOf(f))], ...dims.map((d): [string, string] => [`${f.name}[${d}]`, document(`(${[...fixed, `by: [${d}]`].join(', ')})`)])];
    });
  const entity = (typeName: string, root: string) => {
    const type = schema.getType(typeName) as GraphQLObjectType;
    return Object.values(type.getFields())
      .filter((f) => isObjectType(getNamedType(f.type)) && Object.keys((getNamedType(f.type) as GraphQLObjectType).getFields()).includes('withheld'))
      .map((f): [string, string] => [`${typeName}.${f.name}`, `{ ${root} { ${f.name}${argumentsOf(f)} { ${selectAll(getNamedType(f.type) as GraphQLObjectType)} } } }`]);
  };
  return [...roots, ...entity('Province', 'province(code: "320000")'), ...entity('Region', 'region(code: "YRD")')];
}

/**
 * Compares a caller's answer with the full one: equal, except figures the answer says it
 * withholds (a summary's `withheld` list, a group's `withheld` reason), which must be null. Lists
 * of groups are compared group by group, by every field that is not a figure.
 */
function compare(mine: unknown, full: unknown, path: string, problems: string[], withheld: Set<string> = new Set()): number {
  if (Array.isArray(mine) && Array.isArray(full)) {
    if (mine.length !== full.length) return (problems.push(`${path}: ${mine.length} items, the full answer has ${full.length}`), 0);
    // A group is found by what it still shows of itself: its dimensions and year (text and the
    // year; a withheld group's other text, such as a unit, is null and not compared).
    const keyOf = (g: Obj) =>
      Object.entries(g).filter(([k, v]) => (typeof v === 'string' || typeof v === 'boolean' || (k === 'year' && typeof v === 'number')) && k !== 'withheld');
    const find = (g: Obj) => full.find((f: Obj) => keyOf(g).every(([k, v]) => JSON.stringify(f[k]) === JSON.stringify(v)));
    return mine.reduce((n: number, g: Obj, i) => n + compare(g, typeof g === 'object' && g ? find(g) : full[i], `${path}[${i}]`, problems), 0);
  }
  if (!mine || typeof mine !== 'object' || !full || typeof full !== 'object') {
    if (JSON.stringify(mine) !== JSON.stringify(full)) problems.push(`${path}: ${JSON.stringify(mine)}, the full answer ${JSON.stringify(full)}`);
    return 0;
  }
  const m = mine as Obj;
  const f = full as Obj;
  // A summary lists its withheld fields; a group withholds all its figures, keeping its key and agencies.
  const own = Array.isArray(m.withheld) ? new Set<string>(m.withheld.map((w: Obj) => w.field)) : undefined;
  const groupWithheld = typeof m.withheld === 'string';
  let count = own?.size ?? (groupWithheld ? 1 : 0);
  for (const key of Object.keys(m)) {
    // Coverage and a read time say when and how the answer was formed, not what it discloses.
    if (key === 'withheld' || key === 'coverage' || key === 'asOf') continue;
    // A withheld group keeps its dimensions, year, agencies and provinces; every figure (any number but those, and a unit) is null.
    if (groupWithheld && m[key] === null) continue;
    const hidden = (own ?? withheld).has(key) || (groupWithheld && typeof f[key] === 'number' && key !== 'agencyCount' && key !== 'year');
    if (hidden) {
      if (m[key] !== null) problems.push(`${path}.${key}: withheld but ${JSON.stringify(m[key])}`);
      continue;
    }
    count += compare(m[key], f[key], `${path}.${key}`, problems);
  }
  return count;
}

const PRINCIPALS = principalsOfEveryRole('320000:AG-0000002');

describe('every aggregate field, every role, generated from the schema', () => {
  it('finds the aggregates to walk', () => {
    const names = cases().map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        'energySummary',
        'energyBreakdown[all]',
        'energyBreakdown[AGENCY_LEVEL]',
        'operatingCostBreakdown[all]',
        'transferBreakdown[all]',
        'bookingBreakdown[MONTH]',
        'Province.energySummary',
        'Region.assetSummary',
      ]),
    );
  });

  it('what the gateway withholds by is not in the API: no client can ask for it', async () => {
    const internal = ['families', 'leastAgencyCount', 'addsToKgce'];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isObjectType(type)) expect([type.name, Object.keys(type.getFields()).filter((f) => internal.includes(f))]).toEqual([type.name, []]);
    }
    const r = await gql(stack.gateway.url, '{ energySummary(year: 2025) { families { province agencyCount } } assetBreakdown { groups { leastAgencyCount } } }');
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
  });

  for (const role of USER_ROLES) {
    it(`${role}: reads every aggregate, each figure as the full answer has it or withheld as it says`, async () => {
      const principal = (PRINCIPALS as Record<UserRole, Principal | null>)[role];
      const problems: string[] = [];
      let withheld = 0;
      let refused = 0;
      for (const [name, document] of cases()) {
        const [mine, full] = await Promise.all([
          gql(stack.gateway.url, document, undefined, { token: principal ? tokenFor(principal) : null }),
          gql(stack.gateway.url, document, undefined, { token: tokenFor(NATIONAL_ADMIN) }),
        ]);
        const codes = (mine.errors ?? []).map((e) => e.extensions?.code).filter((c) => c !== 'PROVINCE_NOT_REGISTERED');
        if (!READS_AGGREGATES.includes(role)) {
          expect([name, codes]).toEqual([name, ['FORBIDDEN']]);
          continue;
        }
        // A breakdown by all its dimensions at once needs row access to every province in scope
        // (a national administrator has it); anyone else may be refused it, and then is, whole.
        if (name.endsWith('[all]') && role !== 'NATIONAL_ADMIN' && codes.includes('FORBIDDEN')) {
          expect([name, codes.every((c) => c === 'FORBIDDEN')]).toEqual([name, true]);
          refused += 1;
          continue;
        }
        expect([name, codes, full.errors?.filter((e) => e.extensions?.code !== 'PROVINCE_NOT_REGISTERED') ?? []]).toEqual([name, [], []]);
        withheld += compare(mine.data, full.data, name, problems);
        // The full answer withholds nothing.
        expect([name, compare(full.data, full.data, name, [])]).toEqual([name, 0]);
      }
      expect(problems).toEqual([]);
      if (role === 'NATIONAL_ADMIN') expect([withheld, refused]).toEqual([0, 0]);
      if (role === 'ANALYST') expect(refused).toBeGreaterThan(0);
      if (role === 'ANALYST' || role === 'ANONYMOUS') expect(withheld).toBeGreaterThan(0);
    });
  }
});
