import { startDemoStack, type DemoStack } from '../scripts/demo-stack.js';
import { DEMO_PROVINCES } from '../scripts/demo-topology.js';
import { openProvinceDatabase, type ProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, type DemoScale } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince, type ProvinceService } from '../subgraphs/province/server.js';

/** A GraphQL response as tests read it. */
export interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** Posts a GraphQL operation to a URL. */
export async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<Result> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as Result;
}

/** Starts the demo stack on ephemeral ports with in-memory databases. */
export function startTestStack(scale: DemoScale, provinces?: string[], provinceTimeoutMs = 3000): Promise<DemoStack> {
  return startDemoStack({ scale, basePort: 0, provinces, provinceTimeoutMs });
}

/**
 * One province instance over ONE database holding every listed province's data in the
 * standard layout: the reference a sharded answer must equal.
 */
export async function startCombinedReference(scale: DemoScale, provinces = DEMO_PROVINCES.map((p) => p.code)): Promise<ProvinceService & { pdb: ProvinceDatabase }> {
  const pdb = await openProvinceDatabase('sqlite::memory:');
  for (const code of provinces) await seedProvince(pdb, generateProvince(code, scale));
  const service = await startProvince({ provinces, database: 'sqlite::memory:' }, pdb);
  const stopService = service.stop;
  return Object.assign(service, {
    pdb,
    async stop() {
      await stopService();
      await pdb.close();
    },
  });
}

/** The PostgreSQL server the tests use (a role that may create databases). */
export const TEST_POSTGRES_URL = process.env.XIETONG_TEST_POSTGRES_URL ?? 'postgres://xietong:xietong@127.0.0.1:5432/postgres';
/** The MariaDB/MySQL server the tests use (a user that may create `xt_%` databases). */
export const TEST_MYSQL_URL = process.env.XIETONG_TEST_MYSQL_URL ?? 'mysql://xietong:xietong@127.0.0.1:3306/';

/** Which server each demo province uses in the mixed topology. */
export const MIXED_TOPOLOGY: Record<string, 'postgres' | 'mysql' | 'sqlite'> = {
  '310000': 'postgres', '320000': 'postgres', '110000': 'postgres', '500000': 'postgres',
  '330000': 'mysql', '120000': 'mysql', '510000': 'mysql',
  '340000': 'sqlite', '130000': 'sqlite',
};

/**
 * Starts the demo stack with provinces spread over PostgreSQL, MariaDB and SQLite, each in a
 * fresh database of its own (dropped again by `stop`).
 */
export async function startMixedStack(scale: DemoScale, provinces = Object.keys(MIXED_TOPOLOGY), provinceTimeoutMs = 3000): Promise<DemoStack> {
  const { ensureDatabase, dropDatabase } = await import('../scripts/databases.js');
  const run = `xt_${process.pid}_${Date.now().toString(36)}`;
  const databases: Record<string, string> = {};
  const created: [string, string][] = [];
  for (const code of provinces) {
    const kind = MIXED_TOPOLOGY[code];
    if (kind === 'sqlite') continue;
    const server = kind === 'postgres' ? TEST_POSTGRES_URL : TEST_MYSQL_URL;
    databases[code] = await ensureDatabase(server, `${run}_${code}`);
    created.push([server, `${run}_${code}`]);
  }
  const stack = await startDemoStack({ scale, basePort: 0, provinces, provinceTimeoutMs, databases });
  const stop = stack.stop;
  stack.stop = async () => {
    await stop();
    for (const [server, name] of created) await dropDatabase(server, name);
  };
  return stack;
}
