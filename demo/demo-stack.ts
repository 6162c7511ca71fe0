import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningService } from '../common/http.js';
import { SUPERGRAPH_PATH } from '../common/subgraphs.js';
import { startDirectory } from '../subgraphs/directory/server.js';
import { openProvinceDatabase, type ProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, type DemoScale } from '../subgraphs/province/seed/generator.js';
import { isSeeded, seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince } from '../subgraphs/province/server.js';
import { spawnProvince, type ProvinceProcess } from './province-process.js';
import { startSharing, type SharingService } from '../subgraphs/sharing/server.js';
import { isSharingSeeded, seedSharingDemo } from './sharing-demo.js';
import { seedTripHistory } from './trip-history.js';
import type { SagaOptions } from '../subgraphs/sharing/saga.js';

/** What the stack needs of a province instance, wherever it runs. */
export type RunningProvince = ProvinceProcess;
import { startGateway, type RunningGateway } from '../gateway/server.js';
import type { RateLimitOptions } from '../gateway/fair-use/rate-limit.js';
import { DEMO_PROVINCES } from './demo-topology.js';
import { DEV_TOKEN, type DevKeys } from './dev-keys.js';

/** Gateway auth settings for development keys. */
export function devAuth(keys: DevKeys) {
  return {
    tokens: { issuer: DEV_TOKEN.issuer, audience: DEV_TOKEN.audience, algorithms: ['ES256' as const], publicKeys: { [DEV_TOKEN.kid]: keys.tokenPublicKey } },
    assertionPrivateKey: keys.assertionPrivateKey,
  };
}
import { findProvince } from '../common/standards.js';
import type { RedisConfig } from '../gateway/shared-state/redis.js';
import type { Manifest } from '../gateway/persisted/manifest.js';

/** Options of {@link startDemoStack}. */
export interface DemoStackOptions {
  scale: DemoScale;
  /** Folder for the SQLite files; in memory when omitted. */
  dataDir?: string;
  /** Database URL per province, overriding SQLite (e.g. PostgreSQL and MariaDB databases). */
  databases?: Record<string, string>;
  /** First port (gateway; directory +1, provinces +101..); 0 for ephemeral ports everywhere. */
  basePort: number;
  /** Only these demo provinces (all nine by default). */
  provinces?: string[];
  subgraphTimeoutMs?: number;
  /** Shared state for the gateway (in-process when omitted). */
  redis?: RedisConfig;
  /** Signing keys of user tokens and gateway assertions (development keys). */
  keys: DevKeys;
  /** SQLite file of the audit trail (in memory when omitted). */
  auditFile?: string;
  /** Response cache settings (off when omitted). */
  responseCache?: { ttlSeconds: number; maxEntries: number };
  /** Each province in a process of its own (`npm start`), so no province's work blocks the gateway; in-process otherwise. */
  isolateProvinces?: boolean;
  /** Database of the sharing service (default: sharing.sqlite in dataDir, else in memory). */
  sharingDatabase?: string;
  /** Seed the vehicle platform's past trips too, when it is first seeded (`npm start`; tests write their own). */
  tripHistory?: boolean;
  /** Saga timing of the sharing service (tests shorten it). */
  saga?: Partial<SagaOptions>;
  /** Per-subject rate limits of the gateway (off when omitted). */
  rateLimit?: RateLimitOptions;
  /** Persisted operations served by id (and the safelist switch). */
  persistedOperations?: { manifest: Manifest; safelist: boolean };
  /** Enables the gateway's admin API (/admin/provinces) with this bearer token. */
  adminToken?: string;
  onProgress?: (message: string) => void;
}

