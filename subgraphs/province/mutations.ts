import { ErrorCode, userError } from '../../common/errors.js';
import { formatId, isIdOfKind } from '../../common/ids.js';
import type { AssetRow } from './db/schema.js';
import { validateReport, type EnergyReportInput } from './report-input.js';
import { runOnce, type IdempotencyStore } from '../../common/idempotency.js';
import type { Repository } from './repository.js';
import { mayWrite } from '../../common/auth/policy.js';
import type { ProvinceContext } from './resolvers.js';

/** The statuses an administrator sets; TRANSFER_PENDING and TRANSFERRED_OUT belong to the transfer steps. */
const ASSET_STATUSES = ['IN_USE', 'IDLE', 'LEASED_OUT', 'LENT_OUT', 'PENDING_DISPOSAL', 'DISPOSED'];
const TRANSFER_STATUSES = ['TRANSFER_PENDING', 'TRANSFERRED_OUT'];

/** The province's stored results of idempotent mutations (in its `idempotency_keys` table). */
const storedResults = (repo: Repository): IdempotencyStore<Repository> => ({
  transaction: (work) => repo.transaction(work),
  find: async (trx, key) => (await trx.db.selectFrom(trx.source('idempotency_keys')).selectAll().where('t.key', '=', key).execute())[0],
  save: (trx, row) => trx.insert('idempotency_keys', { ...row, created_at: new Date().toISOString() }),
});

/** Runs a mutation at most once per caller and client key, in one transaction, again after a unique-key collision (see {@link runOnce}). */
export function idempotent<R>(ctx: ProvinceContext, operation: string, clientKey: string | null | undefined, input: unknown, work: (trx: Repository) => Promise<R>): Promise<R> {
  return runOnce(storedResults(ctx.repo), { principal: ctx.principal, operation, clientKey, input }, work);
}

async function ownedAsset(trx: Repository, ctx: ProvinceContext, assetId: string): Promise<AssetRow> {
  const [asset] = isIdOfKind(assetId, 'asset') ? await ctx.rows.through(trx).byIds('assets', [assetId]) : [];
  if (!asset) throw userError(ErrorCode.NOT_FOUND, `No asset ${assetId}.`, { id: assetId });
  requireWrite(ctx, asset.province, asset.agency_id, asset.id);
  return asset;
}

/** Refuses a change the principal may not make to records of this province (or agency). */
function requireWrite(ctx: ProvinceContext, province: string, agency: string, record: string) {
  // Names the record asked about, never its holder: a pooled asset's holder is not the caller's to learn.
  if (!mayWrite(ctx.principal, province, agency)) {
    throw userError(ErrorCode.FORBIDDEN, `The role ${ctx.principal.role} may not change ${record}.`, { id: record });
  }
}

/** A mutation's result, read as the caller may see it (a replay included): NOT_FOUND otherwise. */
async function visibleResult<T extends 'assets' | 'energy_reports'>(ctx: ProvinceContext, table: T, id: string) {
  const [row] = await ctx.rows.byIds(table, [id]);
  if (!row) throw userError(ErrorCode.NOT_FOUND, `No record ${id}.`, { id });
  return row;
}

async function assetPayload(ctx: ProvinceContext, stored: { assetId: string }) {
  return { asset: await visibleResult(ctx, 'assets', stored.assetId) };
}

