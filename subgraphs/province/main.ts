/**
 * Entry point of one province instance, configured either by a JSON file
 * (`node dist/subgraphs/province/main.js CONFIG.json [--init]`) or by the environment:
 * XIETONG_PROVINCE, XIETONG_DATABASE_URL, PORT, HOST, XIETONG_MAPPING_FILE (a JSON mapping),
 * XIETONG_ASSERTION_PUBLIC_KEY_FILE (the gateway's public key), XIETONG_WORKFLOW_PUBLIC_KEY_FILE
 * (the sharing service's, for 公物仓 transfers), XIETONG_INIT=true (as --init: create the
 * database and standard tables when missing) and XIETONG_SEED_DEMO=true to fill an empty database
 * with demo data. Under a config file, the key files may be named in it (`assertionPublicKeyFile`,
 * `workflowPublicKeyFile`) or by the same variables, and PORT and HOST apply when it has no
 * port or host. XIETONG_TLS_* (common/tls.ts) serve HTTPS, also under a config file without its own `tls`.
 */
import { FULL_SCALE, generateProvince } from './seed/generator.js';
import { isSeeded, seedProvince } from './seed/seed.js';
import { startProvince } from './server.js';
import { openProvinceDatabase } from './db/database.js';
import { parseProvinceConfig } from './config.js';
import { provinceConfigInput } from './config-file.js';
import { startTracing } from '../../common/tracing-setup.js';
import { stopWithParent } from '../../common/parent-link.js';

const tracing = await startTracing(`xietong-province-${process.env.XIETONG_PROVINCE ?? ''}`.replace(/-$/, ''));
let service;
try {
  // Key files are easier to protect than PEM pasted into JSON, so the variables serve a config file too.
  const config = parseProvinceConfig(provinceConfigInput(process.argv.slice(2)));
  const database = await openProvinceDatabase(config.database, config.mapping, { init: config.init });
  if (process.env.XIETONG_SEED_DEMO === 'true' && !(await isSeeded(database))) {
    for (const code of config.provinces) await seedProvince(database, generateProvince(code, FULL_SCALE));
  }
  service = await startProvince(config, database, { processMetrics: true });
  const stop = service.stop;
  service.stop = async () => {
    await stop();
    await database.close();
  };
} catch (error) {
  console.error(`xietong province: ${(error as Error).message}`);
  process.exit(2);
}
// Once, however many of Ctrl-C, SIGTERM and the parent's going ask for it.
let stopping: Promise<void> | undefined;
const shutdown = () =>
  void (stopping ??= service
    .stop()
    .then(() => tracing?.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`xietong province: stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    ));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Started by `npm start` (demo/province-process.ts): a parent that dies hard takes its provinces with it.
stopWithParent(shutdown);
