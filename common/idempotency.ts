import { createHash } from 'node:crypto';
import { ErrorCode, userError } from './errors.js';
import { isTransientConflict, isUniqueViolation } from './db/errors.js';
import { callerKey, type Principal } from './auth/principal.js';

/** A stored result of an idempotent command. */
export interface StoredResult {
  request_hash: string;
  response_json: string;
}

/** Where a service keeps its stored results, inside the command's transaction `Trx`. */
export interface IdempotencyStore<Trx> {
  /** Runs work in one transaction. */
  transaction<R>(work: (trx: Trx) => Promise<R>): Promise<R>;
  find(trx: Trx, key: string): Promise<StoredResult | undefined>;
  save(trx: Trx, row: { key: string; operation: string; request_hash: string; response_json: string }): Promise<void>;
}

/** One command: who runs it, its name, the client's key (if any) and its input. */
export interface Command {
  principal: Principal;
  operation: string;
  clientKey: string | null | undefined;
  input: unknown;
  /** Further errors after which the command runs again (e.g. a constraint that a concurrent run with the same key hit first). */
  retryOn?: (error: unknown) => boolean;
}

/** The longest client key accepted. */
export const MAX_CLIENT_KEY_LENGTH = 200;

/**
 * Runs a command at most once per client key: a retry with the same key and the same input
 * returns the first result; the same key with a different input is refused. Keys are the
 * caller's own (another caller's key is a different key, never their stored result). The stored
 * result and the change commit in one transaction; a concurrent run that committed the same key
 * (or a row with the same unique key) first makes this one collide, and it runs again to find
 * what the other committed; so does one that the database chose as a deadlock's victim.
 */
export async function runOnce<Trx, R>(store: IdempotencyStore<Trx>, command: Command, work: (trx: Trx) => Promise<R>): Promise<R> {
  if (command.clientKey && command.clientKey.length > MAX_CLIENT_KEY_LENGTH) {
    throw userError(ErrorCode.BAD_USER_INPUT, `idempotencyKey may have at most ${MAX_CLIENT_KEY_LENGTH} characters.`, { argumentName: 'idempotencyKey' });
  }
  const key = command.clientKey
    ? createHash('sha256')
        .update(JSON.stringify([callerKey(command.principal), command.clientKey]))
        .digest('hex')
    : undefined;
  const hash = createHash('sha256')
    .update(JSON.stringify([command.operation, command.input]))
    .digest('hex');
  const once = () =>
    store.transaction(async (trx) => {
      if (!key) return work(trx);
      const previous = await store.find(trx, key);
      if (previous) {
        if (previous.request_hash !== hash) throw userError(ErrorCode.IDEMPOTENCY_CONFLICT, 'This idempotency key was already used with a different request.');
        return JSON.parse(previous.response_json) as R;
      }
      const result = await work(trx);
      await store.save(trx, { key, operation: command.operation, request_hash: hash, response_json: JSON.stringify(result) });
      return result;
    });
  for (let attempt = 1; ; attempt++) {
    try {
      return await once();
    } catch (error) {
      const again = isUniqueViolation(error) || isTransientConflict(error) || command.retryOn?.(error) === true;
      if (attempt >= 3 || !again) throw error;
    }
  }
}
