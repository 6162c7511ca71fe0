import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../common/subgraphs.js';
import { freePort } from './free-port.js';

/** A province instance running in a process of its own. */
export interface ProvinceProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts one province instance as a child process (`dist/subgraphs/province/main.js` with a
 * config file), so its database work never runs on the gateway's event loop: a province busy
 * with a heavy aggregate costs the gateway nothing but the wait for its answer (the child runs at
 * a lower scheduling priority). Resolves once
 * the instance answers /health; its logs go to the parent's output at `LOG_LEVEL` (default warn).
 */
export async function spawnProvince(config: {
  code: string;
  database: string;
  mapping?: unknown;
  port: number;
  assertionPublicKey: string;
  workflowPublicKey?: string;
}): Promise<ProvinceProcess> {
  const port = config.port || (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `xietong-${config.code}-`));
  const file = join(dir, 'province.json');
  writeFileSync(
    file,
    JSON.stringify({
      provinces: [config.code],
      database: config.database,
      port,
      host: '127.0.0.1',
      assertionPublicKey: config.assertionPublicKey,
      ...(config.workflowPublicKey ? { workflowPublicKey: config.workflowPublicKey } : {}),
      ...(config.mapping ? { mapping: config.mapping } : {}),
    }),
    { mode: 0o600 },
  );
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/subgraphs/province/main.js'), file], {
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    // The IPC channel closes however this process ends, even by SIGKILL, and the province stops
    // then (common/parent-link.ts); unreferenced, it never keeps this process alive.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.channel?.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // On one machine the provinces share the gateway's cores: they yield to it, so a flood of heavy
  // aggregates slows the provinces' answers, not the gateway's cached ones.
  if (child.pid) setPriority(child.pid, Math.min(19, getPriority() + 10));
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await untilHealthy(`http://127.0.0.1:${port}/health`, exited, config.code);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    // The child has read its config (with the key) by now, or never will.
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    },
  };
}

async function untilHealthy(url: string, exited: Promise<number | null>, code: string): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((c) => (gone = c));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`province ${code} exited with code ${gone} while starting`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`province ${code} did not become healthy within 30 s`);
}
