import { Kysely, sql } from 'kysely';
import { createAdapter, dialectOf, type DialectKind } from '../common/db/dialects.js';

/**
 * Creating and dropping per-province databases on a server, for the demo topology and tests.
 * `serverUrl` connects as a user allowed to create databases (any database on the server).
 */

/** The URL of database `name` on the server `serverUrl` points at. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withServer<R>(serverUrl: string, work: (db: Kysely<unknown>, kind: DialectKind) => Promise<R>): Promise<R> {
  const adapter = createAdapter(serverUrl, { poolSize: 1 });
  const db = new Kysely<unknown>({ dialect: adapter.dialect });
  try {
    return await work(db, adapter.kind);
  } finally {
    await db.destroy();
  }
}

/** Creates database `name` unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  if (dialectOf(serverUrl) === 'sqlite') throw new Error('SQLite databases are files; nothing to create');
  await withServer(serverUrl, async (db, kind) => {
    if (kind === 'mysql') {
      await sql`create database if not exists ${sql.id(name)} character set utf8mb4 collate utf8mb4_bin`.execute(db);
      return;
    }
    const exists = await sql<{ n: number }>`select count(*) as n from pg_database where datname = ${name}`.execute(db);
    if (Number(exists.rows[0].n) === 0) await sql`create database ${sql.id(name)}`.execute(db);
  });
  return databaseUrl(serverUrl, name);
}

/** Drops database `name` if it exists (PostgreSQL: disconnecting its sessions first). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withServer(serverUrl, async (db, kind) => {
    if (kind === 'postgres') await sql`drop database if exists ${sql.id(name)} with (force)`.execute(db);
    else await sql`drop database if exists ${sql.id(name)}`.execute(db);
  });
}
