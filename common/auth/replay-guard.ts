/**
 * Remembers the unique ids of the assertions a service accepted until they expire, so each is
 * accepted once: a captured assertion cannot be replayed within its lifetime. Entries leave
 * when their assertion expires (assertions are short-lived, so the map stays small); at
 * `capacity` unexpired entries it fails closed rather than forget an id early.
 */
export class ReplayGuard {
  /** id -> expiry (ms), in insertion order: with one lifetime, that is nearly expiry order. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly capacity = 500_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Accepts an id the first time it is presented before its expiry (ms); false afterwards or when full. */
  accept(id: string, expiresAtMs: number): boolean {
    const now = this.now();
    this.forgetExpired(now);
    if (this.seen.has(id) || this.seen.size >= this.capacity) return false;
    this.seen.set(id, expiresAtMs);
    return true;
  }

  /** Ids remembered now. */
  get size(): number {
    return this.seen.size;
  }

  private forgetExpired(now: number): void {
    for (const [id, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(id);
    }
  }
}
