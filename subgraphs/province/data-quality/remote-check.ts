/**
 * The data check as a provincial IT team runs it: asks a running service for
 * `dataQuality(province:)` over GraphQL with the team's token, prints every rule with its
 * count and sample ids, and judges the counts against thresholds (0 unless allowed).
 */

/** A rule's line of the report as the API returns it. */
export interface RemoteRule {
  id: string;
  category: string;
  title: string;
  source: string;
  checked: number;
  violations: number;
  sampleIds: string[];
}

/** The report as the API returns it. */
export interface RemoteReport {
  checkedAt: string;
  rowsChecked: number;
  violations: number;
  score: number;
  rules: RemoteRule[];
}

const QUERY = `query DataQuality($province: ID!) {
  dataQuality(province: $province) { checkedAt rowsChecked violations score rules { id category title source checked violations sampleIds } }
}`;

/** Why a check could not run (exit code 2), as opposed to a check that ran and found faults (exit code 1). */
export class CheckUnavailable extends Error {}

/** Fetches a province's data-quality report from a GraphQL endpoint that routes to it. */
export async function fetchReport(url: string, province: string, token: string | undefined, timeoutMs = 60_000): Promise<RemoteReport> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: QUERY, variables: { province } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CheckUnavailable(`could not reach ${url}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => null)) as { data?: { dataQuality?: RemoteReport | null }; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  const report = body?.data?.dataQuality;
  if (!report) {
    const why = body?.errors?.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ') ?? `HTTP ${response.status}`;
    const hint = token ? '' : ' (no token was given: set XIETONG_TOKEN or pass --token)';
    throw new CheckUnavailable(`no data-quality report for ${province}: ${why}${hint}`);
  }
  return report;
}

/** Thresholds: the most violations allowed per rule id (`*` for every other rule; 0 by default). */
export type Thresholds = Readonly<Record<string, number>>;

/** Parses `RULE=N` allowances (RULE may be `*`); throws on anything else. */
export function parseThresholds(allowances: readonly string[]): Thresholds {
  const out: Record<string, number> = {};
  for (const a of allowances) {
    const m = /^(\*|[a-z_][a-z0-9_.-]*)=(\d+)$/.exec(a);
    if (!m) throw new Error(`--allow takes RULE=COUNT, a rule id or * for every other rule (e.g. asset.pooled-is-idle=5 or *=10), got "${a}"`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Allowances that name none of the rules (a typo would otherwise allow nothing, silently). */
export function unknownAllowances(ruleIds: readonly string[], thresholds: Thresholds): string[] {
  return Object.keys(thresholds).filter((id) => id !== '*' && !ruleIds.includes(id));
}

/** The rules whose violations are above their threshold. */
export function overThreshold(report: RemoteReport, thresholds: Thresholds): RemoteRule[] {
  return report.rules.filter((r) => r.violations > (thresholds[r.id] ?? thresholds['*'] ?? 0));
}

/** The report as lines for a terminal: one per rule, faults with their sample ids. */
export function formatReport(province: string, report: RemoteReport, thresholds: Thresholds): string[] {
  const failing = new Set(overThreshold(report, thresholds).map((r) => r.id));
  const lines = [`data check of ${province} at ${report.checkedAt}: ${report.rowsChecked} row checks, ${report.violations} violations, score ${report.score}`];
  for (const r of report.rules) {
    const mark = r.violations === 0 ? 'ok  ' : failing.has(r.id) ? 'FAIL' : 'warn';
    lines.push(`${mark} ${r.id.padEnd(36)} ${String(r.violations).padStart(6)} / ${String(r.checked).padEnd(6)} ${r.title}`);
    if (r.violations > 0) lines.push(`     source: ${r.source}`, `     e.g. ${r.sampleIds.join(', ')}`);
  }
  lines.push(failing.size ? `${failing.size} rules above their threshold: ${[...failing].join(', ')}` : 'every rule within its threshold');
  return lines;
}
