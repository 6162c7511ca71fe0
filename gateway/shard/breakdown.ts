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
  /** A province's part of a group is withheld when it has between 1 and this many minus one agencies the caller cannot add up itself. */
  minAgencies: number;
  /** Whether the caller may read every row of a province (what it can add up itself is not withheld from it). */
  reads: (province: string) => boolean;
}

/** The internal field where a group keeps its agencies per province (the router fills it from each province's answer). */
export const AGENCIES_BY_PROVINCE = `${INTERNAL_PREFIX}agenciesByProvince`;

/** One province's part of a group: the agencies the caller cannot add up itself there (0 when it reads the province in full). */
interface Part {
  group: Obj;
  province: string;
  unknown: number;
}

/** The parts of a group, one per province (from the agencies the router noted per province). */
function partsOf(group: Obj, reads: (province: string) => boolean): Part[] {
  const byProvince = (group[AGENCIES_BY_PROVINCE] as Record<string, number> | undefined) ?? {
    [((read(group, 'provinces') as string[] | undefined) ?? []).join('+')]: Number(read(group, 'agencyCount')),
  };
  return Object.entries(byProvince).map(([province, count]) => ({ group, province, unknown: reads(province) ? 0 : count }));
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
 * Withholds and orders a breakdown's merged groups, in place. Withholding is decided for each
 * province's part of a group, then a group is shown only when none of its parts is withheld, so
 * a group over some provinces minus one over fewer (another scope) never isolates a withheld part.
 * - A part with one to `minAgencies - 1` agencies the caller cannot add up itself (they are in a
 *   province whose rows it may not read in full) is withheld.
 * - Within one province, along each asked dimension, a line of parts (the same values of the
 *   other dimensions and year) with exactly one withheld part unknown to the caller withholds its
 *   next smallest unknown part too: the province's published total minus the rest would give it.
 *   Repeated until no line has exactly one. Lines never run along the year: no total over years
 *   is published.
 * A withheld group's figures are null and `withheld` says why. Groups are then ordered by the
 * measure (withheld ones last), ties by key.
 */
export function discloseGroups(rules: ShardRules, type: GraphQLObjectType, selectionSet: SelectionSetNode, groups: Obj[], options: DisclosureOptions): Obj[] {
  const keys = keyFields(rules, type);
  const dims = options.by.map(fieldOfEnum).filter((d) => keys.includes(d) && d !== 'province' && d !== 'year');
  const parts = groups.flatMap((g) => partsOf(g, options.reads));
  const withheld = new Map<Part, string>();
  for (const part of parts) if (part.unknown > 0 && part.unknown < options.minAgencies) withheld.set(part, WITHHELD.small(options.minAgencies));
  for (let changed = withheld.size > 0; changed;) {
    changed = false;
    for (const dim of dims) {
      const lines = new Map<string, Part[]>();
      for (const part of parts) {
        const line = JSON.stringify([part.province, ...keys.filter((k) => k !== dim && k !== 'province').map((k) => read(part.group, k))]);
        lines.set(line, [...(lines.get(line) ?? []), part]);
      }
      for (const line of lines.values()) {
        if (line.filter((p) => withheld.has(p) && p.unknown > 0).length !== 1) continue;
        const next = line.filter((p) => !withheld.has(p) && p.unknown > 0).sort((a, b) => a.unknown - b.unknown)[0];
        if (!next) continue; // every other unknown part of the line is withheld already
        withheld.set(next, WITHHELD.complementary);
        changed = true;
      }
    }
  }
  const reasons = new Map<Obj, string>();
  for (const [part, reason] of withheld) if (reasons.get(part.group) !== WITHHELD.small(options.minAgencies)) reasons.set(part.group, reason);
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
