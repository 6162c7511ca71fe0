/**
 * `npm run audit:verify -- --file data/audit.sqlite` or `-- --redis redis://host:6379 [--prefix xietong:]`:
 * walks the audit trail's hash chain and prints `ok: N events, head <hash>` (exit 0) or the
 * first broken link (exit 1); 2 when the trail cannot be read. Keep the printed head: a later
 * run whose chain no longer passes through it means history was rewritten wholesale.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisAuditStore } from '../gateway/audit/redis-store.js';
import { SqliteAuditStore } from '../gateway/audit/sqlite-store.js';
import { describeVerdict, verifyChain, type ChainSource } from '../gateway/audit/verify.js';

/** The CLI options naming an audit store: `--file`, or `--redis` with `--prefix` (the gateway's redisPrefix). */
export const SOURCE_OPTIONS = {
  file: { type: 'string' },
  redis: { type: 'string' },
  prefix: { type: 'string', default: 'xietong:' },
} as const;

/** Opens the store the options name, read-only for a file; null when they name none. */
export async function openAuditSource(values: { file?: string; redis?: string; prefix?: string }): Promise<{ source: ChainSource; close(): Promise<void> } | null> {
  if (values.file) {
    const store = await SqliteAuditStore.open(values.file, { readonly: true });
    return { source: store, close: () => store.close() };
  }
  if (values.redis) {
    // Fail at once when Redis is unreachable instead of retrying forever; connect() reports why.
    const client = new Redis(values.redis, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    let reason: Error | undefined;
    client.on('error', (error: Error) => (reason = error));
    await client.connect().catch((error: Error) => {
      throw reason ?? error;
    });
    return { source: new RedisAuditStore(client, `${values.prefix ?? 'xietong:'}audit`), close: async () => client.disconnect() };
  }
  return null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: SOURCE_OPTIONS });
  let opened: Awaited<ReturnType<typeof openAuditSource>>;
  try {
    opened = await openAuditSource(values);
  } catch (error) {
    console.error(`could not open the audit trail: ${(error as Error).message}`);
    process.exit(2);
  }
  if (!opened) {
    console.error('usage: npm run audit:verify -- --file data/audit.sqlite | --redis redis://host:6379 [--prefix xietong:]');
    process.exit(2);
  }
  try {
    const verdict = await verifyChain(opened.source);
    console.log(describeVerdict(verdict));
    process.exitCode = verdict.ok ? 0 : 1;
  } catch (error) {
    console.error(`could not read the audit trail: ${(error as Error).message}`);
    process.exitCode = 2;
  } finally {
    await opened.close();
  }
}
