// Frozen: agencies become a tree an administrator edits (kind, address, active; the parent already there), and
// every administrative change is recorded in one table, written in the same transaction as the change.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agencies')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await db.schema.createIndex('agencies_parent_code_idx').on('agencies').column('parent_code').execute();

  await db.schema
    .createTable('admin_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull().references('users.username'))
    // The agency the changed thing belongs to (an agency: itself): who may read the event follows the tree.
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .execute();
  await db.schema.createIndex('admin_events_entity_idx').on('admin_events').columns(['entity', 'entity_id', 'id']).execute();
  await db.schema.createIndex('admin_events_agency_idx').on('admin_events').columns(['agency_code', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('admin_events').execute();
  await db.schema.dropIndex('agencies_parent_code_idx').execute();
  await db.schema.alterTable('agencies').dropColumn('kind').dropColumn('address').dropColumn('active').execute();
}
