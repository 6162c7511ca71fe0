/** The requests of each workload: bodies, tokens and how the golden copy of each is obtained. */
import { IDLE_ASSET_POOL, REGION_ENERGY, VEHICLE_MIX } from '../examples/dashboard/operations.js';
import { PROVINCES } from '../common/standards.js';
import { post, tokenFor } from './harness.js';
import type { Variant } from './load.js';
import { W1_QUERY } from './w1/subgraphs.js';

/** Regions of the dashboard mix. */
const REGIONS = ['YRD', 'JJJ', 'CY'] as const;

/** A request without its golden copy yet. */
export interface Request {
  body: string;
  tokens?: string[];
}

/** Fills in each request's golden data from a reference gateway, failing on any error there. */
export async function withGolden(referenceUrl: string, requests: Request[], referenceToken?: string): Promise<Variant[]> {
  const variants: Variant[] = [];
  for (const request of requests) {
    const answer = await post(referenceUrl, JSON.parse(request.body), referenceToken ?? request.tokens?.[0]);
    if (answer.errors || !answer.data) throw new Error(`reference answer has errors: ${JSON.stringify(answer).slice(0, 500)}`);
    variants.push({ ...request, golden: answer.data });
  }
  return variants;
}

/** W1: the published query, as a national administrator (Xietong's auth stays on). */
export function w1Requests(): Request[] {
  return [{ body: JSON.stringify({ query: W1_QUERY, operationName: 'TestQuery' }), tokens: [tokenFor({ role: 'NATIONAL_ADMIN' }, 'bench-w1')] }];
}

/**
 * W2: the dashboard's three queries over three regions and two years, each sent with a token of
 * its own user (national administrators and the region's coordinators: many users, few scopes).
 * Analysts are left out: the summaries withhold small cells from them at bench scale, which the
 * peers (no disclosure rules) cannot give a golden copy of.
 */
export function w2Requests(usersPerScope: number): Request[] {
  const users = (role: 'NATIONAL_ADMIN' | 'REGION_COORDINATOR', region: string) =>
    Array.from({ length: usersPerScope }, (_, i) => tokenFor({ role, ...(role === 'REGION_COORDINATOR' ? { region } : {}) }, `bench-${role}-${region}-${i}`));
  const requests: Request[] = [];
  for (const region of REGIONS) {
    const national = users('NATIONAL_ADMIN', region);
    const coordinators = users('REGION_COORDINATOR', region);
    const tokens = national.flatMap((t, i) => [t, coordinators[i]]);
    for (const year of [2024, 2025]) requests.push({ body: JSON.stringify({ query: REGION_ENERGY, variables: { region, year } }), tokens });
    requests.push({ body: JSON.stringify({ query: IDLE_ASSET_POOL, variables: { region } }), tokens });
    requests.push({ body: JSON.stringify({ query: VEHICLE_MIX, variables: { region } }), tokens });
  }
  return requests;
}

/** The fan-out query: every registered province's asset figures and the top 10 assets by value. */
export const FANOUT_QUERY = 'query Fanout { assetSummary { assetCount idleShare } assets(orderBy: ORIGINAL_VALUE_DESC, first: 10) { edges { node { id originalValue } } } }';

/** The same answer asked of a gateway without sharding, scoped to the first n provinces. */
export function fanoutReferenceQuery(n: number): string {
  const codes = JSON.stringify(PROVINCES.slice(0, n).map((p) => p.code));
  return `query Fanout { assetSummary(scope: { provinces: ${codes} }) { assetCount idleShare } assets(filter: { provinces: ${codes} }, orderBy: ORIGINAL_VALUE_DESC, first: 10) { edges { node { id originalValue } } } }`;
}

/** W3: distinct operations never seen by a fresh gateway (each one a new document to plan). */
export function coldOperations(count: number): string[] {
  const shapes = [
    (i: number) => `query Cold${i} { s${i}: assetSummary { assetCount netValue } v${i}: vehicleSummary { vehicleCount } }`,
    (i: number) => `query Cold${i} { a${i}: assets(orderBy: ORIGINAL_VALUE_DESC, first: ${(i % 9) + 2}) { edges { node { id name originalValue agency { name } } } } }`,
    (i: number) => `query Cold${i} { r${i}: region(code: "YRD") { name provinces { code energySummary(year: 2025) { totalKgce } } } }`,
    (i: number) => `query Cold${i} { b${i}: buildings(first: ${(i % 7) + 2}) { totalCount edges { node { id name } } } }`,
  ];
  return Array.from({ length: count }, (_, i) => shapes[i % shapes.length](i));
}

/** The stale-read checker's read: 上海's leased-out assets, a figure no other workload reads. */
export const STALE_READ = 'query StaleCheck { assets(filter: { province: "310000", status: LEASED_OUT }, first: 1) { totalCount } }';
/** Its write: one 上海 asset's status, flipped between in use and leased out. */
export const STALE_WRITE = 'mutation StaleWrite($assetId: ID!, $status: AssetStatus!) { setAssetStatus(input: { assetId: $assetId, status: $status }) { asset { id status } } }';
/** Finds the asset it flips. */
export const STALE_PICK = 'query StalePick { assets(filter: { province: "310000", status: IN_USE, offeredToPool: false }, first: 1) { edges { node { id } } } }';
