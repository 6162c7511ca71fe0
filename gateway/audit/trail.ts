import type { Principal } from '../../common/auth/principal.js';
import { homeProvince } from '../../common/auth/policy.js';
import type { Logger } from '../../common/logger.js';
import type { AuditStore } from './event.js';

/** One finished operation, as the audit trail needs it. */
export interface AuditedOperation {
  principal: Principal;
  operationName: string | null;
  /** SHA-256 of the document (Apollo Server's queryHash). */
  operationHash: string;
  mutation: boolean;
  provinces: Iterable<string>;
  errorCodes: string[];
  hasData: boolean;
}

/** Longest operation name kept in an event: a name is the caller's text, so it is bounded. */
const MAX_NAME = 200;

/**
 * What the audit trail keeps of finished operations (executed or answered from the cache alike):
 * every mutation, and every read by a signed-in caller that touches a province other than the
 * one its role is bound to. Anonymous requests (published aggregates only; their mutations are
 * refused before running) are counted, not recorded one by one, so unauthenticated clients
 * cannot grow the append-only store, and names are bounded so signed-in ones cannot bloat it.
 */
export class AuditTrail {
  /** Anonymous reads answered since start (published aggregates; see the class comment). */
  anonymousReads = 0;

  constructor(
    private readonly store: AuditStore,
    private readonly logger: Logger,
  ) {}

  /** Records one finished operation if the rule above says so; a failure to record is logged, never shown. */
  async record(op: AuditedOperation): Promise<void> {
    // Anonymous callers can read only published aggregates and can change nothing (a mutation is
    // refused before it runs), so nothing they send is recorded one by one.
    if (op.principal.role === 'ANONYMOUS') {
      this.anonymousReads += 1;
      return;
    }
    await recordOperation(this.store, this.logger, op, op.operationName && op.operationName.slice(0, MAX_NAME));
  }
}

async function recordOperation(store: AuditStore, logger: Logger, op: AuditedOperation, operationName: string | null): Promise<void> {
  const provinces = [...op.provinces].sort();
  const own = homeProvince(op.principal);
  if (!op.mutation && !provinces.some((p) => p !== own)) return;
  const p = op.principal;
  await store
    .append({
      time: new Date().toISOString(),
      subject: p.sub,
      role: p.role,
      binding: p.agency ?? p.province ?? p.region ?? null,
      operationName,
      operationHash: op.operationHash,
      mutation: op.mutation,
      provinces,
      outcome: op.errorCodes.length === 0 ? 'ok' : op.hasData ? 'partial' : 'error',
      errorCodes: op.errorCodes,
    })
    .catch((error: unknown) => logger.error({ err: error }, 'could not record an audit event'));
}
