import type { Kysely } from 'kysely';
import type { RegionMembership } from '../../common/regions/membership.js';
import { ErrorCode, userError } from '../../common/errors.js';
import { isIdOfKind, provinceOfId } from '../../common/ids.js';
import { findProvince } from '../../common/standards.js';
import { runOnce } from '../../common/idempotency.js';
import { isUniqueViolation } from '../../common/db/errors.js';
import { mayAct } from '../../common/auth/policy.js';
import { callerKey, type Principal } from '../../common/auth/principal.js';
import { OWNING_STATUSES } from './db/database.js';
import type { SharingDatabase, TransferRow } from './db/schema.js';
import type { ProvinceSteps, StepOutcome } from './province-steps.js';
import { boundedText, forbidden, isPlainId, newestFirstPage, newRecordId, plainId, readableBy, recordEvent, scopeOf, storedResults, touching, type Db } from './records.js';

/** The province of a global id of a kind: BAD_USER_INPUT for another shape, UNKNOWN_PROVINCE for a code not in GB/T 2260. */
function provinceOf(id: string, kind: 'asset' | 'agency', argumentName: string): string {
  if (!isIdOfKind(id, kind)) throw userError(ErrorCode.BAD_USER_INPUT, `${argumentName} is not ${kind === 'asset' ? 'an asset' : 'an agency'} id.`, { argumentName });
  const province = provinceOfId(id)!;
  if (!findProvince(province)) throw userError(ErrorCode.UNKNOWN_PROVINCE, `${province} is not a GB/T 2260 provincial code.`, { province });
  return province;
}

/** A province read's answer, or PROVINCE_UNAVAILABLE when the province could not answer now. */
function unlessUnavailable<T>(province: string, outcome: StepOutcome<T | null>): T | null {
  if ('unavailable' in outcome) throw userError(ErrorCode.PROVINCE_UNAVAILABLE, `Province ${province} cannot be reached; try again later.`, { province });
  return 'done' in outcome ? outcome.done : null;
}

/**
 * The 公物仓 transfer workflow (调剂), as commands and reads over the sharing database:
 *
 * | from      | step                  | who (policy WORKFLOW_ACTIONS) | to                                    |
 * |-----------|-----------------------|-------------------------------|---------------------------------------|
 * |           | requestAssetTransfer  | receiving side                | REQUESTED                             |
 * | REQUESTED | approveAssetTransfer  | holding province, not the requester | APPROVED (stage RESERVING), others of the asset CLOSED |
 * | REQUESTED | rejectAssetTransfer   | holding province              | REJECTED                              |
 * | REQUESTED | cancelAssetTransfer   | the requester                 | CANCELLED                             |
 * | APPROVED  | the saga (saga.ts)    | the sharing service           | COMPLETED, or FAILED with nothing moved |
 *
 * At most one transfer per asset is APPROVED or COMPLETED: a unique index decides between
 * concurrent approvals, so the first committed wins.
 */
export class Transfers {
  constructor(
    private readonly db: Kysely<SharingDatabase>,
    /** PostgreSQL locks an asset's transfers before a decision; SQLite runs one write at a time anyway. */
    private readonly kind: 'sqlite' | 'postgres',
    private readonly steps: ProvinceSteps,
    /** Tells the saga a step is due now. */
    private readonly wake: () => void,
  ) {}

  /** Records a request for a pooled asset of another agency. */
  async request(principal: Principal, input: { assetId: string; agencyId: string; reason: string; idempotencyKey?: string | null }): Promise<TransferRow> {
    const source = provinceOf(input.assetId, 'asset', 'assetId');
    const target = provinceOf(input.agencyId, 'agency', 'agencyId');
    const reason = boundedText(input.reason, 'reason', 500)!;
    if (!mayAct(principal, 'requestAssetTransfer', { agency: input.agencyId })) throw forbidden(principal, 'request a transfer to', input.agencyId);
    for (const province of new Set([source, target])) {
      if (!this.steps.serves(province)) throw userError(ErrorCode.PROVINCE_NOT_REGISTERED, `Province ${province} has not joined the sharing platform.`, { province });
    }
    // The receiving agency must exist: a request for no one would close real competitors when approved.
    const receiver = unlessUnavailable(target, await this.steps.receivingAgency(target, input.agencyId));
    if (!receiver) throw userError(ErrorCode.NOT_FOUND, `No agency ${input.agencyId}.`, { id: input.agencyId });
    const found = unlessUnavailable(source, await this.steps.candidate(source, input.assetId));
    // One answer for "unknown" and "not pooled": a caller learns nothing of assets outside the pool.
    if (!found || found.status !== 'IDLE' || !found.offeredToPool) throw userError(ErrorCode.NOT_FOUND, `No asset ${input.assetId} in the 公物仓 pool.`, { id: input.assetId });
    if (found.agencyId === input.agencyId) throw userError(ErrorCode.INVALID_STATE, `Agency ${input.agencyId} already holds ${input.assetId}.`, { id: input.assetId });
    const stored = await runOnce(storedResults(this.db), { principal, operation: 'requestAssetTransfer', clientKey: input.idempotencyKey, input }, async (trx) => {
      const open = await trx
        .selectFrom('transfers')
        .select(['id', 'status'])
        .where('asset_id', '=', input.assetId)
        .where((eb) => eb.or([eb('status', 'in', [...OWNING_STATUSES]), eb.and([eb('status', '=', 'REQUESTED'), eb('target_agency_id', '=', input.agencyId)])]))
        .executeTakeFirst();
      if (open) throw userError(ErrorCode.INVALID_STATE, `Asset ${input.assetId} already has transfer ${open.id} (${open.status}).`, { id: open.id });
      const now = Date.now();
      const id = newRecordId('TR', now);
      await trx
        .insertInto('transfers')
        .values({
          id,
          asset_id: input.assetId,
          source_province: source,
          source_agency_id: found.agencyId,
          target_agency_id: input.agencyId,
          target_province: provinceOfId(input.agencyId)!,
          reason,
          status: 'REQUESTED',
          stage: null,
          requested_by: callerKey(principal),
          requested_role: principal.role,
          decided_by: null,
          outcome_reason: null,
          target_asset_id: null,
          name: null,
          category_code: null,
          original_value_fen: null,
          net_value_fen: null,
          acquired_on: null,
          attempts: 0,
          last_error: null,
          requested_at: now,
          decided_at: null,
          completed_at: null,
        })
        .execute();
      await recordEvent(trx, id, 'REQUESTED', principal, reason, now);
      return { id };
    });
    return this.visibleOrMissing(principal, stored.id);
  }

