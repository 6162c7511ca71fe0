/**
 * `npm run token -- --role PROVINCE_ADMIN --province 320000 [--sub NAME] [--hours N]`: prints a
 * development token signed with the key `npm start` generated (.xietong/keys, never committed).
 */
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { isUserRole, USER_ROLES } from '../common/auth/principal.js';
import { DEV_TOKEN, ensureDevKeys } from './dev-keys.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    province: { type: 'string' },
    region: { type: 'string' },
    agency: { type: 'string' },
    sub: { type: 'string' },
    hours: { type: 'string', default: '8' },
  },
});
if (!isUserRole(values.role)) {
  console.error(`--role must be one of ${USER_ROLES.filter((r) => r !== 'ANONYMOUS').join(', ')}`);
  process.exit(2);
}
const keys = ensureDevKeys();
const claims = { role: values.role, province: values.province, region: values.region, agency: values.agency };
console.log(
  jwt.sign(JSON.parse(JSON.stringify(claims)), keys.tokenPrivateKey, {
    algorithm: 'ES256',
    keyid: DEV_TOKEN.kid,
    issuer: DEV_TOKEN.issuer,
    audience: DEV_TOKEN.audience,
    subject: values.sub ?? `dev-${values.role.toLowerCase()}`,
    expiresIn: `${Number(values.hours)}h`,
  }),
);
