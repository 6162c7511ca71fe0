/**
 * `npm run bench:sharing [-- --database postgres|sqlite] [--clients N] [--seconds S] [--transfers N]`:
 * throughput of the sharing workflows through the gateway, on a demo stack of its own
 * (3 长三角 provinces at a small scale; the sharing database on PostgreSQL by default, in a
 * database created and dropped for the run, XIETONG_POSTGRES_URL or postgres@127.0.0.1).
 * - bookings per second with contention: N clients book 4 vehicles over 40 one-hour slots at
 *   random for S seconds; every overlap is refused by the database, the rest are accepted;
 * - a transfer's end-to-end time: request, approval, and the saga until COMPLETED, one after
 *   another, 上海 to 安徽.
 * A benchmark, not a test: it prints figures and checks only that no booking overlaps.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoStack } from '../demo/demo-stack.js';
import { devToken, generateDevKeys } from '../demo/dev-keys.js';
import { dropDatabase, ensureDatabase } from '../demo/databases.js';
import { Repository } from '../subgraphs/province/repository.js';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'postgres' },
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    transfers: { type: 'string', default: '20' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const TRANSFERS = Number(values.transfers);
const HOUR = 3_600_000;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

const server = process.env.XIETONG_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `xietong_bench_sharing_${process.pid}`;
const sharingDatabase = values.database === 'postgres' ? await ensureDatabase(server, dbName) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'xietong-bench-sharing-'));
const keys = generateDevKeys();
const stack = await startDemoStack({
  scale: { agencies: 20, buildingsPerAgency: 2, assetsPerAgency: 30, years: [2025] },
  basePort: 0,
  dataDir: dir,
  sharingDatabase,
  provinces: ['310000', '320000', '340000'],
  keys,
  saga: { pollMs: 200, leaseMs: 10_000, backoffMs: 200, maxBackoffMs: 2000 },
});
const url = stack.gateway.url;
const ask = async (token: string, query: string, variables: Record<string, unknown>) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: { requestAssetTransfer?: { transfer: { id: string } } } | null; errors?: { extensions?: { code?: string } }[] };
};

try {
  console.log(`sharing database: ${stack.sharing.store.kind}; ${CLIENTS} clients for ${SECONDS} s; ${TRANSFERS} transfers\n`);
  // Bookings with contention.
  const vehicles = (await stack.sharing.store.db.selectFrom('platform_vehicles').select('id').where('kind', '=', 'RENTAL').orderBy('id').limit(4).execute()).map((v) => v.id);
  const js = new Repository(stack.databases.get('320000')!);
  const agency = (await js.db.selectFrom(js.source('agencies')).select('t.id').orderBy('t.id').limit(1).executeTakeFirstOrThrow()).id;
  const officer = devToken(keys, { role: 'AGENCY_OFFICER', agency, sub: 'bench-officer' });
  const base = Math.ceil((Date.now() + 24 * HOUR) / HOUR) * HOUR;
  const BOOK = `mutation($v: ID!, $g: ID!, $f: String!, $t: String!) { bookVehicle(input: { vehicleId: $v, agencyId: $g, from: $f, to: $t, purpose: "基准测试", passengers: 1 }) { booking { id } } }`;
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  let other = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const slot = Math.floor(Math.random() * 40);
        const v = vehicles[Math.floor(Math.random() * vehicles.length)];
        const t0 = performance.now();
        const r = await ask(officer, BOOK, { v, g: agency, f: new Date(base + slot * HOUR).toISOString(), t: new Date(base + slot * HOUR + HOUR - 60_000).toISOString() });
        latencies.push(performance.now() - t0);
        const code = r.errors?.[0]?.extensions?.code;
        if (!r.errors) accepted++;
        else if (code === 'BOOKING_CONFLICT') refused++;
        else other++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const held = await stack.sharing.store.db
    .selectFrom('bookings')
    .select(['vehicle_id', 'starts_ms', 'ends_ms'])
    .where('status', '=', 'REQUESTED')
    .orderBy('vehicle_id')
    .orderBy('starts_ms')
    .execute();
  const overlaps = held.filter((b, i) => i > 0 && held[i - 1].vehicle_id === b.vehicle_id && Number(b.starts_ms) < Number(held[i - 1].ends_ms)).length;
  console.log('bookings with contention (4 vehicles × 40 slots = 160 windows):');
  console.log(`  attempts ${latencies.length} in ${elapsed.toFixed(1)} s = ${(latencies.length / elapsed).toFixed(0)} bookings/s attempted`);
  console.log(`  accepted ${accepted} of the 160 windows, refused as overlapping ${refused}, other errors ${other}, overlaps in the database ${overlaps}`);
  console.log(`  latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms\n`);

  // Transfers end to end.
  const sh = new Repository(stack.databases.get('310000')!);
  const ah = new Repository(stack.databases.get('340000')!);
  const receiver = (await ah.db.selectFrom(ah.source('agencies')).select('t.id').orderBy('t.id').limit(1).executeTakeFirstOrThrow()).id;
  const shAdmin = devToken(keys, { role: 'PROVINCE_ADMIN', province: '310000', sub: 'bench-sh-admin' });
  const ahOfficer = devToken(keys, { role: 'AGENCY_OFFICER', agency: receiver, sub: 'bench-ah-officer' });
  const candidates = await sh.db.selectFrom(sh.source('assets')).select('t.id').where('t.status', 'in', ['IDLE', 'IN_USE']).orderBy('t.id').limit(TRANSFERS).execute();
  const total: number[] = [];
  const saga: number[] = [];
  for (const { id } of candidates) {
    await ask(shAdmin, 'mutation($a: ID!) { setAssetStatus(input: { assetId: $a, status: IDLE }) { asset { id } } }', { a: id });
    await ask(shAdmin, 'mutation($a: ID!) { offerAssetToPool(input: { assetId: $a }) { asset { id } } }', { a: id });
    const t0 = performance.now();
    const r = await ask(ahOfficer, 'mutation($a: ID!, $g: ID!) { requestAssetTransfer(input: { assetId: $a, agencyId: $g, reason: "基准测试" }) { transfer { id } } }', {
      a: id,
      g: receiver,
    });
    const transfer = r.data?.requestAssetTransfer?.transfer.id;
    if (!transfer) throw new Error(JSON.stringify(r));
    const t1 = performance.now();
    await ask(shAdmin, 'mutation($t: ID!) { approveAssetTransfer(input: { transferId: $t }) { transfer { id } } }', { t: transfer });
    for (;;) {
      const row = await stack.sharing.store.db.selectFrom('transfers').select('status').where('id', '=', transfer).executeTakeFirstOrThrow();
      if (row.status !== 'APPROVED') break;
      await new Promise((res) => setTimeout(res, 2));
    }
    const t2 = performance.now();
    total.push(t2 - t0);
    saga.push(t2 - t1);
  }
  console.log(`transfers 上海 → 安徽 (${total.length}, one at a time):`);
  console.log(`  request to COMPLETED: p50 ${percentile(total, 50).toFixed(1)} ms, p95 ${percentile(total, 95).toFixed(1)} ms, max ${Math.max(...total).toFixed(1)} ms`);
  console.log(`  approval to COMPLETED (the saga's three province steps): p50 ${percentile(saga, 50).toFixed(1)} ms, p95 ${percentile(saga, 95).toFixed(1)} ms`);
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  if (sharingDatabase) await dropDatabase(server, dbName);
}
