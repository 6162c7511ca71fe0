import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';

/**
 * What the tests need of a machine beyond `npm ci`, prepared from the administrative access a
 * machine of this project's kind has by itself (PostgreSQL trusting `postgres` on 127.0.0.1,
 * MariaDB's passwordless `root`, Debian's packages): the test role that may create and drop the
 * per-run `xt_*` databases, and Debian's Chromium with a CJK font for the browser tests.
 * Each step is idempotent and says whether it changed anything.
 */

/** The administrative access the preparation uses, and the role it makes. */
export interface TestEnvironment {
  postgresAdminUrl: string;
  mysqlAdminUrl: string;
  role: string;
  password: string;
}

/** The defaults of a machine of this kind (XIETONG_TEST_*_ADMIN_URL override them). */
export function defaultTestEnvironment(env: NodeJS.ProcessEnv = process.env): TestEnvironment {
  return {
    postgresAdminUrl: env.XIETONG_TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    mysqlAdminUrl: env.XIETONG_TEST_MYSQL_ADMIN_URL ?? 'mysql://root@127.0.0.1:3306/',
    role: 'xietong',
    password: 'xietong',
  };
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkRole(role: string): void {
  if (!ROLE_NAME.test(role)) throw new Error(`test role name "${role}" must be lower-case letters, digits and _`);
}

/** Creates the PostgreSQL login role (CREATEDB) when missing; whether it created it. */
export async function ensurePostgresRole(env: TestEnvironment): Promise<boolean> {
  checkRole(env.role);
  const client = new pg.Client({ connectionString: env.postgresAdminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [env.role]);
    if (rowCount) return false;
    // Role names and passwords cannot be bound parameters in DDL; the driver quotes them.
    await client.query(`CREATE ROLE ${client.escapeIdentifier(env.role)} LOGIN CREATEDB PASSWORD ${client.escapeLiteral(env.password)}`);
    return true;
  } finally {
    await client.end();
  }
}

/** Creates the MariaDB/MySQL user (localhost and 127.0.0.1) with every privilege on `xt\_%` and `xietong\_%` databases when missing; whether it created it. */
export async function ensureMysqlUser(env: TestEnvironment): Promise<boolean> {
  checkRole(env.role);
  const connection = await createConnection({ uri: env.mysqlAdminUrl.replace(/^mariadb:/, 'mysql:'), connectTimeout: 5000 });
  try {
    const [rows] = await connection.query('SELECT 1 FROM mysql.user WHERE User = ?', [env.role]);
    const created = (rows as unknown[]).length === 0;
    for (const host of ['localhost', '127.0.0.1']) {
      await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [env.role, host, env.password]);
      for (const pattern of ['xt\\_%', 'xietong\\_%']) await connection.query(`GRANT ALL PRIVILEGES ON ${connection.escapeId(pattern)}.* TO ?@?`, [env.role, host]);
    }
    return created;
  } finally {
    await connection.end();
  }
}

/** Removes a role made by {@link ensurePostgresRole} and {@link ensureMysqlUser} (the test of this module uses a throw-away one). */
export async function dropTestRole(env: TestEnvironment): Promise<void> {
  checkRole(env.role);
  const client = new pg.Client({ connectionString: env.postgresAdminUrl });
  await client.connect();
  await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(env.role)}`).finally(() => client.end());
  const connection = await createConnection({ uri: env.mysqlAdminUrl.replace(/^mariadb:/, 'mysql:') });
  try {
    for (const host of ['localhost', '127.0.0.1']) await connection.query('DROP USER IF EXISTS ?@?', [env.role, host]);
  } finally {
    await connection.end();
  }
}

/** Debian packages the browser tests need: the browser, and a font with Chinese glyphs. */
export const BROWSER_PACKAGES = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { name: 'fonts-wqy-zenhei', present: () => existsSync('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc') },
] as const;

/** Installs the missing browser packages from Debian's repositories (never a downloaded browser build); the ones it installed. */
export function ensureBrowserPackages(): string[] {
  const missing = BROWSER_PACKAGES.filter((p) => !p.present()).map((p) => p.name);
  if (!missing.length) return [];
  if (process.getuid?.() !== 0)
    throw new Error(`the browser tests need Debian packages ${missing.join(', ')}: install them (apt-get install ${missing.join(' ')}) or run the tests as root`);
  const apt = (args: string[]) => execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', ...missing]);
  return missing;
}
