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

const regionSchema = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,15}$/, 'a region code is 2-16 capital letters, digits or _ (e.g. YRD, GBA)'),
  name: z.string().min(1),
  description: z.string().default(''),
  provinceCodes: z
    .array(z.string().refine((c) => findProvince(c) !== undefined, { error: (issue) => `${String(issue.input)} is not a GB/T 2260 provincial code` }))
    .min(1)
    .refine((codes) => new Set(codes).size === codes.length, 'lists a province twice'),
});
const fileSchema = z.strictObject({
  regions: z.array(regionSchema).refine((regions) => new Set(regions.map((r) => r.code)).size === regions.length, 'two regions share a code'),
});

/** Why a regions file was refused: each problem with the entry it is in. */
export class InvalidRegionsFile extends Error {}

/** Parses the text of a regions file (`{ "regions": [{ code, name, description, provinceCodes }] }`); InvalidRegionsFile names each problem. */
export function parseRegions(text: string, source: string): RegionInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidRegionsFile(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`);
    throw new InvalidRegionsFile(`${source}: ${problems.join('; ')}`);
  }
  return parsed.data.regions;
}

/** Reads and parses a regions file. */
export function readRegions(path: string = DEFAULT_REGIONS_FILE): RegionInfo[] {
  return parseRegions(readFileSync(path, 'utf8'), path);
}
