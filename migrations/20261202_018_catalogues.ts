// Frozen: catalogues of the administration. A document type is deactivated, never deleted (dossiers and
// appointments keep its code and name): `active` says whether it is still offered for new dossiers and bookings.
import { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('document_types').addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('document_types').dropColumn('active').execute();
}
