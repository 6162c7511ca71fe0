/**
 * One gateway under test as a child process: pinned to its own CPU with `taskset`, compiled,
 * NODE_ENV=production, with the probe preloaded. Ours and the peers are started the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killOnExit } from './children.js';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../common/subgraphs.js';

/** The CPU the gateway under test gets; the harness and the subgraphs use the other one. */
export const GATEWAY_CPU = '1';

/** Figures of one measurement window, read from the probe and /proc. */
export interface ProcessWindow {
  cpuSeconds: number;
  eventLoopDelayP99Ms: number;
  peakRssMb: number;
}

/** A running gateway under test. */
export interface GatewayProcess {
  name: string;
  url: string;
  pid: number;
  /** Spawn to first "listening" line, in ms. */
  readyMs: number;
  /** Starts a measurement window (CPU, event-loop delay and peak RSS counted from now). */
  beginWindow(): Promise<void>;
  endWindow(): Promise<ProcessWindow>;
  stop(): Promise<void>;
}

async function signalProbe(child: ChildProcess, probeDir: string) {
  const file = join(probeDir, `${child.pid}.json`);
  rmSync(file, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 500 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
  return JSON.parse(readFileSync(file, 'utf8')) as { cpuSeconds: number; eventLoopDelayP99Ms: number };
}

/** How to tell the gateway is ready: a stdout JSON line carrying its URL, or a known URL and a health route to poll. */
export type Readiness = { kind: 'stdout' } | { kind: 'health'; url: string; healthUrl: string };

async function pollHealth(healthUrl: string, exited: Promise<never>): Promise<void> {
  for (;;) {
    const ok = await Promise.race([
      fetch(healthUrl).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Spawns `node ENTRY ...args` on the gateway CPU (ENTRY relative to this checkout, or absolute) and waits until it is ready. */
export async function spawnGateway(
  name: string,
  entry: string,
  args: string[],
  probeDir: string,
  options: { env?: Record<string, string>; readiness?: Readiness; nodeFlags?: readonly string[] } = {},
): Promise<GatewayProcess> {
  const { env = {}, readiness = { kind: 'stdout' }, nodeFlags = [] } = options;
  const started = process.hrtime.bigint();
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of every gateway into DIR when it stops;
  // BENCH_GC_TRACE=DIR a line per collection (V8's --trace-gc-nvp: pause, promoted bytes) to DIR/NAME.gc.log.
  const gcTrace = process.env.BENCH_GC_TRACE;
  const profile = [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(gcTrace ? ['--trace-gc-nvp'] : [])];
  const child = killOnExit(
    spawn('taskset', ['-c', GATEWAY_CPU, process.execPath, ...nodeFlags, ...profile, '--import', join(REPO_ROOT, 'dist/bench/probe.js'), resolve(REPO_ROOT, entry), ...args], {
      // Stock @apollo/gateway probes cloud metadata at start and reports to Apollo unless this is set;
      // Xietong always sets it, so every gateway is measured without that traffic.
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', BENCH_PROBE_DIR: probeDir, APOLLO_TELEMETRY_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`))));
  exited.catch(() => undefined);
  if (gcTrace) {
    mkdirSync(gcTrace, { recursive: true });
    child.stdout!.pipe(createWriteStream(join(gcTrace, `${name.replace(/[^\w+-]+/g, '-')}.gc.log`)));
  }
  const lines = createInterface({ input: child.stdout! });
  const url =
    readiness.kind === 'health'
      ? await pollHealth(readiness.healthUrl, exited).then(() => readiness.url)
      : await Promise.race([
          exited,
          new Promise<string>((resolve) =>
            lines.on('line', (line) => {
              const parsed = line.startsWith('{') ? (JSON.parse(line) as { url?: string }) : {};
              if (parsed.url) resolve(parsed.url);
            }),
          ),
        ]);
  const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    name,
    url,
    pid: child.pid!,
    readyMs,
    async beginWindow() {
      // Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
      writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
      await signalProbe(child, probeDir);
    },
    async endWindow() {
      const probe = await signalProbe(child, probeDir);
      const hwm = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
      return { ...probe, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
