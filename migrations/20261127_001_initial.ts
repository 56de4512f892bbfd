// Frozen: never import application code here; a later change gets a new migration.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agencies')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('portal_code', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text', (c) => c.references('agencies.code'))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('email', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('username', 'text', (c) => c.notNull().references('users.username'))
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('creator','signer','sealer','admin','supervisor')`))
    .addPrimaryKeyConstraint('user_roles_pk', ['username', 'agency_code', 'role'])
    .execute();

  await db.schema
    .createTable('portal_accounts')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('citizen','business')`))
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('id_number', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('document_types')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('dossier_sequences')
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('last', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('dossier_sequences_pk', ['agency_code', 'day'])
    .execute();

  await db.schema
    .createTable('create_requests')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Read model kept by the workflow's activities; lists and searches read this, never the workflows.
  await db.schema
    .createTable('dossiers')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('applicant_kind', 'text', (c) => c.notNull())
    .addColumn('applicant_name', 'text', (c) => c.notNull())
    .addColumn('applicant_id_number', 'text')
    .addColumn('applicant_email', 'text')
    .addColumn('applicant_phone', 'text')
    .addColumn('applicant_account', 'text')
    .addColumn('document_type_code', 'text', (c) => c.notNull())
    .addColumn('document_type_name', 'text', (c) => c.notNull())
    .addColumn('copies', 'integer', (c) => c.notNull())
    .addColumn('page_count', 'integer', (c) => c.notNull())
    .addColumn('fee', 'integer', (c) => c.notNull())
    .addColumn('certification_number', 'text')
    .addColumn('register_book_id', 'integer')
    .addColumn('return_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('due_date', 'date')
    // The workflow's state after the event: what the dossier page shows once the workflow's history has
    // passed Temporal's retention (the register itself is kept permanently).
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('dossiers_agency_status').on('dossiers').columns(['agency_code', 'status', 'created_at']).execute();

  // Audit trail: one row per state change, written in the same transaction as the read model.
  await db.schema
    .createTable('dossier_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dossier_events_code').on('dossier_events').columns(['dossier_code', 'seq']).execute();

  // Results of side effects keyed by what produced them, so a retried activity returns the first result.
  await db.schema
    .createTable('dossier_files')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('register_books')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_number', 'integer', (c) => c.notNull().check(sql`start_number >= 1`))
    // The next number to give: start_number while the book is empty.
    .addColumn('current_number', 'integer', (c) => c.notNull())
    .addColumn('open_date', 'date', (c) => c.notNull())
    .addColumn('close_date', 'date', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('register_books_agency_name', ['agency_code', 'name'])
    .addCheckConstraint('register_books_dates', sql`close_date >= open_date`)
    .execute();

  await db.schema
    .createTable('register_entries')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('register_book_id', 'integer', (c) => c.notNull().references('register_books.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('certification_number', 'text', (c) => c.notNull())
    .addColumn('dossier_code', 'text', (c) => c.notNull().unique())
    .addColumn('applicant_name', 'text', (c) => c.notNull())
    .addColumn('document_type_name', 'text', (c) => c.notNull())
    .addColumn('signer_name', 'text', (c) => c.notNull())
    .addColumn('copies', 'integer', (c) => c.notNull())
    .addColumn('fee', 'integer', (c) => c.notNull())
    .addColumn('certified_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('register_entries_book_number', ['register_book_id', 'number'])
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email','portal')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','sent','failed')`))
    .addColumn('error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('deliveries_code_channel', ['dossier_code', 'channel'])
    .execute();

  await db.schema
    .createTable('portal_inbox')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('account_username', 'text', (c) => c.notNull().references('portal_accounts.username'))
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('download_token', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .addUniqueConstraint('portal_inbox_account_dossier', ['account_username', 'dossier_code'])
    .execute();

  // Expiring, unguessable download links for e-copies too large to attach.
  await db.schema
    .createTable('download_links')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('dossier_code', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['download_links', 'portal_inbox', 'deliveries', 'register_entries', 'register_books', 'dossier_files',
    'dossier_events', 'dossiers', 'create_requests', 'dossier_sequences', 'document_types', 'portal_accounts', 'user_roles', 'users', 'agencies']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
