/**
 * Ties a child process's life to its parent's. A parent that starts a service with an IPC channel
 * (`stdio: [..., 'ipc']`) closes that channel however it ends: a clean exit, a crash, SIGKILL or
 * running out of memory. Signals reach the child only on a clean exit, so without this a parent
 * that dies hard leaves its children serving on their ports with nobody to stop them.
 */

/** How long `stop` may take once the parent is gone before the process exits anyway: nobody is left to wait for it. */
export const ORPHAN_STOP_MS = 10_000;

/**
 * Calls `stop` once the parent's IPC channel closes (at once if it already has), and exits after
 * {@link ORPHAN_STOP_MS} if the process is still running; does nothing in a process started
 * without a channel. Any parent that closes the channel counts (a supervisor that calls
 * `disconnect()` too), which is what a parent giving its child an IPC channel asks for.
 */
export function stopWithParent(stop: () => void): void {
  if (process.send === undefined) return;
  const orphaned = () => {
    setTimeout(() => process.exit(1), ORPHAN_STOP_MS).unref();
    stop();
  };
  if (!process.connected) orphaned();
  else process.once('disconnect', orphaned);
}
