// An empty PostgreSQL database of a test's own on the shared (or a given) server: its URL, and how to drop it.
import pg from 'pg';

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