/** Mutation resolvers of the province subgraph. */
export const mutationResolvers = {
  offerAssetToPool: async (_: unknown, { input }: { input: { assetId: string; idempotencyKey?: string } }, ctx: ProvinceContext) => {
    const stored = await idempotent(ctx, 'offerAssetToPool', input.idempotencyKey, input, async (trx) => {
      const asset = await ownedAsset(trx, ctx, input.assetId);
      if (asset.status !== 'IDLE') throw userError(ErrorCode.INVALID_STATE, `Only idle assets can be offered to the pool; ${asset.id} is ${asset.status}.`, { id: asset.id });
      if (!asset.offered_to_pool) await trx.update('assets', asset.id, { offered_to_pool: 1, offered_at: new Date().toISOString().slice(0, 10) });
      return { assetId: asset.id };
    });
    return assetPayload(ctx, stored);
  },
  withdrawAssetFromPool: async (_: unknown, { input }: { input: { assetId: string; idempotencyKey?: string } }, ctx: ProvinceContext) => {
    const stored = await idempotent(ctx, 'withdrawAssetFromPool', input.idempotencyKey, input, async (trx) => {
      const asset = await ownedAsset(trx, ctx, input.assetId);
      if (asset.offered_to_pool) await trx.update('assets', asset.id, { offered_to_pool: 0, offered_at: null });
      return { assetId: asset.id };
    });
    return assetPayload(ctx, stored);
  },
  setAssetStatus: async (_: unknown, { input }: { input: { assetId: string; status: string; idempotencyKey?: string } }, ctx: ProvinceContext) => {
    if (TRANSFER_STATUSES.includes(input.status)) throw userError(ErrorCode.BAD_USER_INPUT, `Status ${input.status} is set by a 公物仓 transfer only.`);
    if (!ASSET_STATUSES.includes(input.status)) throw userError(ErrorCode.BAD_USER_INPUT, `Unknown status ${input.status}.`);
    const stored = await idempotent(ctx, 'setAssetStatus', input.idempotencyKey, input, async (trx) => {
      const asset = await ownedAsset(trx, ctx, input.assetId);
      if (asset.status === 'DISPOSED' && input.status !== 'DISPOSED') {
        throw userError(ErrorCode.INVALID_STATE, `Asset ${asset.id} is disposed; its status can no longer change.`, { id: asset.id });
      }
      if (TRANSFER_STATUSES.includes(asset.status)) {
        throw userError(ErrorCode.INVALID_STATE, `Asset ${asset.id} is ${asset.status} by a 公物仓 transfer; its status can no longer change here.`, { id: asset.id });
      }
      // Only idle assets may sit in the pool: leaving IDLE withdraws the offer.
      const leavesPool = input.status !== 'IDLE' && asset.offered_to_pool === 1;
      await trx.update('assets', asset.id, { status: input.status, ...(leavesPool ? { offered_to_pool: 0, offered_at: null } : {}) });
      return { assetId: asset.id };
    });
    return assetPayload(ctx, stored);
  },
  submitEnergyReport: async (_: unknown, { input }: { input: EnergyReportInput }, ctx: ProvinceContext) => {
    const values = validateReport(input);
    const stored = await idempotent(ctx, 'submitEnergyReport', input.idempotencyKey, input, async (trx) => {
      const [agency] = isIdOfKind(input.agencyId, 'agency') ? await ctx.rows.through(trx).byIds('agencies', [input.agencyId]) : [];
      if (!agency) throw userError(ErrorCode.NOT_FOUND, `No agency ${input.agencyId}.`, { id: input.agencyId });
      requireWrite(ctx, agency.province, agency.id, agency.id);
      const [existing] = await trx.db.selectFrom(trx.source('energy_reports')).selectAll().where('t.agency_id', '=', agency.id).where('t.year', '=', input.year).execute();
      if (existing) {
        await trx.update('energy_reports', existing.id, { ...values, revision: existing.revision + 1 });
        return { reportId: existing.id, corrected: true };
      }
      const [last] = await trx.db.selectFrom(trx.source('energy_reports')).select('t.id').where('t.province', '=', agency.province).orderBy('t.id', 'desc').limit(1).execute();
      const seq = last ? Number(last.id.split('-')[1]) + 1 : 1;
      const id = formatId(agency.province, 'energyReport', seq);
      await trx.insert('energy_reports', { id, province: agency.province, agency_id: agency.id, year: input.year, ...values, revision: 0 });
      return { reportId: id, corrected: false };
    });
    return { report: await visibleResult(ctx, 'energy_reports', stored.reportId), corrected: stored.corrected };
  },
};
