// Frozen: who signs for an agency (issue 13 point 2). `head_username`: the head, who signs in the head's own title;
// `collective_name`: the collective body a commune signs for ("TM. Ủy ban nhân dân"). Planned delegations: a signer
// signs for the head ("KT." or "TL.") during a period, recorded and revocable, never deleted.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agencies')
    .addColumn('head_username', 'text', (c) => c.references('users.username'))
    .addColumn('collective_name', 'text')
    .execute();
  await db.schema.createTable('signing_delegations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('deputy_username', 'text', (c) => c.notNull().references('users.username'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('KT', 'TL')`))
    .addColumn('from_day', 'text', (c) => c.notNull())
    .addColumn('to_day', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema.createIndex('signing_delegations_agency').on('signing_delegations').columns(['agency_code', 'to_day']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signing_delegations').execute();
  await db.schema.alterTable('agencies').dropColumn('head_username').dropColumn('collective_name').execute();
}
