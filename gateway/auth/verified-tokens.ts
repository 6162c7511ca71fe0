import type { Principal } from '../../common/auth/principal.js';

/**
 * Tokens already verified, so a dashboard polling with one token pays for its signature check
 * once rather than on every request. An entry holds the principal of a token whose signature,
 * issuer, audience and claims all passed; it is served until the token's own expiry and for at
 * most `maxAgeMs` after verification (so a key withdrawn from the JWKS stops being honoured
 * within that time). Keyed by the whole token: only the same bytes share an entry. Refused
 * tokens are never stored. Bounded: beyond `maxEntries` the least recently used goes.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 5 * 60_000,
  ) {}

  /** The principal of a token verified before and still valid at `now`, if any. */
  get(token: string, now = Date.now()): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (entry.until <= now) return undefined;
    this.entries.set(token, entry);
    return entry.principal;
  }

  /** Remembers a token that passed verification at `now`, valid until `validUntil` (ms since the epoch). */
  set(token: string, principal: Principal, validUntil: number, now = Date.now()): void {
    const until = Math.min(validUntil, now + this.maxAgeMs);
    if (until <= now) return;
    this.entries.delete(token);
    this.entries.set(token, { principal, until });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** How many tokens are held. */
  get size(): number {
    return this.entries.size;
  }
}
