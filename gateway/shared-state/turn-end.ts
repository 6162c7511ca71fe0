/**
 * The end of the current event-loop turn (its check phase), in two steps: first what gathers
 * commands (batched reads), then what sends them (uncorked sockets, see writesPerTurn). Reads
 * asked for anywhere in a turn then travel as one command, in that turn's one socket write.
 *
 * A turn's end runs once, in one setImmediate callback: work queued while it runs joins it (a
 * command a batch writes is sent by the same end), work queued after it waits for the next
 * turn's. Give one instance to everything that shares a connection; it holds no global state.
 */
export class TurnEnd {
  private gathering: (() => void)[] = [];
  private sending: (() => void)[] = [];
  private scheduled = false;

  /** `onError` gets what a queued function threw (by default it is thrown again, as a throwing setImmediate callback's would be). */
  constructor(private readonly onError: (error: unknown) => void = throwLater) {}

  /** Runs `fn` at the end of this turn, before anything queued with {@link send}. */
  readonly gather = (fn: () => void): void => {
    this.gathering.push(fn);
    this.schedule();
  };

  /** Runs `fn` at the end of this turn, after everything queued with {@link gather}. */
  readonly send = (fn: () => void): void => {
    this.sending.push(fn);
    this.schedule();
  };

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    const failures: unknown[] = [];
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        failures.push(error);
      }
    };
    // Work queued from here on, by what runs, belongs to this end: its `send` step reads the list last.
    while (this.gathering.length) {
      const gathering = this.gathering;
      this.gathering = [];
      gathering.forEach(attempt);
    }
    const sending = this.sending;
    this.sending = [];
    this.scheduled = false;
    // One that throws must not leave the rest undone: a socket left corked would hold its
    // connection's commands for good. Failures are reported once all has run.
    sending.forEach(attempt);
    // Sending gathers nothing; should it, the next turn's end takes it.
    if (this.gathering.length) this.schedule();
    failures.forEach(this.onError);
  };
}

function throwLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