/** The running demo: directory, province instances, sharing service and gateway. */
export interface DemoStack {
  gateway: RunningGateway;
  directory: RunningService;
  sharing: SharingService;
  /** The running province instances (in this process or their own). */
  provinces: Map<string, RunningProvince>;
  databases: Map<string, ProvinceDatabase>;
  /** Stops one province instance (its database stays open). */
  stopProvince(code: string): Promise<void>;
  /** Starts a stopped province instance again on its old port. */
  restartProvince(code: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the directory, the demo provinces (seeding empty databases) and the gateway. */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const say = options.onProgress ?? (() => {});
  const port = (offset: number) => (options.basePort === 0 ? 0 : options.basePort + offset);
  const chosen = DEMO_PROVINCES.filter((p) => !options.provinces || options.provinces.includes(p.code));
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });

  if (options.isolateProvinces && !options.dataDir && !options.databases) throw new Error('isolateProvinces needs databases another process can open: a dataDir or database URLs');
  const launch = (p: (typeof chosen)[number], url: string, at: number, pdb?: ProvinceDatabase): Promise<RunningProvince> =>
    options.isolateProvinces
      ? spawnProvince({
          code: p.code,
          database: url,
          mapping: p.mapping,
          port: at,
          assertionPublicKey: options.keys.assertionPublicKey,
          workflowPublicKey: options.keys.workflowPublicKey,
        })
      : startProvince(
          {
            provinces: [p.code],
            database: url,
            mapping: p.mapping,
            port: at,
            assertionPublicKey: options.keys.assertionPublicKey,
            workflowPublicKey: options.keys.workflowPublicKey,
          },
          pdb,
        );
  const ports = new Map<string, number>();
  const urls = new Map<string, string>();
  const databases = new Map<string, ProvinceDatabase>();
  const provinces = new Map<string, RunningProvince>();
  let directory: RunningService | undefined;
  let sharing: SharingService | undefined;
  let gateway: RunningGateway | undefined;
  // A start that fails half-way stops what it started, so a failing test leaves nothing running.
  const stopAll = async () => {
    await gateway?.stop();
    await sharing?.stop();
    await Promise.all([...provinces.values()].map((s) => s.stop()));
    await directory?.stop();
    await Promise.all([...databases.values()].map((d) => d.close()));
  };
  try {
    directory = await startDirectory({ port: port(1), assertionPublicKey: options.keys.assertionPublicKey });
    let i = 0;
    for (const p of chosen) {
      const url = options.databases?.[p.code] ?? (options.dataDir ? `sqlite:${join(options.dataDir, `${p.code}.sqlite`)}` : 'sqlite::memory:');
      const pdb = await openProvinceDatabase(url, p.mapping, { init: true });
      databases.set(p.code, pdb);
      urls.set(p.code, url);
      if (!(await isSeeded(pdb))) {
        const started = Date.now();
        await seedProvince(pdb, generateProvince(p.code, options.scale));
        say(`seeded ${p.code} (${findProvince(p.code)!.name}, ${pdb.adapter.kind}) in ${Date.now() - started} ms`);
      }
      const service = await launch(p, url, port(101 + i++), pdb);
      provinces.set(p.code, service);
      ports.set(p.code, service.port);
    }

    sharing = await startSharing({
      database: options.sharingDatabase ?? (options.dataDir ? `sqlite:${join(options.dataDir, 'sharing.sqlite')}` : 'sqlite::memory:'),
      provinces: Object.fromEntries([...provinces.entries()].map(([code, s]) => [code, s.url])),
      assertionPublicKey: options.keys.assertionPublicKey,
      workflowPrivateKey: options.keys.workflowPrivateKey,
      port: port(2),
      saga: options.saga,
    });
    if (!(await isSharingSeeded(sharing.store))) {
      await seedSharingDemo(sharing.store, databases);
      say('seeded the sharing platform (rental companies, shared vehicles)');
      if (options.tripHistory) say(`seeded ${await seedTripHistory(sharing.store, databases)} past trips on the platform (2026-01 to 2026-11)`);
    }

    gateway = await startGateway({
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      port: options.basePort,
      subgraphUrls: { directory: directory.url, sharing: sharing.url },
      provinces: [...provinces.entries()].map(([code, s]) => ({ code, url: s.url })),
      subgraphTimeoutMs: options.subgraphTimeoutMs,
      redis: options.redis,
      auth: devAuth(options.keys),
      auditFile: options.auditFile ?? (options.dataDir ? join(options.dataDir, 'audit.sqlite') : undefined),
      responseCache: options.responseCache,
      persistedOperations: options.persistedOperations,
      rateLimit: options.rateLimit,
      adminToken: options.adminToken,
    });
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
  return {
    gateway: gateway!,
    directory: directory!,
    sharing: sharing!,
    provinces,
    databases,
    async stopProvince(code) {
      await provinces.get(code)?.stop();
      provinces.delete(code);
    },
    async restartProvince(code) {
      const p = chosen.find((x) => x.code === code)!;
      provinces.set(code, await launch(p, urls.get(code)!, ports.get(code)!, databases.get(code)));
    },
    stop: stopAll,
  };
}
