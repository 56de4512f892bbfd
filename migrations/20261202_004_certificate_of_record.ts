// Frozen: which certificate signed each signed file and each register entry (its SHA-256 and holder), so the
// register and the dossier's history name the leader's and the seal's certificate (issue 9).
import { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dossier_files')
    .addColumn('certificate_fingerprint', 'text')
    .addColumn('certificate_holder', 'text')
    .execute();
  await db.schema.alterTable('register_entries')
    .addColumn('signer_certificate', 'text')
    .addColumn('seal_certificate', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('register_entries').dropColumn('signer_certificate').dropColumn('seal_certificate').execute();
  await db.schema.alterTable('dossier_files').dropColumn('certificate_fingerprint').dropColumn('certificate_holder').execute();
}
