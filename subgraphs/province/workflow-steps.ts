import { ErrorCode, userError } from '../../common/errors.js';
import { formatId, isIdOfKind, provinceOfId } from '../../common/ids.js';
import { requireAccess } from '../../common/auth/subgraph-auth.js';
import { idempotent } from './mutations.js';
import type { AssetRow, AssetTransferRow } from './db/schema.js';
import type { Repository } from './repository.js';
import type { ProvinceContext } from './resolvers.js';

/**
 * What a province does for the sharing service's workflows: the vehicle facts it needs to put
 * an agency vehicle on the platform, and the steps of a 公物仓 transfer a province takes for the sharing service (role WORKFLOW, whose
 * assertions only the sharing service's key signs). Each step is idempotent by transfer id: the
 * row it writes in `asset_transfers` (`<transfer>:OUT` at the source, `<transfer>:IN` at the
 * target) is found by a repeated delivery, which then changes nothing and answers as the first
 * did. A step that cannot be taken is refused with INVALID_STATE or NOT_FOUND, which the saga
 * treats as final; anything else (the province unreachable) it retries.
 */

/** What a step answers: the card it acted on, as the source card was when reserved. */
interface StepResult {
  assetId: string;
  name: string;
  categoryCode: string;
  originalValueFen: number;
  netValueFen: number;
  acquiredOn: string;
  agencyId: string;
}

/** Input of the receive step (the snapshot the reserve step returned, and the receiving agency). */
interface ReceiveInput {
  transferId: string;
  agencyId: string;
  sourceAssetId: string;
  name: string;
  categoryCode: string;
  originalValueFen: number;
  netValueFen: number;
  acquiredOn: string;
}

const CATEGORY_CODE = /^A0[1-8]\d{6}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const outId = (transferId: string) => `${transferId}:OUT`;
const inId = (transferId: string) => `${transferId}:IN`;

function fromRecord(r: AssetTransferRow, agencyId: string): StepResult {
  return {
    assetId: r.asset_id,
    name: r.name,
    categoryCode: r.category_code,
    originalValueFen: r.original_value_fen,
    netValueFen: r.net_value_fen,
    acquiredOn: r.acquired_on,
    agencyId,
  };
}

async function record(trx: Repository, id: string): Promise<AssetTransferRow | undefined> {
  const [row] = await trx.db.selectFrom(trx.source('asset_transfers')).selectAll().where('t.id', '=', id).execute();
  return row;
}

/** An asset card of a province this instance serves (a step never reads another province's id). */
async function servedAsset(trx: Repository, ctx: ProvinceContext, assetId: string): Promise<AssetRow> {
  const served = isIdOfKind(assetId, 'asset') && ctx.served.includes(provinceOfId(assetId)!);
  const [asset] = served ? await trx.db.selectFrom(trx.source('assets')).selectAll().where('t.id', '=', assetId).execute() : [];
  if (!asset) throw userError(ErrorCode.NOT_FOUND, `No asset ${assetId}.`, { id: assetId });
  return asset;
}

function workflowOnly(ctx: ProvinceContext) {
  requireAccess(ctx.principal, 'workflow');
}

/** Runs a step in one transaction, again when a concurrent delivery of it committed first (it then finds that one's row). */
const step = <R>(ctx: ProvinceContext, work: (trx: Repository) => Promise<R>) => idempotent(ctx, 'transfer step', null, null, work);

function validateReceive(input: ReceiveInput) {
  const problems = [
    !isIdOfKind(input.sourceAssetId, 'asset') && 'sourceAssetId is not an asset id',
    !CATEGORY_CODE.test(input.categoryCode) && 'categoryCode is not a GB/T 14885 code',
    !ISO_DATE.test(input.acquiredOn) && 'acquiredOn is not an ISO date',
    ![input.originalValueFen, input.netValueFen].every((v) => Number.isSafeInteger(v) && v >= 0) && 'values must be whole fen, not negative',
    input.netValueFen > input.originalValueFen && 'net value above original value',
    (input.name.length === 0 || input.name.length > 200) && 'name must have 1 to 200 characters',
  ].filter(Boolean);
  if (problems.length) throw userError(ErrorCode.BAD_USER_INPUT, `Invalid transfer card: ${problems.join('; ')}.`);
}

