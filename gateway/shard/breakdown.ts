import { getNamedType, isObjectType, Kind, type FieldNode, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { INTERNAL_PREFIX } from './fetch-document.js';
import type { ShardRules } from './rules.js';

type Obj = Record<string, unknown>;

/** The smallest number of agencies a breakdown group shows figures for to callers who may not read its rows. */
export const DEFAULT_MIN_AGENCIES = 3;

/** What deciding the disclosure of a breakdown's groups needs. */
export interface DisclosureOptions {
  /** The dimensions asked (`by`), as enum values (AGENCY_LEVEL), in the order given. */
  by: readonly string[];
  /** The measure to order by, as an enum value (KGCE_PER_CAPITA), and the direction. */
  orderBy?: string;
  descending: boolean;
  /** A group is withheld when between 1 and this many minus one of its agencies are in provinces the caller may not read in full. */
  minAgencies: number;
  /** Whether the caller may read every row of a province (what it can add up itself is not withheld from it). */
  reads: (province: string) => boolean;
}

/** The internal field where a group keeps its agencies per province (the router fills it from each province's answer). */
export const AGENCIES_BY_PROVINCE = `${INTERNAL_PREFIX}agenciesByProvince`;

/** Agencies of a group in provinces the caller may not read in full: what it could not add up itself. */
function unreadableAgencies(group: Obj, reads: (province: string) => boolean): number {
  const byProvince = group[AGENCIES_BY_PROVINCE] as Record<string, number> | undefined;
  if (!byProvince) {
    const provinces = (read(group, 'provinces') as string[] | undefined) ?? [];
    return provinces.every(reads) ? 0 : Number(read(group, 'agencyCount'));
  }
  return Object.entries(byProvince).reduce((n, [province, count]) => n + (reads(province) ? 0 : count), 0);
}

/** The field a dimension or measure enum value names: AGENCY_LEVEL -> agencyLevel. */
export function fieldOfEnum(value: string): string {
  return value.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Why a group's figures are withheld. */
export const WITHHELD = {
  small: (n: number) => `fewer than ${n} agencies: withheld so no agency's own figures are disclosed`,
  complementary: 'withheld with a smaller group of the same line, which could otherwise be derived by subtraction',
} as const;

/** The fields of a group type that identify it (`@shardMerge(op: "key")`). */
export function keyFields(rules: ShardRules, type: GraphQLObjectType): string[] {
  return Object.keys(type.getFields()).filter((f) => rules.fieldMerge(type.name, f)?.op === 'key');
}

/** The fields a withheld group answers as null: every figure (not its key, agency count, provinces or reason). */
function measureFields(rules: ShardRules, type: GraphQLObjectType): Set<string> {
  const kept = new Set([...keyFields(rules, type), 'agencyCount', 'provinces', 'withheld', '__typename']);
  return new Set(Object.keys(type.getFields()).filter((f) => !kept.has(f)));
}

/** The value of a field in a group whatever the client called it: the router's own copy first. */
const read = (group: Obj, field: string) => (`${INTERNAL_PREFIX}${field}` in group ? group[`${INTERNAL_PREFIX}${field}`] : group[field]);

/**
 * Withholds and orders a breakdown's merged groups, in place. The agencies of a group that the
 * caller cannot add up itself are those in provinces whose rows it may not read in full; a
 * group with one to `minAgencies - 1` of them is withheld (its figures null, `withheld` saying
 * why), so neither a group nor the part of it beyond the caller's own rows discloses an agency.
 * Then, along each asked dimension, every line of groups (the same values of the other
 * dimensions) in which exactly one withheld group is unknown to the caller withholds the next
 * smallest unknown one too: otherwise the line's total, published by a coarser breakdown, minus
 * the rest would give it. Repeated until no line has exactly one. Groups are then ordered by the
 * measure (withheld ones last), ties by key.
 */
export function discloseGroups(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, groups: Obj[], options: DisclosureOptions): Obj[] {
  const keys = keyFields(rules, type);
  const dims = options.by.map(fieldOfEnum).filter((d) => keys.includes(d));
  const reasons = new Map<Obj, string>();
  const unknown = new Map(groups.map((g) => [g, unreadableAgencies(g, options.reads)]));
  for (const g of groups) {
    const n = unknown.get(g)!;
    if (n > 0 && n < options.minAgencies) reasons.set(g, WITHHELD.small(options.minAgencies));
  }
  for (let changed = reasons.size > 0; changed;) {
    changed = false;
    for (const dim of dims) {
      const lines = new Map<string, Obj[]>();
      for (const g of groups) {
        const line = JSON.stringify(dims.filter((d) => d !== dim).map((d) => read(g, d)));
        lines.set(line, [...(lines.get(line) ?? []), g]);
      }
      for (const line of lines.values()) {
        if (line.filter((g) => reasons.has(g) && unknown.get(g)! > 0).length !== 1) continue;
        const next = line.filter((g) => !reasons.has(g) && unknown.get(g)! > 0).sort((a, b) => unknown.get(a)! - unknown.get(b)!)[0];
        if (!next) continue; // the line's other groups are the caller's own: their total withholds it (see above)
        reasons.set(next, WITHHELD.complementary);
        changed = true;
      }
    }
  }
  const measures = measureFields(rules, type);
  const aliases = new Map<string, string[]>();
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) aliases.set(s.name.value, [...(aliases.get(s.name.value) ?? []), s.alias?.value ?? s.name.value]);
  }
  for (const [g, reason] of reasons) {
    for (const m of measures) for (const key of [...(aliases.get(m) ?? []), `${INTERNAL_PREFIX}${m}`]) if (key in g) g[key] = null;
    for (const key of [...(aliases.get('withheld') ?? []), `${INTERNAL_PREFIX}withheld`]) g[key] = reason;
  }
  const measure = options.orderBy ? fieldOfEnum(options.orderBy) : undefined;
  const keyOf = (g: Obj) => JSON.stringify(keys.map((k) => read(g, k)));
  return groups.sort((a, b) => {
    if (measure) {
      const [x, y] = [read(a, measure), read(b, measure)] as (number | null)[];
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
      } else if (x !== y) return options.descending ? y - x : x - y;
    }
    return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
  });
}