  /** Approves a request: it owns the asset from now on, competing requests close, and the saga starts. */
  async approve(principal: Principal, input: { transferId: string; reason?: string | null; idempotencyKey?: string | null }): Promise<TransferRow> {
    const note = boundedText(input.reason, 'reason', 500, false);
    const transfer = await this.decidable(principal, input.transferId, 'decideAssetTransfer', 'approve');
    try {
      await runOnce(storedResults(this.db), { principal, operation: 'approveAssetTransfer', clientKey: input.idempotencyKey, input }, async (trx) => {
        await this.lockAsset(trx, transfer.asset_id);
        const now = Date.now();
        await this.move(trx, transfer.id, 'REQUESTED', { status: 'APPROVED', stage: 'RESERVING', decided_by: principal.sub ?? '', decided_at: now });
        await recordEvent(trx, transfer.id, 'APPROVED', principal, note, now);
        const competing = await trx.selectFrom('transfers').select('id').where('asset_id', '=', transfer.asset_id).where('status', '=', 'REQUESTED').execute();
        for (const other of competing) {
          const why = `Transfer ${transfer.id} of this asset was approved first.`;
          await trx.updateTable('transfers').set({ status: 'CLOSED', outcome_reason: why, completed_at: now }).where('id', '=', other.id).execute();
          await recordEvent(trx, other.id, 'CLOSED', principal, why, now);
        }
        await trx
          .insertInto('transfer_outbox')
          .values({ id: `${transfer.id}:reserve`, transfer_id: transfer.id, step: 'reserve', due_at: now, attempts: 0, locked_until: 0, done_at: null })
          .execute();
        return { id: transfer.id };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another approval of the same asset committed first: this request is closed, as if it had come second.
      await this.closeLoser(transfer.id);
      throw userError(ErrorCode.INVALID_STATE, `Another transfer of asset ${transfer.asset_id} was approved first; ${transfer.id} is closed.`, { id: transfer.id });
    }
    this.wake();
    return this.visibleOrMissing(principal, transfer.id);
  }

  /** Rejects a request, with a reason. */
  async reject(principal: Principal, input: { transferId: string; reason?: string | null; idempotencyKey?: string | null }): Promise<TransferRow> {
    const reason = boundedText(input.reason, 'reason', 500)!;
    return this.end(principal, input, 'decideAssetTransfer', 'reject', 'REJECTED', reason);
  }

  /** Withdraws one's own request. */
  async cancel(principal: Principal, input: { transferId: string; reason?: string | null; idempotencyKey?: string | null }): Promise<TransferRow> {
    return this.end(principal, input, 'cancelAssetTransfer', 'cancel', 'CANCELLED', boundedText(input.reason, 'reason', 500, false));
  }

  /** The transfers a principal may see, newest first, one page. */
  async list(
    principal: Principal,
    args: { filter?: { province?: string | null; region?: string | null; status?: string | null; assetId?: string | null } | null; first?: number | null; after?: string | null },
    regions: RegionMembership,
  ) {
    const f = args.filter ?? {};
    const provinces = scopeOf(f, regions);
    if (f.assetId) plainId(f.assetId, 'assetId');
    const base = this.db
      .selectFrom('transfers')
      .where((eb) => readableBy(eb, 'transfers', principal))
      .$if(provinces !== undefined, (q) => q.where((eb) => touching(eb, 'transfers', provinces!)))
      .$if(!!f.status, (q) => q.where('status', '=', f.status!))
      .$if(!!f.assetId, (q) => q.where('asset_id', '=', f.assetId!));
    return newestFirstPage(args, {
      rows: (below, limit) =>
        base
          .selectAll()
          .$if(below !== undefined, (q) => q.where('id', '<', below!))
          .orderBy('id', 'desc')
          .limit(limit)
          .execute(),
      count: async () => Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    });
  }

  /** Transfers by id as the principal may see them (absent otherwise). */
  byIds(principal: Principal, ids: readonly string[]): Promise<TransferRow[]> {
    ids = ids.filter(isPlainId);
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom('transfers')
      .selectAll()
      .where('id', 'in', [...ids])
      .where((eb) => readableBy(eb, 'transfers', principal))
      .execute();
  }

  /** Transfers of some source cards as the principal may see them, newest first. */
  ofAssets(principal: Principal, assetIds: readonly string[]): Promise<TransferRow[]> {
    assetIds = assetIds.filter(isPlainId);
    if (!assetIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('transfers')
      .selectAll()
      .where('asset_id', 'in', [...assetIds])
      .where((eb) => readableBy(eb, 'transfers', principal))
      .orderBy('id', 'desc')
      .execute();
  }

  private async visibleOrMissing(principal: Principal, id: string): Promise<TransferRow> {
    const [row] = await this.byIds(principal, [id]);
    if (!row) throw userError(ErrorCode.NOT_FOUND, `No transfer ${id}.`, { id });
    return row;
  }

  /** A transfer the principal may see and take this step on (NOT_FOUND, FORBIDDEN otherwise). */
  private async decidable(principal: Principal, id: string, action: 'decideAssetTransfer' | 'cancelAssetTransfer', verb: string): Promise<TransferRow> {
    const transfer = await this.visibleOrMissing(principal, id);
    const parties = { owner: transfer.source_province, requester: transfer.requested_by };
    if (!mayAct(principal, action, parties)) throw forbidden(principal, verb, id);
    return transfer;
  }

  /** Ends a request that waits for a decision (reject, cancel). */
  private async end(
    principal: Principal,
    input: { transferId: string; idempotencyKey?: string | null },
    action: 'decideAssetTransfer' | 'cancelAssetTransfer',
    verb: string,
    status: 'REJECTED' | 'CANCELLED',
    reason: string | null,
  ): Promise<TransferRow> {
    const transfer = await this.decidable(principal, input.transferId, action, verb);
    await runOnce(storedResults(this.db), { principal, operation: `${verb}AssetTransfer`, clientKey: input.idempotencyKey, input }, async (trx) => {
      const now = Date.now();
      await this.move(trx, transfer.id, 'REQUESTED', { status, outcome_reason: reason, decided_by: principal.sub ?? '', decided_at: now, completed_at: now });
      await recordEvent(trx, transfer.id, status, principal, reason, now);
      return { id: transfer.id };
    });
    return this.visibleOrMissing(principal, transfer.id);
  }

  /**
   * Decisions on one asset's transfers take turns: approving one closes the others, so two
   * concurrent approvals would each wait for rows the other holds. Locking the asset's transfers
   * first, in id order, makes the second wait for the first and then find its request closed.
   */
  private async lockAsset(trx: Db, assetId: string): Promise<void> {
    if (this.kind !== 'postgres') return;
    await trx.selectFrom('transfers').select('id').where('asset_id', '=', assetId).orderBy('id').forUpdate().execute();
  }

  /** Changes a transfer only from the expected state (INVALID_STATE naming the state it is in otherwise). */
  private async move(trx: Db, id: string, from: string, changes: Partial<TransferRow>): Promise<void> {
    const result = await trx.updateTable('transfers').set(changes).where('id', '=', id).where('status', '=', from).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return;
    const now = await trx.selectFrom('transfers').select(['status', 'outcome_reason']).where('id', '=', id).executeTakeFirst();
    throw userError(
      ErrorCode.INVALID_STATE,
      `Transfer ${id} is ${now?.status ?? 'gone'}${now?.outcome_reason ? ` (${now.outcome_reason})` : ''}; only a ${from} transfer can take this step.`,
      { id },
    );
  }

  private async closeLoser(id: string): Promise<void> {
    const now = Date.now();
    const winner = await this.db
      .selectFrom('transfers as t')
      .innerJoin('transfers as w', 'w.asset_id', 't.asset_id')
      .select('w.id')
      .where('t.id', '=', id)
      .where('w.status', 'in', [...OWNING_STATUSES])
      .executeTakeFirst();
    const why = `Transfer ${winner?.id ?? 'another'} of this asset was approved first.`;
    const closed = await this.db
      .updateTable('transfers')
      .set({ status: 'CLOSED', outcome_reason: why, completed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'REQUESTED')
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 1) await recordEvent(this.db, id, 'CLOSED', { sub: 'xietong-sharing', role: 'WORKFLOW' }, why, now);
  }
}