/** Resolvers of the workflow reads and transfer steps (merged into the province subgraph's Query and Mutation). */
export const workflowStepResolvers = {
  Query: {
    _transferCandidate: async (_: unknown, { assetId }: { assetId: string }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      const asset = await servedAsset(ctx.repo, ctx, assetId).catch(() => undefined);
      return asset
        ? { assetId: asset.id, agencyId: asset.agency_id, status: asset.status, offeredToPool: asset.offered_to_pool === 1, originalValueFen: asset.original_value_fen }
        : null;
    },
    _receivingAgency: async (_: unknown, { agencyId }: { agencyId: string }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      const served = isIdOfKind(agencyId, 'agency') && ctx.served.includes(provinceOfId(agencyId)!);
      const [agency] = served ? await ctx.repo.db.selectFrom(ctx.repo.source('agencies')).select('t.id').where('t.id', '=', agencyId).execute() : [];
      return agency?.id ?? null;
    },
    _shareableVehicle: async (_: unknown, { vehicleId }: { vehicleId: string }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      const served = isIdOfKind(vehicleId, 'vehicle') && ctx.served.includes(provinceOfId(vehicleId)!);
      const [v] = served ? await ctx.repo.db.selectFrom(ctx.repo.source('vehicles')).selectAll().where('t.id', '=', vehicleId).execute() : [];
      return v ? { vehicleId: v.id, agencyId: v.agency_id, model: v.model, category: v.category, plateNumber: v.plate_number, mileageKm: v.mileage_km, status: v.status } : null;
    },
  },
  Mutation: {
    _reserveAssetForTransfer: (_: unknown, { transferId, assetId }: { transferId: string; assetId: string }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      return step(ctx, async (trx): Promise<StepResult> => {
        const asset = await servedAsset(trx, ctx, assetId);
        const done = await record(trx, outId(transferId));
        if (done && done.asset_id !== assetId) throw userError(ErrorCode.INVALID_STATE, `Transfer ${transferId} reserved another asset.`);
        if (done && done.state !== 'RELEASED') return fromRecord(done, asset.agency_id);
        if (done) throw userError(ErrorCode.INVALID_STATE, `Transfer ${transferId} was released; it cannot reserve again.`);
        const claimed = await trx.claim('assets', asset.id, { status: 'IDLE', offered_to_pool: 1 }, { status: 'TRANSFER_PENDING', offered_to_pool: 0, offered_at: null });
        if (!claimed) throw userError(ErrorCode.INVALID_STATE, `Asset ${asset.id} is not an idle asset offered to the pool (it is ${asset.status}).`, { id: asset.id });
        const row: AssetTransferRow = {
          id: outId(transferId),
          transfer_id: transferId,
          direction: 'OUT',
          asset_id: asset.id,
          state: 'RESERVED',
          counterpart_asset_id: null,
          source_asset_id: asset.id,
          name: asset.name,
          category_code: asset.category_code,
          original_value_fen: asset.original_value_fen,
          net_value_fen: asset.net_value_fen,
          acquired_on: asset.acquired_on,
          recorded_at: new Date().toISOString(),
        };
        await trx.insert('asset_transfers', row);
        return fromRecord(row, asset.agency_id);
      });
    },
    _receiveTransferredAsset: (_: unknown, { input }: { input: ReceiveInput }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      validateReceive(input);
      return step(ctx, async (trx): Promise<StepResult> => {
        const done = await record(trx, inId(input.transferId));
        if (done) return fromRecord(done, input.agencyId);
        const served = isIdOfKind(input.agencyId, 'agency') && ctx.served.includes(provinceOfId(input.agencyId)!);
        const [agency] = served ? await trx.db.selectFrom(trx.source('agencies')).select(['t.id', 't.province']).where('t.id', '=', input.agencyId).execute() : [];
        if (!agency) throw userError(ErrorCode.NOT_FOUND, `No agency ${input.agencyId} here to receive the asset.`, { id: input.agencyId });
        const [last] = await trx.db.selectFrom(trx.source('assets')).select('t.id').where('t.province', '=', agency.province).orderBy('t.id', 'desc').limit(1).execute();
        const id = formatId(agency.province, 'asset', last ? Number(last.id.split('-')[1]) + 1 : 1);
        await trx.insert('assets', {
          id,
          province: agency.province,
          agency_id: agency.id,
          building_id: null,
          name: input.name,
          category_code: input.categoryCode,
          original_value_fen: input.originalValueFen,
          net_value_fen: input.netValueFen,
          acquired_on: input.acquiredOn,
          status: 'IN_USE',
          offered_to_pool: 0,
          offered_at: null,
        });
        const row: AssetTransferRow = {
          id: inId(input.transferId),
          transfer_id: input.transferId,
          direction: 'IN',
          asset_id: id,
          state: 'RECEIVED',
          counterpart_asset_id: input.sourceAssetId,
          source_asset_id: input.sourceAssetId,
          name: input.name,
          category_code: input.categoryCode,
          original_value_fen: input.originalValueFen,
          net_value_fen: input.netValueFen,
          acquired_on: input.acquiredOn,
          recorded_at: new Date().toISOString(),
        };
        await trx.insert('asset_transfers', row);
        return fromRecord(row, agency.id);
      });
    },
    _completeTransferOut: (_: unknown, args: { transferId: string; assetId: string; targetAssetId: string }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      if (!isIdOfKind(args.targetAssetId, 'asset')) throw userError(ErrorCode.BAD_USER_INPUT, 'targetAssetId is not an asset id.');
      return step(ctx, async (trx): Promise<StepResult> => {
        const asset = await servedAsset(trx, ctx, args.assetId);
        const reserved = await record(trx, outId(args.transferId));
        if (!reserved || reserved.asset_id !== asset.id || reserved.state === 'RELEASED') {
          throw userError(ErrorCode.INVALID_STATE, `Asset ${asset.id} is not reserved for transfer ${args.transferId}.`, { id: asset.id });
        }
        if (reserved.state === 'RESERVED') {
          await trx.claim('assets', asset.id, { status: 'TRANSFER_PENDING' }, { status: 'TRANSFERRED_OUT' });
          await trx.update('asset_transfers', reserved.id, { state: 'TRANSFERRED_OUT', counterpart_asset_id: args.targetAssetId });
        }
        return fromRecord(reserved, asset.agency_id);
      });
    },
    _releaseAssetReservation: (_: unknown, { transferId, assetId }: { transferId: string; assetId: string }, ctx: ProvinceContext) => {
      workflowOnly(ctx);
      return step(ctx, async (trx): Promise<StepResult> => {
        const asset = await servedAsset(trx, ctx, assetId);
        const reserved = await record(trx, outId(transferId));
        if (reserved?.state === 'TRANSFERRED_OUT') throw userError(ErrorCode.INVALID_STATE, `Asset ${asset.id} was already transferred out.`, { id: asset.id });
        if (reserved?.state === 'RESERVED' && reserved.asset_id === asset.id) {
          await trx.claim('assets', asset.id, { status: 'TRANSFER_PENDING' }, { status: 'IDLE', offered_to_pool: 1, offered_at: new Date().toISOString().slice(0, 10) });
          await trx.update('asset_transfers', reserved.id, { state: 'RELEASED' });
        }
        return {
          assetId: asset.id,
          name: asset.name,
          categoryCode: asset.category_code,
          originalValueFen: asset.original_value_fen,
          netValueFen: asset.net_value_fen,
          acquiredOn: asset.acquired_on,
          agencyId: asset.agency_id,
        };
      });
    },
  },
};