/** What the router knows of the caller when it finishes a breakdown. */
export interface BreakdownCaller {
  minAgencies: number;
  reads: (province: string) => boolean;
}

/**
 * Notes, in each group of a province's answer to a breakdown field, its agencies in that
 * province (a registered instance serves one province), so the merged group knows how many of
 * its agencies are in each province.
 */
export function noteProvince(rules: ShardRules, parent: GraphQLObjectType, node: FieldNode, value: unknown, province: string): void {
  for (const groups of groupLists(rules, parent, node, value)) {
    for (const g of groups) g[AGENCIES_BY_PROVINCE] = { [province]: Number(read(g, 'agencyCount')) };
  }
}

/** The group lists a root field's value holds, with their group type and selection. */
function groupLists(rules: ShardRules, parent: GraphQLObjectType, node: FieldNode, value: unknown): (Obj[] & { type?: GraphQLObjectType })[] {
  const def = parent.getFields()[node.name.value];
  const type = def && getNamedType(def.type);
  if (!value || typeof value !== 'object' || !isObjectType(type) || !node.selectionSet) return [];
  return node.selectionSet.selections.flatMap((s) => {
    if (s.kind !== Kind.FIELD || rules.fieldMerge(type.name, s.name.value)?.op !== 'groups') return [];
    const groups = (value as Obj)[s.alias?.value ?? s.name.value];
    return Array.isArray(groups) ? [groups as Obj[]] : [];
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
    discloseGroups(rules, groupType, s.selectionSet, groups as Obj[], {
      by: (args.by as string[] | undefined) ?? [],
      orderBy: args.orderBy as string | undefined,
      descending: args.descending !== false,
      minAgencies: caller.minAgencies,
      reads: caller.reads,
    });
  }
  return value;
}
