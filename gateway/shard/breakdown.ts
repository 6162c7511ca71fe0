import { getNamedType, isObjectType, Kind, type FieldNode, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { INTERNAL_PREFIX } from './fetch-document.js';
import type { ShardRules } from './rules.js';
import { fieldOfEnum, orderGroups } from '../../common/breakdown.js';
import type { KeyValue } from '../../common/key-order.js';
import { checkCombinedDimensions, linesAlong, withheldGroups, type DisclosureCaller, type GroupPart } from '../../common/disclosure.js';

export { WITHHELD } from '../../common/disclosure.js';

type Obj = Record<string, unknown>;

/** What deciding the disclosure of a breakdown's groups needs. */
export interface DisclosureOptions {
  /** The dimensions asked (`by`), as enum values (AGENCY_LEVEL), in the order given. */
  by: readonly string[];
  /** The measure to order by, as an enum value (KGCE_PER_CAPITA), and the direction. */
  orderBy?: string;
  descending: boolean;
  /** A province's part of a group is withheld when it has between 1 and this many minus one agencies the caller cannot add up itself. */
  minAgencies: number;
  /**
   * What the caller knows of a province's agencies by itself: all of them when it reads the
   * province in full; else how many it may know (an officer its own agency, which may or may not
   * be in a group, so a part must have that many more agencies to be shown).
   */
  knows: (province: string) => { all: boolean; some: number };
}

/** The internal field where a group keeps its part in each province (the router fills it from each province's answer). */
export const PARTS_BY_PROVINCE = `${INTERNAL_PREFIX}partsByProvince`;

/** A group's part in one province: the agencies it stands for, and its additive figures that are not zero there. */
export interface ProvincePart {
  agencies: number;
  figures: string[];
}

/** The parts of a group, one per province (as the router noted them), on the lines of the asked dimensions. */
function partsOf(group: Obj, type: GraphQLObjectType, rules: ShardRules, options: DisclosureOptions, keys: readonly string[], dims: readonly string[]): GroupPart<Obj>[] {
  const byProvince = (group[PARTS_BY_PROVINCE] as Record<string, ProvincePart> | undefined) ?? {
    [((read(group, 'provinces') as string[] | undefined) ?? []).join('+')]: partOfAnswer(sumFields(rules, type), group),
  };
  // The other keys of a line: every key but the province, which is the part's own (never the year as a dimension: no total over years is published).
  const others = Object.fromEntries(keys.filter((k) => k !== 'province').map((k) => [k, read(group, k)]));
  return Object.entries(byProvince).map(([province, part]) => {
    const known = options.knows(province);
    return {
      group,
      province,
      unknown: known.all ? 0 : part.agencies,
      mayKnow: known.all ? 0 : known.some,
      lines: linesAlong(dims, province, others, part.figures),
      order: [province, ...keys.map((k) => read(group, k) as KeyValue)],
    };
  });
}

/** The additive figures of a group type (`@shardMerge(op: "sum")`), its agency count aside. */
function sumFields(rules: ShardRules, type: GraphQLObjectType): string[] {
  return Object.keys(type.getFields()).filter((f) => f !== 'agencyCount' && rules.fieldMerge(type.name, f)?.op === 'sum');
}

/** A group's part as one province answered it: its agencies, and which of its additive figures are not zero. */
function partOfAnswer(figures: readonly string[], group: Obj): ProvincePart {
  return { agencies: agenciesOf(group), figures: figures.filter((f) => Number(read(group, f) ?? 0) !== 0) };
}

/** Whether a type is a breakdown: it holds groups (`@shardMerge(op: "groups")`). */
export function isBreakdownType(rules: ShardRules, type: GraphQLObjectType): boolean {
  return Object.keys(type.getFields()).some((f) => rules.fieldMerge(type.name, f)?.op === 'groups');
}

/** The fields of a group type that identify it (`@shardMerge(op: "key")`). */
export function keyFields(rules: ShardRules, type: GraphQLObjectType): string[] {
  return Object.keys(type.getFields()).filter((f) => rules.fieldMerge(type.name, f)?.op === 'key');
}

/**
 * The response keys of a group that stay when it is withheld (its key, provinces, typename; the
 * router's own copies of them) and those that carry the reason, from the whole selection: fields,
 * aliases and inline fragments at any depth. Its agency count goes too: how few agencies form a
 * small group is the start of guessing which.
 */
function shownKeys(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode): { kept: Set<string>; reason: Set<string> } {
  const stays = new Set([...keyFields(rules, type), 'provinces', '__typename']);
  const kept = new Set([...stays].map((f) => `${INTERNAL_PREFIX}${f}`));
  const reason = new Set([`${INTERNAL_PREFIX}withheld`]);
  const visit = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
      if (s.kind !== Kind.FIELD) continue;
      const key = s.alias?.value ?? s.name.value;
      if (stays.has(s.name.value)) kept.add(key);
      if (s.name.value === 'withheld') reason.add(key);
    }
  };
  visit(selectionSet);
  for (const key of reason) kept.add(key);
  return { kept, reason };
}

/**
 * How many agencies a group's part stands for, in disclosure: the fewest forming any of its
 * figures (its own agencies, or a sub-figure's such as the pooled value: `leastAgencyCount`).
 */
const agenciesOf = (group: Obj) => Math.min(Number(read(group, 'agencyCount')), Number(read(group, 'leastAgencyCount') ?? Infinity));

/** The value of a field in a group whatever the client called it: the router's own copy first. */
const read = (group: Obj, field: string) => (`${INTERNAL_PREFIX}${field}` in group ? group[`${INTERNAL_PREFIX}${field}`] : group[field]);

