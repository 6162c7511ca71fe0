import type { Kysely } from 'kysely';
import type { Repository } from '../subgraphs/province/repository.js';
import type { SharingDatabase } from '../subgraphs/sharing/db/schema.js';

/** What the invariant check found. */
export interface InvariantReport {
  /** Transfers checked (every transfer that ended or completed). */
  checked: number;
  /** Transfers still in flight (APPROVED): the check holds only once there are none. */
  inFlight: number;
  /** Each broken rule, naming the transfer. */
  problems: string[];
}

/**
 * The 公物仓 transfer invariant, read from the sharing database and the province databases
 * themselves (not through the services under check):
 * - every COMPLETED transfer has exactly one card created for it at the target, active, and the
 *   source card TRANSFERRED_OUT naming that card;
 * - the two cards carry the same original value, so transfers conserve the original value of
 *   the assets of any set of provinces holding both ends;
 * - a transfer that ended otherwise (FAILED, REJECTED, CANCELLED, CLOSED) created no card and
 *   left no reservation behind.
 */
export async function checkTransferInvariant(sharing: Kysely<SharingDatabase>, provinces: ReadonlyMap<string, Repository>): Promise<InvariantReport> {
  const transfers = await sharing.selectFrom('transfers').selectAll().where('status', 'not in', ['REQUESTED']).execute();
  const problems: string[] = [];
  let inFlight = 0;
  for (const t of transfers) {
    if (t.status === 'APPROVED') {
      inFlight++;
      continue;
    }
    const source = provinces.get(t.source_province);
    const target = provinces.get(t.target_province);
    if (!source || !target) {
      problems.push(`${t.id}: province ${!source ? t.source_province : t.target_province} not given to the check`);
      continue;
    }
    const out = await source.db.selectFrom(source.source('asset_transfers')).selectAll().where('t.id', '=', `${t.id}:OUT`).executeTakeFirst();
    const received = await target.db.selectFrom(target.source('asset_transfers')).selectAll().where('t.transfer_id', '=', t.id).where('t.direction', '=', 'IN').execute();
    const [sourceCard] = await source.db.selectFrom(source.source('assets')).selectAll().where('t.id', '=', t.asset_id).execute();
    if (t.status !== 'COMPLETED') {
      if (received.length) problems.push(`${t.id} (${t.status}): a card was created at ${t.target_province}`);
      if (out && out.state !== 'RELEASED') problems.push(`${t.id} (${t.status}): the source reservation is ${out.state}`);
      continue;
    }
    if (received.length !== 1) {
      problems.push(`${t.id}: ${received.length} cards created at ${t.target_province}, expected 1`);
      continue;
    }
    const [targetCard] = await target.db.selectFrom(target.source('assets')).selectAll().where('t.id', '=', received[0].asset_id).execute();
    if (!targetCard) {
      problems.push(`${t.id}: card ${received[0].asset_id} missing at ${t.target_province}`);
      continue;
    }
    // Active, unless a later transfer moved it on (then that transfer's own record says so).
    const movedOn = await target.db
      .selectFrom(target.source('asset_transfers'))
      .select('t.id')
      .where('t.asset_id', '=', targetCard.id)
      .where('t.direction', '=', 'OUT')
      .executeTakeFirst();
    if ((targetCard.status === 'TRANSFER_PENDING' || targetCard.status === 'TRANSFERRED_OUT') && !movedOn)
      problems.push(`${t.id}: target card ${targetCard.id} is ${targetCard.status}`);
    if (targetCard.id !== t.target_asset_id) problems.push(`${t.id}: the transfer names ${t.target_asset_id}, the target holds ${targetCard.id}`);
    if (sourceCard?.status !== 'TRANSFERRED_OUT') problems.push(`${t.id}: source card ${t.asset_id} is ${sourceCard?.status ?? 'missing'}, expected TRANSFERRED_OUT`);
    if (out?.state !== 'TRANSFERRED_OUT' || out.counterpart_asset_id !== targetCard.id) problems.push(`${t.id}: the source card does not name ${targetCard.id}`);
    if (sourceCard && sourceCard.original_value_fen !== targetCard.original_value_fen) {
      problems.push(`${t.id}: original value ${sourceCard.original_value_fen} fen at the source, ${targetCard.original_value_fen} at the target`);
    }
    if (targetCard.agency_id !== t.target_agency_id) problems.push(`${t.id}: the new card is held by ${targetCard.agency_id}, not ${t.target_agency_id}`);
  }
  return { checked: transfers.length - inFlight, inFlight, problems };
}
