import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { serverTlsFromEnvironment } from '../../common/tls.js';

/** JSON text, or an error naming the file. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/** The configuration the environment gives when no file is named. */
function configFromEnvironment(env: NodeJS.ProcessEnv): unknown {
  if (!env.XIETONG_PROVINCE || !env.XIETONG_DATABASE_URL) {
    throw new Error('pass a CONFIG.json path, or set XIETONG_PROVINCE and XIETONG_DATABASE_URL (see README: How a province joins)');
  }
  return {
    provinces: [env.XIETONG_PROVINCE],
    database: env.XIETONG_DATABASE_URL,
    port: env.PORT ? Number(env.PORT) : 4100,
    host: env.HOST ?? '0.0.0.0',
    ...(env.XIETONG_MAPPING_FILE ? { mapping: parseJson(readFile(env.XIETONG_MAPPING_FILE, 'XIETONG_MAPPING_FILE'), env.XIETONG_MAPPING_FILE) } : {}),
  };
}

/** A file's text, or an error naming the setting that pointed to it. */
function readFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${setting} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * A province's configuration as given: the config file named in `argv` (or the environment's
 * variables), with key files read, PORT/HOST applied when it sets none, and `--init`. The result
 * goes to parseProvinceConfig, which refuses what it does not know.
 */
export function provinceConfigInput(argv: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { init: { type: 'boolean' } } });
  const file = positionals[0];
  const raw = (file ? parseJson(readFile(file, 'config file'), file) : configFromEnvironment(env)) as Record<string, unknown>;
  const { assertionPublicKeyFile, workflowPublicKeyFile, ...config } = raw;
  if (file && env.XIETONG_MAPPING_FILE) {
    if (config.mapping !== undefined) throw new Error(`the mapping is given twice: in ${file} and in XIETONG_MAPPING_FILE; keep one`);
    config.mapping = parseJson(readFile(env.XIETONG_MAPPING_FILE, 'XIETONG_MAPPING_FILE'), env.XIETONG_MAPPING_FILE);
  }
  const keyFile = (named: unknown, variable: string) => (typeof named === 'string' ? [named, `${file}: the key file`] : env[variable] ? [env[variable]!, variable] : undefined);
  const assertionKey = keyFile(assertionPublicKeyFile, 'XIETONG_ASSERTION_PUBLIC_KEY_FILE');
  const workflowKey = keyFile(workflowPublicKeyFile, 'XIETONG_WORKFLOW_PUBLIC_KEY_FILE');
  return {
    ...config,
    ...(config.assertionPublicKey === undefined ? { assertionPublicKey: assertionKey ? readFile(assertionKey[0], assertionKey[1]) : '' } : {}),
    ...(config.workflowPublicKey === undefined && workflowKey ? { workflowPublicKey: readFile(workflowKey[0], workflowKey[1]) } : {}),
    ...(config.port === undefined && env.PORT ? { port: Number(env.PORT) } : {}),
    ...(config.host === undefined && env.HOST ? { host: env.HOST } : {}),
    ...(values.init || env.XIETONG_INIT === 'true' ? { init: true } : {}),
    tls: config.tls ?? serverTlsFromEnvironment(),
    ...(config.metricsPort === undefined && env.XIETONG_METRICS_PORT ? { metricsPort: Number(env.XIETONG_METRICS_PORT) } : {}),
  };
}
