// Frozen: a remote signing credential whose certificate names someone else than the leader waits, as an uploaded
// certificate does, for an administrator's approval (and is not used until then); the warnings shown to them.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('remote_signers')
    .addColumn('needs_approval', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('remote_signers').dropColumn('needs_approval').dropColumn('approved_by').dropColumn('approved_at').dropColumn('warnings').execute();
}
