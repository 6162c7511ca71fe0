import { parseProvinceConfig } from './config.js';
import { provinceConfigInput } from './config-file.js';
import { MappingMismatch, openProvinceDatabase } from './db/database.js';
import { resolveMapping } from './db/mapping.js';
import { servedDataProblems } from './db/verify.js';
import { runReport } from './data-quality/report.js';
import { formatReport, overThreshold, type Thresholds } from './data-quality/remote-check.js';
import { Repository } from './repository.js';

/** "1 problem", "2 problems". */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The data tables that hold no row although the province has agencies: usually a table the mapping does not name yet. */
async function emptyTables(repo: Repository): Promise<string[]> {
  const count = async (table: 'agencies' | 'buildings' | 'assets' | 'vehicles' | 'energy_reports' | 'operating_costs') =>
    Number(
      (
        await repo.db
          .selectFrom(repo.source(table))
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  if ((await count('agencies')) === 0) return [];
  const tables = ['buildings', 'assets', 'vehicles', 'energy_reports', 'operating_costs'] as const;
  const counts = await Promise.all(tables.map(count));
  return tables
    .filter((_, i) => counts[i] === 0)
    .map((t) => `${t}: no rows, though the province has agencies; if your data is in another table, name it in mapping.${t}.table (an empty table serves zeros)`);
}

/** What the check found, as lines to print, and the exit code: 0 conforms, 1 does not, 2 cannot tell (unreadable, unreachable). */
export interface LocalCheck {
  lines: string[];
  exitCode: 0 | 1 | 2;
}

/**
 * Checks a province before it starts or joins, from its own config file and database, with no
 * key and no gateway: the configuration (unknown keys, codes), every mapped table and column
 * (named by mapping entry), that the data is the configured province's, that values are in the
 * standard units (medians off by a power of ten name the column's `scale`), and the
 * data-quality rules over every row. Reads only; creates nothing.
 */
export async function checkLocalProvince(configFile: string, thresholds: Thresholds, env: NodeJS.ProcessEnv = process.env): Promise<LocalCheck> {
  const lines: string[] = [];
  let input: Record<string, unknown>;
  try {
    input = provinceConfigInput([configFile], env);
  } catch (error) {
    return { lines: [(error as Error).message], exitCode: 2 };
  }
  let config: ReturnType<typeof parseProvinceConfig>;
  try {
    config = parseProvinceConfig(input);
  } catch (error) {
    return { lines: [(error as Error).message], exitCode: 1 };
  }
  try {
    resolveMapping(config.mapping);
  } catch (error) {
    return { lines: [(error as Error).message], exitCode: 1 };
  }
  lines.push(`configuration ${configFile}: ok (provinces ${config.provinces.join(', ')})`);
  let pdb: Awaited<ReturnType<typeof openProvinceDatabase>>;
  try {
    pdb = await openProvinceDatabase(config.database, config.mapping, { checkOnly: true });
  } catch (error) {
    if (error instanceof MappingMismatch)
      return { lines: [...lines, `database: ${plural(error.problems.length, 'problem')}`, ...error.problems.map((p) => `- ${p}`)], exitCode: 1 };
    return { lines: [...lines, (error as Error).message], exitCode: 2 };
  }
  try {
    lines.push(`database ${pdb.label}: every mapped table and column is there`);
    const repo = new Repository(pdb);
    const problems = [...(await servedDataProblems(pdb, config.provinces)), ...(await emptyTables(repo))];
    if (problems.length) return { lines: [...lines, `values: ${plural(problems.length, 'problem')}`, ...problems.map((p) => `- ${p}`)], exitCode: 1 };
    lines.push('values: in the standard units (medians within their ranges)');
    let failing = false;
    for (const province of config.provinces) {
      const report = await runReport(repo, config.provinces, province, new Date());
      lines.push(...formatReport(province, report, thresholds));
      if (report.rules.find((r) => r.id === 'energy.total-matches-quantities' && r.violations > 0)) {
        lines.push('     hint: stored totals that disagree with their quantities usually mean a unit: check the scale of each energy column in mapping.energy_reports.columns');
      }
      failing ||= overThreshold(report, thresholds).length > 0;
    }
    return { lines, exitCode: failing ? 1 : 0 };
  } finally {
    await pdb.close();
  }
}
