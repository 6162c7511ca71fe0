import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../common/subgraphs.js';
import { freePort } from './helpers.js';

/**
 * The README's "Running the services separately" recipe, run as written: the shell block is
 * taken from README.md, only its fixed ports are swapped for spare ones and its build line
 * dropped (npm test has built), in a scratch directory that links the built repository.
 */
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
let child: ChildProcess | undefined;

afterAll(() => {
  // The recipe leaves its services running in the background, in the shell's process group.
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

describe('the README recipe', () => {
  it('takes a new province from an empty database to data in a region query', async () => {
    const block = /<!-- recipe: separate services -->\n```sh\n([\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    expect(block!.split('\n')[0]).toBe('npm run build && npm run compose');
    const [gateway, directory, province] = [await freePort(), await freePort(), await freePort()];
    const script = block!
      .split('\n')
      .slice(1)
      .join('\n')
      .replace(/\b4000\b/g, String(gateway))
      .replace(/\b4001\b/g, String(directory))
      .replace(/\b4109\b/g, String(province));
    const dir = mkdtempSync(join(tmpdir(), 'xietong-recipe-'));
    for (const entry of ['dist', 'schema', 'node_modules', 'package.json']) symlinkSync(join(REPO_ROOT, entry), join(dir, entry));
    writeFileSync(join(dir, 'recipe.sh'), `set -e\n${script}`);
    child = spawn('bash', ['recipe.sh'], { cwd: dir, detached: true, env: { ...process.env, LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
    expect([code, out.slice(-2000)]).toEqual([0, expect.any(String)]);
    expect(out).toContain('every rule within its threshold');
    expect(out).toContain('implements the Xietong province contract');
    expect(out).toContain('"registered":{"code":"510000"');
    const answer = JSON.parse(out.slice(out.lastIndexOf('{"data"')).split('\n')[0]) as { data: { assetSummary: { provinceCount: number; assetCount: number } } };
    expect(answer.data.assetSummary.provinceCount).toBe(1);
    expect(answer.data.assetSummary.assetCount).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'registry.json'))).toBe(true);
  }, 120_000);
});
