import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../common/subgraphs.js';

/** Development key pairs: user tokens, the gateway's assertions to subgraphs, the sharing service's assertions to provinces. */
export interface DevKeys {
  tokenPrivateKey: string;
  tokenPublicKey: string;
  assertionPrivateKey: string;
  assertionPublicKey: string;
  workflowPrivateKey: string;
  workflowPublicKey: string;
}

/** The issuer and audience of development tokens. */
export const DEV_TOKEN = { issuer: 'xietong-dev', audience: 'xietong', kid: 'dev-1' } as const;

/** Where `npm start` keeps its development keys (never committed: .xietong/ is git-ignored). */
export const DEV_KEYS_DIR = process.env.XIETONG_DEV_KEYS_DIR ?? join(REPO_ROOT, '.xietong', 'keys');

function pair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** New in-memory development keys (tests). */
export function generateDevKeys(): DevKeys {
  const [token, assertion, workflow] = [pair(), pair(), pair()];
  return {
    tokenPrivateKey: token.privateKey,
    tokenPublicKey: token.publicKey,
    assertionPrivateKey: assertion.privateKey,
    assertionPublicKey: assertion.publicKey,
    workflowPrivateKey: workflow.privateKey,
    workflowPublicKey: workflow.publicKey,
  };
}

/** Loads the development keys, generating them on first use. */
export function ensureDevKeys(dir = DEV_KEYS_DIR): DevKeys {
  const file = (name: string) => join(dir, `${name}.pem`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Pair by pair, so a key folder from an older version gains the pairs it lacks and keeps its own.
  for (const name of ['token', 'assertion', 'workflow']) {
    if (existsSync(file(`${name}-private`))) continue;
    const { privateKey, publicKey } = pair();
    writeFileSync(file(`${name}-private`), privateKey, { mode: 0o600 });
    writeFileSync(file(`${name}-public`), publicKey);
  }
  const read = (name: string) => readFileSync(file(name), 'utf8');
  return {
    tokenPrivateKey: read('token-private'),
    tokenPublicKey: read('token-public'),
    assertionPrivateKey: read('assertion-private'),
    assertionPublicKey: read('assertion-public'),
    workflowPrivateKey: read('workflow-private'),
    workflowPublicKey: read('workflow-public'),
  };
}

/** A development user token for a principal (sub defaults to dev-<role>), valid `hours`. */
export function devToken(keys: DevKeys, claims: { role: string; sub?: string; province?: string; region?: string; agency?: string }, hours = 12): string {
  const { sub, ...rest } = claims;
  return jwt.sign(JSON.parse(JSON.stringify(rest)), keys.tokenPrivateKey, {
    algorithm: 'ES256',
    keyid: DEV_TOKEN.kid,
    issuer: DEV_TOKEN.issuer,
    audience: DEV_TOKEN.audience,
    subject: sub ?? `dev-${claims.role.toLowerCase()}`,
    expiresIn: `${hours}h`,
  });
}
