// Frozen: a create request's reservation keeps the workflow's whole input, so a repeat of a request that died
// after reserving its dossier code starts the same workflow with the same arguments (api/dossiers.ts `create`).
import { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('create_requests').addColumn('dossier_input', 'jsonb').execute();
  await db.schema.alterTable('create_requests').addUniqueConstraint('create_requests_dossier_code_uq', ['dossier_code']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('create_requests').dropConstraint('create_requests_dossier_code_uq').execute();
  await db.schema.alterTable('create_requests').dropColumn('dossier_input').execute();
}
