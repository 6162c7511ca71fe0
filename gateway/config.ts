import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const configSchema = z.object({
  /** Subgraphs whose instances are province shards. */
  shardedSubgraphs: z.array(z.string()).default(['province']),
  /** Registered province instances. */
  provinces: z.array(z.object({ code: z.string().regex(/^\d{6}$/), url: z.string().url() })).default([]),
  /** URL overrides for non-sharded subgraphs, by subgraph name. */
  subgraphUrls: z.record(z.string(), z.string().url()).default({}),
  provinceTimeoutMs: z.number().int().positive().default(5000),
  /** Shared state for replicas: one node by URL, or the nodes of a Redis Cluster. */
  redis: z.union([z.object({ url: z.string().regex(/^rediss?:\/\//, 'expected redis://…') }), z.object({ cluster: z.array(z.object({ host: z.string(), port: z.number().int() })).min(1) })]).optional(),
  redisPrefix: z.string().default('xietong:'),
  /** Enables POST/DELETE /admin/provinces with this bearer token (at least 24 characters). */
  adminToken: z.string().min(24).optional(),
});

/** The gateway's validated start-up configuration. */
export interface GatewayCliConfig extends z.infer<typeof configSchema> {
  supergraphSdl: string;
  port: number;
  host: string;
}

/** Reads `--supergraph FILE --port N [--host H] [--config FILE]`, failing with one clear message. */
export function readGatewayConfig(argv: string[]): GatewayCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: { supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' } },
  });
  if (!values.supergraph) throw new Error('--supergraph FILE is required (a Federation 2 supergraph SDL; `npm run compose` writes schema/supergraph.graphql)');
  const port = Number(values.port ?? process.env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a TCP port number, got "${values.port}"`);
  const raw = values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : {};
  // The admin token is a secret: it may come from the environment instead of the file.
  const parsed = configSchema.safeParse({
    ...raw,
    adminToken: raw.adminToken ?? process.env.XIETONG_ADMIN_TOKEN,
    redis: raw.redis ?? (process.env.XIETONG_REDIS_URL ? { url: process.env.XIETONG_REDIS_URL } : undefined),
  });
  if (!parsed.success) {
    throw new Error(`invalid gateway configuration ${values.config}:\n${parsed.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  }
  return { ...parsed.data, supergraphSdl: readFileSync(values.supergraph, 'utf8'), port, host: values.host ?? '0.0.0.0' };
}
