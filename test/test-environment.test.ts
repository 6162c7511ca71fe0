import { afterAll, describe, expect, it } from '@jest/globals';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { defaultTestEnvironment, dropTestRole, ensureMysqlUser, ensurePostgresRole } from '../scripts/test-environment.js';

// The fresh-machine path of `npm test`: the preparation step, run for a throw-away role that
// does not exist yet, creates it on both servers, and a second run changes nothing.
const env = { ...defaultTestEnvironment(), role: `xt_prep_${process.pid}`, password: `pw-${Date.now()}` };
afterAll(() => dropTestRole(env));

describe('the test command prepares a fresh machine', () => {
  it('creates the PostgreSQL role, which may then create and drop its databases', async () => {
    expect(await ensurePostgresRole(env)).toBe(true);
    expect(await ensurePostgresRole(env)).toBe(false);
    const url = new URL(env.postgresAdminUrl);
    const client = new pg.Client({ host: url.hostname, port: Number(url.port || 5432), user: env.role, password: env.password, database: 'postgres' });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${env.role}_db`);
      await client.query(`DROP DATABASE ${env.role}_db`);
    } finally {
      await client.end();
    }
  });

  it('creates the MariaDB user, which may then create and drop xt_ databases only', async () => {
    expect(await ensureMysqlUser(env)).toBe(true);
    expect(await ensureMysqlUser(env)).toBe(false);
    const url = new URL(env.mysqlAdminUrl.replace(/^mariadb:/, 'mysql:'));
    const connection = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: env.role, password: env.password });
    try {
      await connection.query(`CREATE DATABASE \`xt_${env.role}\``);
      await connection.query(`DROP DATABASE \`xt_${env.role}\``);
      await expect(connection.query('CREATE DATABASE `other_prep_test`')).rejects.toThrow(/denied/i);
    } finally {
      await connection.end();
    }
  });

  it('refuses a role name that is not a plain identifier', async () => {
    await expect(ensurePostgresRole({ ...env, role: 'x"; DROP ROLE postgres; --' })).rejects.toThrow(/lower-case/);
  });
});
