// An empty PostgreSQL database of a test's own on the shared (or a given) server: its URL, and how to drop it.
import crypto from 'node:crypto';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from '../../migrations/index.js';

export async function createTestDatabase(adminUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try { await admin.query(`create database ${name}`); } finally { await admin.end(); }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try { await a.query(`drop database if exists ${name}`); } finally { await a.end(); }
    },
  };
}

/**
 * A migration test's own database on the shared server, migrated up to `upTo` (the migration before the one under
 * test): the database, a migrator to go on (or back) with, and `close` for afterAll.
 */
export async function databaseMigratedTo(adminUrl: string, upTo: string) {
  const { url, drop } = await createTestDatabase(adminUrl, `t_mig_${crypto.randomBytes(4).toString('hex')}`);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
  const migrator = () => new Migrator({ db, provider: migrationProvider });
  const { error } = await migrator().migrateTo(upTo);
  if (error) throw error;
  return { db, migrator, close: async () => { await db.destroy(); await drop(); } };
}