/**
 * Withholds and orders a breakdown's merged groups, in place. Withholding is decided for each
 * province's part of a group, then a group is shown only when none of its parts is withheld, so
 * a group over some provinces minus one over fewer (another scope) never isolates a withheld part.
 * - A part with one to `minAgencies - 1` agencies the caller cannot add up itself (they are in a
 *   province whose rows it may not read in full) is withheld.
 * - Within one province, along each asked dimension, a line of parts (the same values of the
 *   other dimensions and year) that hides a part keeps hiding its next smallest unknown part until
 *   one hidden part alone has `minAgencies` agencies the caller does not know: the province's
 *   published total minus the rest gives the sum of the hidden parts, which must not be one or two
 *   agencies' figures. Repeated until every line holds. Lines never run along the year: no total
 *   over years is published.
 * A withheld group's figures are null and `withheld` says why. Groups are then ordered by the
 * measure (withheld ones last), ties by key.
 */
export function discloseGroups(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, groups: Obj[], options: DisclosureOptions): Obj[] {
  const keys = keyFields(rules, type);
  const dims = options.by.map(fieldOfEnum).filter((d) => keys.includes(d) && d !== 'province' && d !== 'year');
  const reasons = withheldGroups(
    groups.flatMap((g) => partsOf(g, type, rules, options, keys, dims)),
    options.minAgencies,
  );
  // What a withheld group still shows, by response key, however the selection spells it (aliases,
  // fragments with directives): everything else in it is nulled, never only the keys expected.
  const shown = shownKeys(rules, type, selectionSet);
  for (const [g, reason] of reasons) {
    for (const key of Object.keys(g)) if (key !== PARTS_BY_PROVINCE && !shown.kept.has(key)) g[key] = null;
    for (const key of shown.reason) g[key] = reason;
  }
  return orderGroups(groups, { read, keys, measure: options.orderBy ? fieldOfEnum(options.orderBy) : undefined, descending: options.descending });
}

/** What the router knows of the caller when it finishes a breakdown. */
export type BreakdownCaller = DisclosureCaller;

/**
 * Notes, in each group of a province's answer to a breakdown field, its part in that province
 * (a registered instance serves one province), so the merged group knows its part in each.
 */
export function noteProvince(rules: ShardRules, parent: GraphQLObjectType, node: FieldNode, value: unknown, province: string): void {
  for (const { type, groups } of groupLists(rules, parent, node, value)) {
    const figures = sumFields(rules, type);
    for (const g of groups) g[PARTS_BY_PROVINCE] = { [province]: partOfAnswer(figures, g) };
  }
}

/** The group lists a root field's value holds, with their group type. */
function groupLists(rules: ShardRules, parent: GraphQLObjectType, node: FieldNode, value: unknown): { type: GraphQLObjectType; groups: Obj[] }[] {
  const def = parent.getFields()[node.name.value];
  const type = def && getNamedType(def.type);
  if (!value || typeof value !== 'object' || !isObjectType(type) || !node.selectionSet) return [];
  return node.selectionSet.selections.flatMap((s) => {
    if (s.kind !== Kind.FIELD || rules.fieldMerge(type.name, s.name.value)?.op !== 'groups') return [];
    const groups = (value as Obj)[s.alias?.value ?? s.name.value];
    return Array.isArray(groups) ? [{ type: getNamedType(type.getFields()[s.name.value].type) as GraphQLObjectType, groups: groups as Obj[] }] : [];
  });
}

/**
 * Finishes a merged root field that holds breakdown groups (`@shardMerge(op: "groups")`):
 * withholds small groups and orders them by the field's `by`, `orderBy` and `descending`
 * arguments. Other values are returned as they are.
 */
export function finishBreakdown(rules: ShardRules, parent: GraphQLObjectType, node: FieldNode, value: unknown, args: Record<string, unknown>, caller: BreakdownCaller): unknown {
  const def = parent.getFields()[node.name.value];
  const type = def && getNamedType(def.type);
  if (!value || typeof value !== 'object' || !isObjectType(type) || !node.selectionSet) return value;
  for (const s of node.selectionSet.selections) {
    if (s.kind !== Kind.FIELD || rules.fieldMerge(type.name, s.name.value)?.op !== 'groups' || !s.selectionSet) continue;
    const groupType = getNamedType(type.getFields()[s.name.value].type) as GraphQLObjectType;
    const groups = (value as Obj)[s.alias?.value ?? s.name.value];
    if (!Array.isArray(groups)) continue;
    // Arguments as the field declares them: an omitted one takes its default (`orderBy: KGCE`).
    const given = (name: string) => args[name] ?? def.args.find((a) => a.name === name)?.defaultValue;
    discloseGroups(rules, groupType, s.selectionSet, groups as Obj[], {
      by: (given('by') as string[] | undefined) ?? [],
      orderBy: given('orderBy') as string | undefined,
      descending: given('descending') !== false,
      minAgencies: caller.minAgencies,
      knows: caller.knows,
    });
  }
  return value;
}

/**
 * Refuses, before anything is fetched, a breakdown root field grouped by more than one dimension
 * besides PROVINCE for a caller who cannot add up every province it goes to
 * (common/disclosure.ts). Other fields pass.
 */
export function checkBreakdownDimensions(
  rules: ShardRules,
  parent: GraphQLObjectType,
  node: FieldNode,
  args: Record<string, unknown>,
  provinces: readonly string[],
  caller: BreakdownCaller,
): void {
  const def = parent.getFields()[node.name.value];
  const type = def && getNamedType(def.type);
  if (!isObjectType(type) || !isBreakdownType(rules, type)) return;
  const by = (args.by ?? def.args.find((a) => a.name === 'by')?.defaultValue ?? []) as string[];
  checkCombinedDimensions(
    by.filter((d) => d !== 'PROVINCE'),
    provinces.every((p) => caller.knows(p).all),
  );
}
