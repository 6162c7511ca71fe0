/**
 * Shares one in-flight promise among identical concurrent calls: the first caller with a key
 * starts the work, later callers with the same key wait for the same result, and the key is
 * forgotten as soon as the work settles (this is no cache). The caller chooses a key that
 * already separates everything that may differ, such as the caller's scope.
 */
export class InFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** Calls currently shared. */
  get size(): number {
    return this.pending.size;
  }

  /** The result of the work for this key; `joined` tells a caller it shares another's result (and must not change it). */
  run(key: string, work: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const existing = this.pending.get(key);
    if (existing) return { result: existing, joined: true };
    const started = work().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return { result: started, joined: false };
  }
}
