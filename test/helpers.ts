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
