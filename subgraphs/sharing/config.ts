import { z } from 'zod';
import { findProvince } from '../../common/standards.js';
import { dialectOf } from '../../common/db/dialects.js';
import type { ClientTls, ServerTls } from '../../common/tls.js';
import { DEFAULT_SAGA, type SagaOptions } from './saga.js';

const pemOf = (marker: string) => z.string().includes(`BEGIN ${marker}`, { message: `expected a PEM ${marker.toLowerCase()}` });

/** Configuration of the sharing service, validated at start-up: unknown keys are refused. */
export const sharingConfigSchema = z.strictObject({
  /** `sqlite:PATH` (embedded default; one instance per file) or `postgres://…`. */
  database: z.string().refine((url) => {
    try {
      return dialectOf(url) !== 'mysql';
    } catch {
      return false;
    }
  }, 'expected sqlite:PATH or postgres://…'),
  /** The gateway's public key (PEM): requests without its assertion get 401. */
  assertionPublicKey: pemOf('PUBLIC KEY'),
  /** This service's own key (PEM), signing its WORKFLOW assertions to provinces. */
  workflowPrivateKey: pemOf('PRIVATE KEY'),
  /** The province instances the transfer saga and the vehicle platform call: code -> GraphQL URL. */
  provinces: z.record(
    z.string().refine((c) => findProvince(c) !== undefined, { message: 'not a GB/T 2260 provincial code' }),
    z.url(),
  ),
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  /** Serve Prometheus metrics on this port of their own (plain HTTP, for the internal network); at /metrics of the main listener when omitted. */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** Time limit of one province call, ms. */
  provinceTimeoutMs: z.number().int().positive().max(120_000).default(5000),
  /** Saga timing (defaults: DEFAULT_SAGA). */
  saga: z
    .strictObject({ pollMs: z.number().int().positive(), leaseMs: z.number().int().positive(), backoffMs: z.number().int().positive(), maxBackoffMs: z.number().int().positive() })
    .partial()
    .default({}),
});
/** A validated sharing configuration (TLS comes from the environment or the caller, as PEM). */
export type SharingConfig = Omit<z.infer<typeof sharingConfigSchema>, 'saga'> & { saga: SagaOptions; tls?: ServerTls; provinceTls?: ClientTls };

/** Parses a sharing configuration, throwing one readable message listing every problem. */
export function parseSharingConfig(input: unknown, tls?: { server?: ServerTls; provinces?: ClientTls }): SharingConfig {
  const result = sharingConfigSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid sharing configuration:\n${result.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  }
  return { ...result.data, saga: { ...DEFAULT_SAGA, ...result.data.saga }, tls: tls?.server, provinceTls: tls?.provinces };
}
