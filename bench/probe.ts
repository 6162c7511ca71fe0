/**
 * Preloaded (`node --import`) into every gateway the benchmark runs, ours and the peers alike:
 * on SIGUSR2 it writes the process's CPU time and event-loop delay since the last signal to
 * `$BENCH_PROBE_DIR/<pid>.json`, then starts a new window.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const dir = process.env.BENCH_PROBE_DIR;
if (dir) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let cpu = process.cpuUsage();
  process.on('SIGUSR2', () => {
    const used = process.cpuUsage(cpu);
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ cpuSeconds: (used.user + used.system) / 1e6, eventLoopDelayP99Ms: delay.percentile(99) / 1e6 }));
    renameSync(`${file}.tmp`, file);
    delay.reset();
    cpu = process.cpuUsage();
  });
}
