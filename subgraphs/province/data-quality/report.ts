import { requireAccess } from '../../../common/auth/subgraph-auth.js';
import { rowScope } from '../../../common/auth/policy.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ErrorCode, userError } from '../../../common/errors.js';
import type { Repository } from '../repository.js';
import { checkData, type CheckedTable, type QualityData } from './rules.js';

/** A province's data-quality report as the contract's DataQualityReport presents it. */
export interface QualityReport {
  province: { code: string };
  checkedAt: string;
  rowsChecked: number;
  violations: number;
  score: number;
  rules: {
    id: string;
    category: string;
    table: string;
    title: string;
    source: string;
    checked: number;
    violations: number;
    sampleIds: string[];
  }[];
}

const TABLES = ['agencies', 'buildings', 'assets', 'vehicles', 'energy_reports', 'operating_costs', 'asset_transfers'] as const satisfies readonly (
  CheckedTable | 'asset_transfers'
)[];

/**
 * Reads a province's stored rows. An instance that serves one province reads every row it
 * holds (a row filed under another province is itself a finding); a combined reference
 * database reads the province's rows.
 */
async function readRows(repo: Repository, province: string, served: readonly string[]): Promise<Omit<QualityData, 'province' | 'today'>> {
  const read = async (table: (typeof TABLES)[number]) => {
    let query = repo.db.selectFrom(repo.source(table)).selectAll();
    if (served.length > 1 && table !== 'asset_transfers') query = query.where('t.province' as never, '=', province as never);
    return query.execute();
  };
  const rows = await Promise.all(TABLES.map(read));
  return Object.fromEntries(TABLES.map((t, i) => [t, rows[i]])) as unknown as Omit<QualityData, 'province' | 'today'>;
}

/** The share of row checks passed, rounded down to 4 places: 1 only when nothing failed. */
export function scoreOf(checked: number, violations: number): number {
  if (checked === 0) return 1;
  return Number((BigInt(checked - violations) * 10_000n) / BigInt(checked)) / 10_000;
}

/** Runs the rules over one province's rows as they are now. */
export async function runReport(repo: Repository, served: readonly string[], province: string, now: Date): Promise<QualityReport> {
  const outcomes = checkData({ province, today: now.toISOString().slice(0, 10), ...(await readRows(repo, province, served)) });
  const rowsChecked = outcomes.reduce((s, o) => s + o.checked, 0);
  const violations = outcomes.reduce((s, o) => s + o.violations, 0);
  return {
    province: { code: province },
    checkedAt: now.toISOString(),
    rowsChecked,
    violations,
    score: scoreOf(rowsChecked, violations),
    rules: outcomes.map((o) => ({
      id: o.rule.id,
      category: o.rule.category,
      table: o.rule.table,
      title: o.rule.title,
      source: o.rule.source,
      checked: o.checked,
      violations: o.violations,
      sampleIds: o.sampleIds,
    })),
  };
}

/**
 * The data-quality reports of one province instance, for a national administrator or an
 * administrator of the province (class `data-quality`, and every row of the province in
 * scope). A report reads every row, so it is computed once per data version: concurrent and
 * repeated asks (aliases, dashboards refreshing) share it until the data changes or `maxAgeMs`
 * passes, and one caller cannot make the province read its tables many times over.
 */
export class QualityReports {
  private readonly latest = new Map<string, { marker: string; at: number; report: Promise<QualityReport> }>();

  constructor(
    private readonly repo: Repository,
    private readonly served: readonly string[],
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The report of a province for a caller who may read it. */
  async report(principal: Principal, province: string): Promise<QualityReport> {
    requireAccess(principal, 'data-quality');
    if (!this.served.includes(province)) throw userError(ErrorCode.NOT_FOUND, `This service does not hold province ${province}.`, { province });
    if (rowScope(principal, province).kind !== 'all') throw userError(ErrorCode.FORBIDDEN, `The role ${principal.role} may not check the data of province ${province}.`);
    const { marker, settling } = await this.repo.dataVersion();
    const now = Date.now();
    const cached = this.latest.get(province);
    if (cached && cached.marker === marker && !settling && now - cached.at < this.maxAgeMs) return cached.report;
    const report = runReport(this.repo, this.served, province, new Date(now));
    this.latest.set(province, { marker, at: now, report });
    // A failed run is not kept: the next ask tries again.
    report.catch(() => this.latest.get(province)?.report === report && this.latest.delete(province));
    return report;
  }
}
