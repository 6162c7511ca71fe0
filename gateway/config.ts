import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readClientTls, subgraphTlsFilesFromEnvironment, type ClientTls, type ClientTlsFiles } from '../common/tls.js';
import { findProvince } from '../common/standards.js';
import type { TokenConfig } from './auth/tokens.js';
import { readManifest, type Manifest } from './persisted/manifest.js';

/** A per-caller budget: points per window for a subject, and for an anonymous client address. */
const budget = z.strictObject({ points: z.number().int().positive(), anonymousPoints: z.number().int().positive(), windowSeconds: z.number().int().positive() }).partial();

const configSchema = z.strictObject({
  /** Subgraphs whose instances are province shards. */
  shardedSubgraphs: z.array(z.string()).default(['province']),
  /** Subgraphs whose data changes without writes through the gateway: never cached. */
  liveSubgraphs: z.array(z.string()).default(['sharing']),
  /** Prometheus metrics on a port of their own (plain HTTP, internal network); /metrics of the main listener when omitted. */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** Registered province instances. */
  provinces: z.array(z.strictObject({ code: z.string().refine((c) => findProvince(c) !== undefined, 'not a GB/T 2260 provincial code'), url: z.string().url() })).default([]),
  /** URL overrides for non-sharded subgraphs, by subgraph name. */
  subgraphUrls: z.record(z.string(), z.string().url()).default({}),
  /** Time limit of one subgraph or province request. */
  subgraphTimeoutMs: z.number().int().positive().default(5000),
  /** Origins whose pages may call the gateway from a browser (a dashboard on another host); none by default. */
  corsOrigins: z
    .array(
      z.string().refine(
        (o) => {
          try {
            const u = new URL(o);
            return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o;
          } catch {
            return false;
          }
        },
        { error: (issue) => `${String(issue.input)} is not an origin: scheme://host[:port], no path or trailing slash` },
      ),
    )
    .default([]),
  /** A breakdown group with fewer agencies outside the caller's own rows is withheld (small-cell suppression). */
  breakdownMinAgencies: z.number().int().min(1).default(3),
  /** The most rows one CSV or XLSX export writes; a list with more is refused (narrow the filter). */
  exportMaxRows: z.number().int().min(1).max(1_000_000).default(100_000),
  /** How often the regions are read from the directory (which owns them). */
  regionsPollMs: z.number().int().min(100).default(5000),
  /** Shared state for replicas: one node by URL, or the nodes of a Redis Cluster. */
  redis: z
    .union([
      z.strictObject({ url: z.string().regex(/^rediss?:\/\//, 'expected redis://…') }),
      z.strictObject({ cluster: z.array(z.strictObject({ host: z.string(), port: z.number().int() })).min(1) }),
    ])
    .optional(),
  redisPrefix: z.string().default('xietong:'),
  /** User tokens: pinned issuer, audience and asymmetric algorithms; keys from PEM files (by kid) or a JWKS URL. */
  auth: z
    .strictObject({
      issuer: z.string().min(1),
      audience: z.string().min(1),
      algorithms: z
        .array(z.enum(['ES256', 'RS256']))
        .min(1)
        .default(['ES256', 'RS256']),
      publicKeyFiles: z.record(z.string(), z.string()).optional(),
      jwksUrl: z.string().url().optional(),
      /** The gateway's private key (PEM file) for its assertions to subgraphs. */
      assertionPrivateKeyFile: z.string().min(1),
    })
    .refine((a) => a.publicKeyFiles || a.jwksUrl, { message: 'give publicKeyFiles or jwksUrl' }),
  /** The persisted-operation manifest; `safelist: true` lets non-exploring roles run only its operations. */
  persistedOperations: z.strictObject({ manifestFile: z.string(), safelist: z.boolean().default(false) }).optional(),
  /** Response cache; the TTL bounds how long a write made directly to a province database stays unseen. */
  responseCache: z
    .strictObject({
      ttlSeconds: z.number().positive().default(10),
      maxEntries: z.number().int().positive().default(5000),
      /** Bound on the cached answers one process holds, and on its cached subgraph answers, bytes (default 64 MiB). */
      maxBytes: z.number().int().positive().optional(),
      /** Answers and subgraph answers larger than this are not cached, bytes (default 1 MiB). */
      maxEntryBytes: z.number().int().positive().optional(),
      dataVersionPollMs: z.number().int().min(100).default(1000),
    })
    .optional(),
  /** SQLite file of the audit trail (default: the Redis stream when Redis is configured). */
  auditFile: z.string().optional(),
  /** Without Redis: the file that keeps admin-API registrations across restarts (default registry.json beside auditFile). */
  registryFile: z.string().min(1).optional(),
  /** Enables POST/DELETE /admin/provinces with this bearer token (at least 24 characters). */
  adminToken: z.string().min(24).optional(),
  /** Per-caller budgets of requests and of province aggregate scans (README: Fair use); off when absent, `{}` for the defaults. */
  rateLimit: z.strictObject({ requests: budget.optional(), provinceScans: budget.optional() }).optional(),
  /** Circuit breaker and concurrency limit per province. */
  provinceGuard: z
    .strictObject({
      failuresToOpen: z.number().int().positive(),
      halfOpenAfterMs: z.number().int().positive(),
      maxConcurrent: z.number().int().positive(),
      maxQueued: z.number().int().min(0),
    })
    .partial()
    .optional(),
  /** Time limits of clients sending their requests. */
  slowClient: z.strictObject({ headersMs: z.number().int().positive(), requestMs: z.number().int().positive() }).partial().optional(),
  /** Cap of the Redis audit stream. */
  auditRetention: z.strictObject({ maxEvents: z.number().int().positive() }).optional(),
  /** Subgraph and province calls over TLS: only this CA is trusted; the client certificate is presented (mutual TLS). */
  tls: z
    .strictObject({ caFile: z.string().min(1), clientCertFile: z.string().min(1).optional(), clientKeyFile: z.string().min(1).optional() })
    .refine((t) => Boolean(t.clientCertFile) === Boolean(t.clientKeyFile), { message: 'give clientCertFile and clientKeyFile together, or neither' })
    .optional(),
});

/** The gateway's validated start-up configuration. */
export interface GatewayCliConfig extends Omit<z.infer<typeof configSchema>, 'auth' | 'persistedOperations' | 'tls'> {
  persistedOperations?: { manifest: Manifest; safelist: boolean };
  supergraphSdl: string;
  port: number;
  host: string;
  auth: { tokens: TokenConfig; assertionPrivateKey: string };
  tls?: ClientTls;
}

/** Reads `--supergraph FILE --port N [--host H] [--config FILE]`, failing with one clear message. */
export function readGatewayConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): GatewayCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: { supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' } },
  });
  if (!values.supergraph) throw new Error('--supergraph FILE is required (a Federation 2 supergraph SDL; `npm run compose` writes schema/supergraph.graphql)');
  const port = Number(values.port ?? env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a TCP port number, got "${values.port}"`);
  const raw = values.config ? readConfigFile(values.config) : {};
  // The admin token is a secret: it may come from the environment instead of the file.
  const parsed = configSchema.safeParse({
    ...raw,
    adminToken: raw.adminToken ?? env.XIETONG_ADMIN_TOKEN,
    redis: raw.redis ?? (env.XIETONG_REDIS_URL ? { url: env.XIETONG_REDIS_URL } : undefined),
    metricsPort: raw.metricsPort ?? (env.XIETONG_METRICS_PORT ? Number(env.XIETONG_METRICS_PORT) : undefined),
    auth: { ...authFromEnvironment(env), ...(raw.auth ?? {}) },
    persistedOperations:
      raw.persistedOperations ??
      (env.XIETONG_PERSISTED_OPERATIONS_FILE ? { manifestFile: env.XIETONG_PERSISTED_OPERATIONS_FILE, safelist: env.XIETONG_SAFELIST === 'true' } : undefined),
  });
  if (!parsed.success) {
    throw new Error(`invalid gateway configuration ${values.config}:\n${parsed.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  }
  const { auth, persistedOperations, tls: tlsFiles, ...rest } = parsed.data;
  const tls = readClientTls(tlsFiles ? fileTls(tlsFiles) : subgraphTlsFilesFromEnvironment(env));
  if (tls) refusePlainUrls(rest, tlsFiles ? 'tls.caFile' : 'XIETONG_SUBGRAPH_CA_FILE');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new Error(`cannot read ${what} ${file}`);
    }
  };
  return {
    ...rest,
    auth: {
      tokens: {
        issuer: auth.issuer,
        audience: auth.audience,
        algorithms: auth.algorithms,
        jwksUrl: auth.jwksUrl,
        publicKeys: auth.publicKeyFiles ? Object.fromEntries(Object.entries(auth.publicKeyFiles).map(([kid, file]) => [kid, read(file, 'token public key')])) : undefined,
      },
      assertionPrivateKey: read(auth.assertionPrivateKeyFile, 'assertion private key'),
    },
    persistedOperations: persistedOperations ? { manifest: readManifest(persistedOperations.manifestFile), safelist: persistedOperations.safelist } : undefined,
    ...(tls ? { tls } : {}),
    supergraphSdl: read(values.supergraph, 'supergraph'),
    port,
    host: values.host ?? '0.0.0.0',
  };
}

