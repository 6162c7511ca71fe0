/**
 * `npm run keys -- [--dir DIR]`: creates the key pairs a separate deployment needs, once (an
 * existing pair is kept): `assertion-*` (the gateway signs its calls to subgraphs; every subgraph
 * gets the public key), `workflow-*` (the sharing service's calls to provinces), and `token-*`
 * (development user tokens, key id `dev-1`, for `npm run token`; production tokens come from
 * your identity provider). Prints where each file is. DIR defaults to XIETONG_DEV_KEYS_DIR or
 * .xietong/keys.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_KEYS_DIR, DEV_TOKEN, ensureDevKeys } from '../demo/dev-keys.js';

let dir = DEV_KEYS_DIR;
try {
  dir = parseArgs({ options: { dir: { type: 'string' } } }).values.dir ?? DEV_KEYS_DIR;
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run keys -- [--dir DIR]`);
  process.exit(2);
}
ensureDevKeys(dir);
const at = (name: string) => join(dir, `${name}.pem`);
console.log(`keys in ${dir}:
  ${at('assertion-private')}  the gateway's (auth.assertionPrivateKeyFile, XIETONG_ASSERTION_PRIVATE_KEY_FILE)
  ${at('assertion-public')}   every subgraph's (assertionPublicKeyFile, XIETONG_ASSERTION_PUBLIC_KEY_FILE)
  ${at('workflow-private')}   the sharing service's (XIETONG_WORKFLOW_PRIVATE_KEY_FILE)
  ${at('workflow-public')}    every province's (workflowPublicKeyFile, XIETONG_WORKFLOW_PUBLIC_KEY_FILE)
  ${at('token-private')}      development tokens (npm run token)
  ${at('token-public')}       the gateway's token key (auth.publicKeyFiles: { "${DEV_TOKEN.kid}": … }, issuer "${DEV_TOKEN.issuer}", audience "${DEV_TOKEN.audience}")`);
