// Frozen: the audit of administration also records what citizens do (an appointment booked or cancelled from their
// portal account), so its actor is no longer always a staff account: the foreign key to users goes, and each row
// says which kind of account acted (staff: users.username, citizen: portal_accounts.username).
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('admin_events').dropConstraint('admin_events_actor_fkey').execute();
  await db.schema.alterTable('admin_events')
    .addColumn('actor_kind', 'text', (c) => c.notNull().defaultTo('staff').check(sql`actor_kind in ('staff','citizen')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('admin_events').dropColumn('actor_kind').execute();
  await db.schema.alterTable('admin_events').addForeignKeyConstraint('admin_events_actor_fkey', ['actor'], 'users', ['username']).execute();
}
