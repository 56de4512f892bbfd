// Frozen: server-side sessions (express-session's connect-pg-simple store) and the API tokens issued, so that
// logging out, or deactivating a user, ends them at once.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The columns connect-pg-simple reads and writes (its table.sql), with jsonb and timestamptz.
  await db.schema
    .createTable('sessions')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('sess', 'jsonb', (c) => c.notNull())
    .addColumn('expire', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expire_idx').on('sessions').column('expire').execute();
  // Ending a person's sessions finds them by the staff user (uid) or the portal account (pid) they carry.
  await sql`create index sessions_uid_idx on sessions ((sess->>'uid')) where sess ? 'uid'`.execute(db);
  await sql`create index sessions_pid_idx on sessions ((sess->>'pid')) where sess ? 'pid'`.execute(db);

  // One row per bearer token issued (its id is in the signed token): a token without its row is refused.
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_tokens_subject_idx').on('api_tokens').column('subject').execute();
  await db.schema.createIndex('api_tokens_expires_idx').on('api_tokens').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute();
  await db.schema.dropTable('sessions').execute();
}
