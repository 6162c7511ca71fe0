import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { findProvince } from '../standards.js';
import { REPO_ROOT } from '../subgraphs.js';

/** A cross-provincial cooperation region: its code, names and member provinces (GB/T 2260 codes). */
export interface RegionInfo {
  code: string;
  name: string;
  description: string;
  provinceCodes: readonly string[];
}

/** The regions file the directory reads when none is configured: the three regions Xietong started with. */
export const DEFAULT_REGIONS_FILE = join(REPO_ROOT, 'deploy', 'regions.json');

/**
 * The most memberships (a province in a region) the file may list: the gateway carries them in
 * every assertion header, which must stay well inside HTTP header limits (16 KB in Node).
 */
export const MAX_MEMBERSHIPS = 400;

const regionSchema = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,15}$/, 'a region code is 2-16 capital letters, digits or _ (e.g. YRD, GBA)'),
  name: z.string().min(1),
  description: z.string().default(''),
  provinceCodes: z
    .array(
      z.string().refine((c) => findProvince(c) !== undefined, {
        error: (issue) => `${String(issue.input)} is not a provincial-level code Xietong serves (GB/T 2260: the 31 provinces, 香港 810000, 澳门 820000)`,
      }),
    )
    .min(1)
    .refine((codes) => new Set(codes).size === codes.length, 'lists a province twice'),
});
const fileSchema = z.strictObject({
  regions: z
    .array(regionSchema)
    .refine((regions) => new Set(regions.map((r) => r.code)).size === regions.length, 'two regions share a code')
    .refine((regions) => regions.reduce((n, r) => n + r.provinceCodes.length, 0) <= MAX_MEMBERSHIPS, {
      error: (issue) =>
        `the regions list ${(issue.input as { provinceCodes: unknown[] }[]).reduce((n, r) => n + r.provinceCodes.length, 0)} memberships; at most ${MAX_MEMBERSHIPS} fit in the gateway's assertions`,
    }),
});

/** Why a regions file was refused: each problem with the entry it is in. */
export class InvalidRegionsFile extends Error {}

/**
 * Parses the text of a regions file (`{ "regions": [{ code, name, description, provinceCodes }] }`,
 * a byte-order mark allowed); InvalidRegionsFile names each problem and the region it is in.
 */
export function parseRegions(text: string, source: string): RegionInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InvalidRegionsFile(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const listed = (json as { regions?: { code?: unknown }[] } | null)?.regions;
    const where = (path: PropertyKey[]) => {
      if (!path.length) return '(file)';
      const entry = path[0] === 'regions' && typeof path[1] === 'number' && Array.isArray(listed) ? listed[path[1]] : undefined;
      const named = entry && typeof entry.code === 'string' ? ` (${entry.code})` : '';
      return `${path.join('.')}${named}`;
    };
    const problems = parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`);
    throw new InvalidRegionsFile(`${source}: ${problems.join('; ')}`);
  }
  return parsed.data.regions;
}

/** Reads and parses a regions file; an unreadable one is named with the variable that chooses it. */
export function readRegions(path: string = DEFAULT_REGIONS_FILE): RegionInfo[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidRegionsFile(`cannot read the regions file ${path} (XIETONG_REGIONS_FILE): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseRegions(text, path);
}
