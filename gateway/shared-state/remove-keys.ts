import type { Redis } from 'ioredis';

/** A key prefix as a SCAN MATCH pattern of every key under it (glob characters in it escaped). */
export function patternUnder(prefix: string): string {
  return `${prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}*`;
}

/**
 * Removes every key under `prefix` from one Redis node (SCAN, then UNLINK in batches: no command
 * blocks the server for long), for what a run leaves behind in a shared server: a bench's
 * audit streams, a test's counters. Resolves how many it removed.
 */
export async function removeKeysUnder(client: Redis, prefix: string): Promise<number> {
  let removed = 0;
  for await (const keys of client.scanStream({ match: patternUnder(prefix), count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length) removed += await client.unlink(...keys);
  }
  return removed;
}
