// Frozen: the versions of an issued e-copy (activities/archive-renewal.ts). Version 0 is the e-copy as issued (the
// dossier's sealedPdf), recorded with its timestamp facts the first time the renewal run reads it (previous_sha256
// ''), so later runs need not read the file again; each renewal appends a version made from the one before it,
// once: the unique (dossier_code, previous_sha256) makes a retried renewal find its version instead of adding another.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('ecopy_versions')
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('previous_sha256', 'text', (c) => c.notNull())
    // The new document timestamp: its time, its TSA, until when the TSA's certificate is valid and how it signs.
    .addColumn('timestamped_at', 'timestamptz', (c) => c.notNull())
    .addColumn('tsa_name', 'text', (c) => c.notNull())
    .addColumn('tsa_not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('tsa_algorithm', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ecopy_versions_pk', ['dossier_code', 'version'])
    .addUniqueConstraint('ecopy_versions_previous_uq', ['dossier_code', 'previous_sha256'])
    .execute();
  await db.schema.createIndex('ecopy_versions_sha256').on('ecopy_versions').column('sha256').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ecopy_versions').execute();
}
