import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors.js';

// Driver error codes and messages that mean "the database cannot be reached right now".
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);
const UNREACHABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Connection lost|Can't add new command when connection is in closed state|read ECONNRESET|connect ECONNREFUSED/i;

/** Whether a driver error means the database is unreachable (as opposed to a bug or bad data). */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || UNREACHABLE_MESSAGES.test(error.message);
}

/** Whether a driver error is a unique-key violation (PostgreSQL 23505, MySQL/MariaDB ER_DUP_ENTRY, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Whether a driver error is a transaction the database gave up to let a concurrent one through (PostgreSQL deadlock 40P01, serialization 40001; MySQL ER_LOCK_DEADLOCK): running it again is safe. */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === 'ER_LOCK_DEADLOCK';
}

/** The client error for a province whose database is unreachable: its code names the cause, never the URL. */
export function databaseUnavailable(provinces: readonly string[]) {
  return (error: unknown): GraphQLFormattedError | undefined =>
    isDatabaseUnreachable(error)
      ? {
          message: `The database of province ${provinces.join(', ')} is unreachable; its data is missing from this answer.`,
          extensions: { code: ErrorCode.PROVINCE_UNAVAILABLE, province: provinces[0] },
        }
      : undefined;
}
