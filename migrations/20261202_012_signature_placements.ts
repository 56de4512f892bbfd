// Frozen: where each leader last placed the signature box on the attestation page (their default for the next
// dossier). The place used for a dossier is kept in its workflow and its history, not here.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signature_placements')
    .addColumn('username', 'text', (c) => c.primaryKey().references('users.username').onDelete('cascade'))
    .addColumn('x', 'double precision', (c) => c.notNull())
    .addColumn('y', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signature_placements').execute();
}
