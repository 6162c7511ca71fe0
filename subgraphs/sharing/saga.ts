import type { Kysely } from 'kysely';
import type { Logger } from '../../common/logger.js';
import { WORKFLOW } from '../../common/auth/principal.js';
import type { OutboxRow, SharingDatabase, TransferRow } from './db/schema.js';
import type { CardSnapshot, ProvinceSteps, StepOutcome } from './province-steps.js';
import { recordEvent } from './records.js';

/** Timing of the saga worker. */
export interface SagaOptions {
  /** How often due steps are looked for when nothing wakes the worker, ms. */
  pollMs: number;
  /** How long a worker holds a step it took; after a crash another takes it when this ends, ms. */
  leaseMs: number;
  /** First retry delay after a province could not be reached; doubles per attempt up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** Defaults for production. */
export const DEFAULT_SAGA: SagaOptions = { pollMs: 1000, leaseMs: 30_000, backoffMs: 500, maxBackoffMs: 60_000 };

type Step = 'reserve' | 'receive' | 'complete' | 'release';

/**
 * The transfer saga: carries an approved transfer across two province databases, one step at a
 * time, from the outbox in the sharing database.
 *
 * | step     | at     | done →                        | refused by the province →         |
 * |----------|--------|-------------------------------|-----------------------------------|
 * | reserve  | source | receive (stage RECEIVING)     | FAILED (nothing was reserved)     |
 * | receive  | target | complete (stage COMPLETING)   | release (stage RELEASING)         |
 * | complete | source | COMPLETED                     | retried (a card exists at target) |
 * | release  | source | FAILED (asset offered again)  | retried                           |
 *
 * A step is written to the outbox in the transaction that makes it due and marked done in the
 * transaction that records its result and enqueues the next, so a crash between a province
 * answering and that commit only delivers the step again, and every province step is idempotent
 * by transfer id. A province that cannot be reached is retried with exponential backoff and
 * jitter, for as long as it takes; the transfer shows the attempts meanwhile.
 */
export class TransferSaga {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Kysely<SharingDatabase>,
    private readonly steps: ProvinceSteps,
    private readonly logger: Logger,
    private readonly options: SagaOptions = DEFAULT_SAGA,
  ) {}

  /** Starts polling the outbox. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs due steps now (called after an approval). */
  wake = (): void => {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  };

