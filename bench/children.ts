/**
 * The processes a bench run starts (gateways, the subgraphs' process), killed when the run ends
 * however it ends: a failed run must not leave gateways and subgraphs running on the machine.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
// Stopped from outside (Ctrl-C, a CI time limit): exit, which runs the above.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => process.exit(code));

/** Kills the child when this process exits, unless it has exited by then. */
export function killOnExit(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
