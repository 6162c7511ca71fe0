import { z } from 'zod';
import { findProvince } from '../../common/standards.js';
import { certificateProblem, pairProblem, privateKeyProblem } from '../../common/tls.js';
import { dialectOf } from '../../common/db/dialects.js';
import type { LocalSchemaMapping } from './db/mapping.js';

const provinceCode = z.string().refine((c) => findProvince(c) !== undefined, { message: 'not a GB/T 2260 provincial code' });
const columnObject = z.strictObject({
  column: z.string(),
  scale: z.number({ error: 'scale must be a number (standard value = local value x scale, e.g. 10000 for 万kWh), not a string' }).positive().optional(),
});
// A column is a name or { column, scale }: each form reports its own problems, never a bare "Invalid input".
const columnMapping = z.unknown().transform((value, ctx): string | z.infer<typeof columnObject> => {
  const parsed = (
    typeof value === 'string'
      ? z.string()
      : typeof value === 'object' && value !== null
        ? columnObject
        : z.string({ error: 'expected a column name, or { "column": NAME, "scale": NUMBER }' })
  ).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});
const tableMapping = z.strictObject({
  table: z.string().optional(),
  columns: z.record(z.string(), columnMapping).optional(),
  split: z.strictObject({ table: z.string(), key: z.string(), columns: z.array(z.string()) }).optional(),
});

const pem = (problem: (text: string) => string | undefined) =>
  z.string().superRefine((text, ctx) => {
    const found = problem(text);
    if (found) ctx.addIssue({ code: 'custom', message: `the value ${found}` });
  });
/** The HTTPS listener (PEM, as `assertionPublicKey`); with `requestClientCert`, only clients whose certificate `ca` signed get in. */
const tlsConfig = z
  .strictObject({ cert: pem(certificateProblem), key: pem(privateKeyProblem), ca: pem(certificateProblem).optional(), requestClientCert: z.boolean().optional() })
  .superRefine((t, ctx) => {
    if (t.requestClientCert && !t.ca) ctx.addIssue({ code: 'custom', path: ['ca'], message: 'requestClientCert needs ca, the CA that signs client certificates' });
    if (certificateProblem(t.cert) || privateKeyProblem(t.key)) return;
    const problem = pairProblem(t.cert, t.key);
    if (problem) ctx.addIssue({ code: 'custom', path: ['key'], message: problem });
  });

/** A local-schema mapping as a config file or XIETONG_MAPPING_FILE gives it (unknown keys refused). */
export const mappingSchema = z.record(z.string(), tableMapping);

/** Parses a mapping on its own (npm run seed --mapping), with one readable message listing every problem. */
export function parseMapping(input: unknown, source: string): LocalSchemaMapping {
  const result = mappingSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid mapping ${source}:\n${result.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  return result.data as LocalSchemaMapping;
}

/** Configuration of one province instance, validated at start-up. */
export const provinceConfigSchema = z.strictObject({
  /** The provinces whose rows the database holds: normally exactly one. */
  provinces: z.array(provinceCode).min(1),
  /** Database URL: `sqlite:PATH` (or `sqlite::memory:`), `postgres://…` or `mysql://…`. */
  database: z.string().refine((url) => {
    try {
      dialectOf(url);
      return true;
    } catch {
      return false;
    }
  }, 'expected sqlite:PATH, postgres://… or mysql://…'),
  /** Create the database (a SQLite file) and the standard tables when missing: a new province's first start (`--init`). Otherwise a missing one is refused. */
  init: z.boolean().default(false),
  /** How the local tables map to the standard; omitted tables use standard names and units. */
  mapping: mappingSchema.optional(),
  /** The gateway's public key (PEM) that verifies its assertions; requests without one get 401. */
  assertionPublicKey: z.string().includes('BEGIN PUBLIC KEY', {
    message: "expected the gateway's PEM public key: name its file in assertionPublicKeyFile (or XIETONG_ASSERTION_PUBLIC_KEY_FILE); npm run keys makes assertion-public.pem",
  }),
  /** The sharing service's public key (PEM): with it, the service may take 公物仓 transfer steps here (role WORKFLOW only). */
  workflowPublicKey: z.string().includes('BEGIN PUBLIC KEY', { message: 'expected a PEM public key' }).optional(),
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  /** Serve Prometheus metrics on this port of their own (plain HTTP, for the internal network); at /metrics of the main listener when omitted. */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** Serve HTTPS instead of HTTP (see common/tls.ts for the environment variables that fill it). */
  tls: tlsConfig.optional(),
});
/** A validated province configuration. */
export type ProvinceConfig = z.infer<typeof provinceConfigSchema> & { mapping?: LocalSchemaMapping };

/** Parses a province configuration, throwing one readable message listing every problem. */
export function parseProvinceConfig(input: unknown): ProvinceConfig {
  const result = provinceConfigSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid province configuration:\n${result.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  }
  return result.data as ProvinceConfig;
}
