/**
 * `npm run token -- --role PROVINCE_ADMIN --province 320000 [--sub NAME] [--hours N]`: prints a
 * development token signed with the key `npm start` generated (.xietong/keys, never committed).
 */
import { parseArgs } from 'node:util';
import { isUserRole, USER_ROLES } from '../common/auth/principal.js';
import { devToken, ensureDevKeys } from '../demo/dev-keys.js';

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
console.log(devToken(ensureDevKeys(), { role: values.role, sub: values.sub, province: values.province, region: values.region, agency: values.agency }, Number(values.hours)));
