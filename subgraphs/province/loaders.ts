import DataLoader from 'dataloader';
import type { AgencyRow, BuildingRow } from './db/schema.js';
import type { Repository } from './repository.js';

/**
 * Per-request batch loaders for every relation, so a page of N rows with its buildings and
 * agencies costs a constant number of statements. Created per request: no cache outlives it.
 */
export interface Loaders {
  agency: DataLoader<string, AgencyRow | null>;
  building: DataLoader<string, BuildingRow | null>;
  buildingsByAgency: DataLoader<string, BuildingRow[]>;
}

/** Builds the loaders of one request. */
export function createLoaders(repo: Repository): Loaders {
  return {
    agency: new DataLoader(async (ids) => byKey(ids, await repo.byIds('agencies', ids))),
    building: new DataLoader(async (ids) => byKey(ids, await repo.byIds('buildings', ids))),
    buildingsByAgency: new DataLoader(async (ids) => {
      const rows = await repo.byColumn('buildings', 'agency_id', ids);
      return ids.map((id) => rows.filter((r) => r.agency_id === id));
    }),
  };
}

function byKey<Row extends { id: string }>(ids: readonly string[], rows: Row[]): (Row | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}
