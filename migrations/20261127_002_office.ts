// Frozen: the seal keeper's office — seal and signature images, and every delivery attempt.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The current PNG image of an agency's seal (kind 'seal', owner = agency code) or of a signer's personal
  // signature (kind 'signature', owner = username); the file itself is in content-addressed storage.
  await db.schema
    .createTable('images')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('seal','signature')`))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('images_pk', ['kind', 'owner'])
    .execute();

  // One row per attempt to send an e-copy (first delivery, retries, re-sends), so the re-send screen and the
  // dossier's history can show each one; attempt_key makes a retried activity update its own row.
  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('attempt_key', 'text', (c) => c.notNull().unique())
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email','portal')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','sent','failed')`))
    .addColumn('error', 'text')
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Public verification finds a dossier by its e-copy's SHA-256.
  await sql`create index dossiers_sealed_sha256 on dossiers ((snapshot->'sealedPdf'->>'sha256'))`.execute(db);
  // The daily fee report reads a day's certifications.
  await db.schema.createIndex('register_entries_certified_at').on('register_entries').column('certified_at').execute();
  await db.schema.createIndex('delivery_attempts_code').on('delivery_attempts').columns(['dossier_code', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists dossiers_sealed_sha256`.execute(db);
  await sql`drop index if exists register_entries_certified_at`.execute(db);
  await db.schema.dropTable('delivery_attempts').ifExists().execute();
  await db.schema.dropTable('images').ifExists().execute();
}