  /** Stops polling and waits for the steps in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs every step due now, once; resolves when they are handled (tests and the invariant check use it). */
  async drain(): Promise<void> {
    for (;;) {
      const due = await this.dueSteps();
      if (!due.length) return;
      for (const step of due) await this.take(step);
    }
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      let took = 0;
      this.running = this.tick()
        .then((n) => void (took = n))
        .finally(() => {
          this.running = undefined;
          if (this.stopped) return;
          // A step done usually makes the next one due: look again at once.
          const soon = this.again || took > 0;
          this.again = false;
          this.schedule(soon ? 0 : this.options.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Takes the due steps; how many it found. */
  private async tick(): Promise<number> {
    try {
      const due = await this.dueSteps();
      for (const step of due) {
        if (this.stopped) break;
        await this.take(step);
      }
      return due.length;
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'transfer saga tick failed');
      return 0;
    }
  }

  private dueSteps(): Promise<OutboxRow[]> {
    const now = Date.now();
    return this.db
      .selectFrom('transfer_outbox')
      .selectAll()
      .where('done_at', 'is', null)
      .where('due_at', '<=', now)
      .where('locked_until', '<', now)
      .orderBy('due_at')
      .limit(20)
      .execute();
  }

  /** Takes one step if no other worker holds it, runs it, and records the outcome. */
  private async take(step: OutboxRow): Promise<void> {
    const now = Date.now();
    const lease = await this.db
      .updateTable('transfer_outbox')
      .set({ locked_until: now + this.options.leaseMs })
      .where('id', '=', step.id)
      .where('locked_until', '=', step.locked_until)
      .where('done_at', 'is', null)
      .executeTakeFirst();
    if (Number(lease.numUpdatedRows) !== 1) return;
    const transfer = await this.db.selectFrom('transfers').selectAll().where('id', '=', step.transfer_id).executeTakeFirstOrThrow();
    const outcome = await this.run(step.step as Step, transfer);
    if ('done' in outcome) return this.advance(step, transfer, outcome.done);
    if ('refused' in outcome && (step.step === 'reserve' || step.step === 'receive')) return this.fail(step, transfer, outcome.refused);
    const reason = 'refused' in outcome ? `${outcome.code}: ${outcome.refused}` : outcome.unavailable;
    await this.retryLater(step, reason);
  }

  private run(step: Step, t: TransferRow): Promise<StepOutcome<CardSnapshot>> {
    switch (step) {
      case 'reserve':
        return this.steps.reserve(t.source_province, t.id, t.asset_id);
      case 'receive':
        return this.steps.receive(t.target_province, {
          transferId: t.id,
          agencyId: t.target_agency_id,
          sourceAssetId: t.asset_id,
          name: t.name!,
          categoryCode: t.category_code!,
          originalValueFen: Number(t.original_value_fen),
          netValueFen: Number(t.net_value_fen),
          acquiredOn: t.acquired_on!,
        });
      case 'complete':
        return this.steps.complete(t.source_province, t.id, t.asset_id, t.target_asset_id!);
      case 'release':
        return this.steps.release(t.source_province, t.id, t.asset_id);
    }
  }

  /** Records a step's result and enqueues the next, in one transaction. */
  private async advance(step: OutboxRow, t: TransferRow, card: CardSnapshot): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await trx.updateTable('transfer_outbox').set({ done_at: now }).where('id', '=', step.id).execute();
      const next = (name: Step) =>
        trx
          .insertInto('transfer_outbox')
          .values({ id: `${t.id}:${name}`, transfer_id: t.id, step: name, due_at: now, attempts: 0, locked_until: 0, done_at: null })
          .execute();
      switch (step.step as Step) {
        case 'reserve':
          await trx
            .updateTable('transfers')
            .set({
              stage: 'RECEIVING',
              name: card.name,
              category_code: card.categoryCode,
              original_value_fen: card.originalValueFen,
              net_value_fen: card.netValueFen,
              acquired_on: card.acquiredOn,
              attempts: 0,
              last_error: null,
            })
            .where('id', '=', t.id)
            .execute();
          await recordEvent(trx, t.id, 'RESERVED', WORKFLOW, `at ${t.source_province}`, now);
          await next('receive');
          break;
        case 'receive':
          await trx.updateTable('transfers').set({ stage: 'COMPLETING', target_asset_id: card.assetId, attempts: 0, last_error: null }).where('id', '=', t.id).execute();
          await recordEvent(trx, t.id, 'RECEIVED', WORKFLOW, `card ${card.assetId}`, now);
          await next('complete');
          break;
        case 'complete':
          await trx.updateTable('transfers').set({ status: 'COMPLETED', stage: null, completed_at: now, attempts: 0, last_error: null }).where('id', '=', t.id).execute();
          await recordEvent(trx, t.id, 'COMPLETED', WORKFLOW, null, now);
          break;
        case 'release':
          await trx.updateTable('transfers').set({ status: 'FAILED', stage: null, completed_at: now, attempts: 0, last_error: null }).where('id', '=', t.id).execute();
          await recordEvent(trx, t.id, 'RELEASED', WORKFLOW, 'the asset is offered to the pool again', now);
          break;
      }
    });
    this.logger.info({ transfer: t.id, step: step.step }, 'transfer step done');
  }

  /** A province refused the reserve or receive step for good: end the transfer, releasing a reservation first. */
  private async fail(step: OutboxRow, t: TransferRow, reason: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await trx.updateTable('transfer_outbox').set({ done_at: now }).where('id', '=', step.id).execute();
      if (step.step === 'reserve') {
        await trx
          .updateTable('transfers')
          .set({ status: 'FAILED', stage: null, outcome_reason: `The holding province refused: ${reason}`, completed_at: now })
          .where('id', '=', t.id)
          .execute();
        await recordEvent(trx, t.id, 'FAILED', WORKFLOW, reason, now);
        return;
      }
      await trx
        .updateTable('transfers')
        .set({ stage: 'RELEASING', outcome_reason: `The receiving province refused: ${reason}`, attempts: 0, last_error: null })
        .where('id', '=', t.id)
        .execute();
      await recordEvent(trx, t.id, 'REFUSED', WORKFLOW, reason, now);
      await trx
        .insertInto('transfer_outbox')
        .values({ id: `${t.id}:release`, transfer_id: t.id, step: 'release', due_at: now, attempts: 0, locked_until: 0, done_at: null })
        .execute();
    });
    this.logger.warn({ transfer: t.id, step: step.step, reason }, 'transfer step refused');
  }

  private async retryLater(step: OutboxRow, reason: string): Promise<void> {
    const attempts = step.attempts + 1;
    const delay = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** Math.min(attempts - 1, 16));
    const due = Date.now() + Math.round(delay * (0.75 + Math.random() * 0.5));
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('transfer_outbox').set({ attempts, due_at: due, locked_until: 0 }).where('id', '=', step.id).execute();
      await trx
        .updateTable('transfers')
        .set({ attempts, last_error: reason.slice(0, 300) })
        .where('id', '=', step.transfer_id)
        .execute();
    });
    this.logger.warn({ transfer: step.transfer_id, step: step.step, attempts, retryInMs: due - Date.now(), reason }, 'transfer step will be retried');
  }
}
