import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSharingDatabase, type SharingStore } from './database.js';

describe('openSharingDatabase', () => {
  const dirs: string[] = [];
  const stores: SharingStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('adds the columns a later version declares to a database an earlier one made, keeping its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-sharing-'));
    dirs.push(dir);
    const file = join(dir, 'sharing.sqlite');
    // platform_vehicles as the version before owners were recorded made it, with one shared vehicle.
    const old = new Database(file);
    old.exec(`CREATE TABLE platform_vehicles (id text PRIMARY KEY, kind text NOT NULL, province text NOT NULL, company_id text, model text NOT NULL,
      category text NOT NULL, seats integer NOT NULL, daily_rate_fen integer NOT NULL, per_km_fen integer NOT NULL, plate_number text NOT NULL,
      odometer_km integer NOT NULL, active integer NOT NULL, registered_at integer NOT NULL)`);
    old.exec(`INSERT INTO platform_vehicles VALUES ('320000:VH-1', 'AGENCY', '320000', NULL, '比亚迪 汉 EV', 'OTHER', 5, 0, 150, '苏A12345', 1000, 1, 0)`);
    old.close();

    const store = await openSharingDatabase(`sqlite:${file}`);
    stores.push(store);
    const rows = await store.db.selectFrom('platform_vehicles').select(['id', 'owner_agency_id', 'plate_number']).execute();
    expect(rows).toEqual([{ id: '320000:VH-1', owner_agency_id: null, plate_number: '苏A12345' }]);
    await store.db.updateTable('platform_vehicles').set({ owner_agency_id: '320000-A001' }).where('id', '=', '320000:VH-1').execute();
    // Opening it again changes nothing.
    await store.close();
    stores.pop();
    const again = await openSharingDatabase(`sqlite:${file}`);
    stores.push(again);
    expect(await again.db.selectFrom('platform_vehicles').select(['owner_agency_id']).execute()).toEqual([{ owner_agency_id: '320000-A001' }]);
  });
});
