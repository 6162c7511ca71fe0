import { requireAccess } from '../../../common/auth/subgraph-auth.js';
import { rowScope } from '../../../common/auth/policy.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ErrorCode, userError } from '../../../common/errors.js';
import { ratio } from '../../../common/exact.js';
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

/**
 * Runs the data-quality rules over one province's rows, for a national administrator or an
 * administrator of that province (class `data-quality`, and every row of the province in scope).
 */
export async function dataQualityReport(repo: Repository, served: readonly string[], principal: Principal, province: string, now = new Date()): Promise<QualityReport> {
  requireAccess(principal, 'data-quality');
  if (!served.includes(province)) throw userError(ErrorCode.NOT_FOUND, `This service does not hold province ${province}.`, { province });
  if (rowScope(principal, province).kind !== 'all') throw userError(ErrorCode.FORBIDDEN, `The role ${principal.role} may not check the data of province ${province}.`);
  const today = now.toISOString().slice(0, 10);
  const outcomes = checkData({ province, today, ...(await readRows(repo, province, served)) });
  const rowsChecked = outcomes.reduce((s, o) => s + o.checked, 0);
  const violations = outcomes.reduce((s, o) => s + o.violations, 0);
  return {
    province: { code: province },
    checkedAt: now.toISOString(),
    rowsChecked,
    violations,
    score: ratio(rowsChecked - violations, rowsChecked) ?? 1,
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
