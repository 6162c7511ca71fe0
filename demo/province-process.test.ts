import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../common/subgraphs.js';
import { TEST_KEYS } from '../test/helpers.js';

/** Whether a process runs: an orphan that exited may stay a zombie until PID 1 reaps it, which counts as gone. */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('a province started as a child process (npm start)', () => {
  it('stops when its parent is killed with SIGKILL, which no signal handler of the parent sees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-parent-'));
    // The parent is the compiled module, as npm start runs it; it prints the province's URL and waits.
    const script = `
      import { spawnProvince } from ${JSON.stringify(join(REPO_ROOT, 'dist/demo/province-process.js'))};
      const p = await spawnProvince({ code: '310000', database: ${JSON.stringify(`sqlite:${join(dir, 'p.sqlite')}`)}, port: 0, assertionPublicKey: process.env.KEY });
      console.log(JSON.stringify({ url: p.url }));
      setInterval(() => {}, 60_000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, KEY: TEST_KEYS.assertionPublicKey, XIETONG_INIT: 'true', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let provincePid = 0;
    try {
      const lines = createInterface({ input: parent.stdout! });
      // The province shares the parent's output: wait for the parent's own line, whatever else is printed.
      const url = await new Promise<string>((resolve, reject) => {
        lines.on('line', (line) => {
          const parsed = /^\{"url":"[^"]+"\}$/.test(line) ? (JSON.parse(line) as { url: string }) : undefined;
          if (parsed) resolve(parsed.url);
        });
        parent.once('exit', (code) => reject(new Error(`parent exited with ${code} before the province answered`)));
      });
      provincePid = ((await (await fetch(url.replace('/graphql', '/health'))).json()) as { pid: number }).pid;
      expect(provincePid).not.toBe(parent.pid);
      expect(alive(provincePid)).toBe(true);

      parent.kill('SIGKILL');
      expect(await until(() => !alive(provincePid), 10_000)).toBe(true);
      await expect(fetch(url.replace('/graphql', '/health'))).rejects.toThrow();
    } finally {
      parent.kill('SIGKILL');
      if (provincePid && alive(provincePid)) process.kill(provincePid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
