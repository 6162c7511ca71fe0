import DataLoader from 'dataloader';
import type { AgencyRow, AssetTransferRow, BuildingRow } from './db/schema.js';
import type { PoolHolderRow, Repository } from './repository.js';
import type { VisibleRows } from './visible-rows.js';

/**
 * Per-request batch loaders for every relation, so a page of N rows with its buildings and
 * agencies costs a constant number of statements. Created per request from the caller's
 * {@link VisibleRows}: a relation yields a row only if the caller may read it (null or absent
 * otherwise). No cache outlives the request.
 */
export interface Loaders {
  agency: DataLoader<string, AgencyRow | null>;
  building: DataLoader<string, BuildingRow | null>;
  buildingsByAgency: DataLoader<string, BuildingRow[]>;
  /** The pool context of an asset's holder, for assets the caller may already see. */
  poolHolder: DataLoader<string, PoolHolderRow | null>;
  /** The 公物仓 transfer records of assets the caller may already see (provenance, transferred-to). */
  transferRecords: DataLoader<string, AssetTransferRow[]>;
}

/** Builds the loaders of one request. */
export function createLoaders(rows: VisibleRows, repo: Repository): Loaders {
  return {
    agency: new DataLoader(async (ids) => byKey(ids, await rows.byIds('agencies', ids))),
    building: new DataLoader(async (ids) => byKey(ids, await rows.byIds('buildings', ids))),
    buildingsByAgency: new DataLoader(async (ids) => {
      const found = await rows.byColumn('buildings', 'agency_id', ids);
      return ids.map((id) => found.filter((r) => r.agency_id === id));
    }),
    poolHolder: new DataLoader(async (ids) => byKey(ids, await repo.poolHolders(ids))),
    transferRecords: new DataLoader(async (ids) => {
      const found = await repo.transferRecords(ids);
      return ids.map((id) => found.filter((r) => r.asset_id === id));
    }),
  };
}

function byKey<Row extends { id: string }>(ids: readonly string[], found: Row[]): (Row | null)[] {
  const map = new Map(found.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}