/** The config file's JSON, or an error naming the file and what is wrong with it. */
function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`the config file ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** Auth settings from the environment (XIETONG_JWT_*, XIETONG_JWKS_URL, XIETONG_ASSERTION_PRIVATE_KEY_FILE). */
function authFromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      issuer: env.XIETONG_JWT_ISSUER,
      audience: env.XIETONG_JWT_AUDIENCE,
      publicKeyFiles: env.XIETONG_JWT_PUBLIC_KEY_FILE ? { [env.XIETONG_JWT_KEY_ID ?? 'default']: env.XIETONG_JWT_PUBLIC_KEY_FILE } : undefined,
      jwksUrl: env.XIETONG_JWKS_URL,
      assertionPrivateKeyFile: env.XIETONG_ASSERTION_PRIVATE_KEY_FILE,
    }),
  );
}

/** The config file's `tls` block as files named by their keys. */
function fileTls(t: { caFile: string; clientCertFile?: string; clientKeyFile?: string }): ClientTlsFiles {
  return {
    ca: { file: t.caFile, name: 'tls.caFile' },
    ...(t.clientCertFile ? { cert: { file: t.clientCertFile, name: 'tls.clientCertFile' } } : {}),
    ...(t.clientKeyFile ? { key: { file: t.clientKeyFile, name: 'tls.clientKeyFile' } } : {}),
  };
}

// With TLS configured, a plain http:// URL would still be called, unencrypted and unauthenticated: refuse it.
function refusePlainUrls(config: { provinces: { code: string; url: string }[]; subgraphUrls: Record<string, string> }, setBy: string): void {
  const plain = [
    ...config.provinces.map((p, i) => [`provinces.${i}.url (${p.code})`, p.url]),
    ...Object.entries(config.subgraphUrls).map(([name, url]) => [`subgraphUrls.${name}`, url]),
  ].filter(([, url]) => !url.startsWith('https:'));
  if (plain.length) {
    throw new Error(`subgraph TLS is configured (${setBy}), so every subgraph URL must be https://; these are not:\n${plain.map(([key, url]) => `- ${key}: ${url}`).join('\n')}`);
  }
}
