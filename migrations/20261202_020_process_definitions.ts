// Frozen: each agency's process definition as immutable versions (the steps, their roles, the separation of duties,
// automatic delivery), and the role the dossier waits on now in the read model (the review queue lists by it).
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('process_definitions')
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull().references('users.username'))
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('process_definitions_pk', ['agency_code', 'version'])
    .execute();
  await db.schema.alterTable('dossiers').addColumn('awaiting_role', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dossiers').dropColumn('awaiting_role').execute();
  await db.schema.dropTable('process_definitions').execute();
}
