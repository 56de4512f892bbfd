// Frozen: appointments booked by citizens on the portal, slots and days off, notifications and SMS.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // An agency's daily slots: start time and how many people one slot takes.
  await db.schema
    .createTable('appointment_slots')
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('start_time', 'text', (c) => c.notNull().check(sql`start_time ~ '^[0-2][0-9]:[0-5][0-9]$'`))
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity >= 1`))
    .addPrimaryKeyConstraint('appointment_slots_pk', ['agency_code', 'start_time'])
    .execute();

  // Days the agency does not receive (holidays); Saturdays and Sundays are off unless listed as working days.
  await db.schema
    .createTable('agency_days')
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('working', 'boolean', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addPrimaryKeyConstraint('agency_days_pk', ['agency_code', 'day'])
    .execute();

  // Places taken per slot and day; taken by a conditional increment, so racers cannot overfill a slot.
  await db.schema
    .createTable('slot_usage')
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().check(sql`used >= 0`))
    .addPrimaryKeyConstraint('slot_usage_pk', ['agency_code', 'day', 'start_time'])
    .execute();

  await db.schema
    .createTable('appointment_sequences')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('appointments')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('account_username', 'text', (c) => c.notNull().references('portal_accounts.username'))
    .addColumn('document_type_code', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked','processed','no_show','cancelled')`))
    // The booked time as first asked; day/start_time above hold the current (possibly rescheduled) time.
    .addColumn('original_day', 'date', (c) => c.notNull())
    .addColumn('original_start_time', 'text', (c) => c.notNull())
    .addColumn('reschedule_reason', 'text')
    .addColumn('dossier_code', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('appointments_agency_day').on('appointments').columns(['agency_code', 'status', 'day']).execute();

  // Side effects keyed by what caused them, so a retried activity never moves a slot twice.
  await db.schema
    .createTable('appointment_effects')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('appointment_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('account_username', 'text', (c) => c.notNull().references('portal_accounts.username'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('appointment_code', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('sms_messages')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','sent','failed')`))
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sms_messages', 'notifications', 'appointment_effects', 'appointments', 'appointment_sequences', 'slot_usage', 'agency_days', 'appointment_slots']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
