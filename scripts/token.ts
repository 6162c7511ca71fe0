/**
 * `npm run token -- --role PROVINCE_ADMIN --province 320000 [--sub NAME] [--hours N]`: prints a
 * development token signed with the key `npm start` generated (.xietong/keys, never committed).
 */
import { parseArgs } from 'node:util';
import { isUserRole, USER_ROLES } from '../common/auth/principal.js';
import { devToken, ensureDevKeys } from '../demo/dev-keys.js';

const USAGE = `usage: npm run token -- --role ROLE [--province CODE] [--region CODE] [--agency ID] [--sub NAME] [--hours N]
ROLE is one of ${USER_ROLES.filter((r) => r !== 'ANONYMOUS').join(', ')}`;

function options() {
  try {
    return parseArgs({
      options: {
        role: { type: 'string' },
        province: { type: 'string' },
        region: { type: 'string' },
        agency: { type: 'string' },
        sub: { type: 'string' },
        hours: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    // An unknown option or a missing value: say so and how to call, without a stack trace.
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!isUserRole(values.role)) {
  console.error(`--role must be one of ${USER_ROLES.filter((r) => r !== 'ANONYMOUS').join(', ')}`);
  process.exit(2);
}
console.log(devToken(ensureDevKeys(), { role: values.role, sub: values.sub, province: values.province, region: values.region, agency: values.agency }, Number(values.hours)));
