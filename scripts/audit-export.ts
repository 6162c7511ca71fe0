/**
 * `npm run audit:export -- --redis redis://host:6379 [--prefix xietong:] [--since ID]` (or
 * `--file data/audit.sqlite`): writes the audit trail to stdout as JSON lines, oldest first,
 * from after event ID, so operators archive events before the stream's retention trims them.
 * Exported lines keep their hash fields, so the archive can be checked against the chain.
 */
import { parseArgs } from 'node:util';
import { openAuditSource, SOURCE_OPTIONS } from './audit-verify.js';

const { values } = parseArgs({ options: { ...SOURCE_OPTIONS, since: { type: 'string' } } });
const opened = await openAuditSource(values).catch((error: Error) => {
  console.error(`could not open the audit trail: ${error.message}`);
  process.exit(2);
});
if (!opened) {
  console.error('usage: npm run audit:export -- --redis redis://host:6379 [--prefix xietong:] [--since ID] | --file data/audit.sqlite [--since ID]');
  process.exit(2);
}
// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
try {
  for await (const { id, ...event } of opened.source.scan(values.since)) {
    // Respect backpressure so a slow archive pipe does not buffer the whole stream in memory.
    if (!process.stdout.write(`${JSON.stringify({ id, ...event })}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
} catch (error) {
  console.error(`could not read the audit trail: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await opened.close();
}
