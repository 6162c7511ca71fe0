/**
 * Ties a child process's life to its parent's. A parent that starts a service with an IPC channel
 * (`stdio: [..., 'ipc']`) closes that channel however it ends: a clean exit, a crash, SIGKILL or
 * running out of memory. Signals reach the child only on a clean exit, so without this a parent
 * that dies hard leaves its children serving on their ports with nobody to stop them.
 */

/** Calls `stop` once the parent's IPC channel closes (at once if it already has); does nothing in a process started without one. */
export function stopWithParent(stop: () => void, child: NodeJS.Process = process): void {
  if (child.send === undefined) return;
  if (!child.connected) stop();
  else child.once('disconnect', stop);
}
