import type { Redis } from 'ioredis';

/** What ioredis rejects a command with when its `commandTimeout` passes. */
const TIMED_OUT = 'Command timed out';

/**
 * Drops a connection as soon as one of its commands times out, so that the commands after it
 * fail at once instead of each waiting out the timeout (a request makes several). ioredis then
 * reconnects after its retry delay; until a new connection passes its ready check, commands are
 * refused immediately (no offline queue). A ready check that times out drops that connection
 * too, so a server that answers again is found by the next attempt. ioredis has no event for a
 * timed-out command, so the node's sendCommand is wrapped.
 */
export function dropWhenHung(node: Redis, onHung: () => void): void {
  const send = node.sendCommand.bind(node);
  // ioredis sends a command again after a reconnect (its retry), even one that timed out: only
  // its first sending says anything about a connection.
  const watched = new WeakSet<object>();
  node.sendCommand = ((command, stream) => {
    const connection = node.stream;
    const result = send(command, stream);
    if (watched.has(command)) return result;
    watched.add(command);
    command.promise.catch((error: unknown) => {
      // Only the connection the command went out on, not a newer one made since.
      if ((error as Error | undefined)?.message !== TIMED_OUT || node.stream !== connection || connection.destroyed) return;
      onHung();
      // Destroyed, not ended: a server that does not answer never finishes a graceful close.
      connection.destroy();
    });
    return result;
  }) as Redis['sendCommand'];
}
