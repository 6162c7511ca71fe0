import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../common/subgraphs.js';

const run = promisify(execFile);
const token = (...args: string[]) =>
  run(process.execPath, [join(REPO_ROOT, 'dist/scripts/token.js'), ...args], { timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('npm run token', () => {
  it('--help prints the usage and the roles', async () => {
    const r = await token('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run token -- --role ROLE/);
    expect(r.stdout).toContain('NATIONAL_ADMIN');
  });

  it('an unknown option or a missing value is named with the usage, exit code 2, no stack trace', async () => {
    for (const args of [['--bogus'], ['--role']]) {
      const r = await token(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^(Unknown option '--bogus'|Option '--role <value>' argument missing)/);
      expect(r.stderr).toContain('usage: npm run token');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
