// Frozen: when a dossier was completed (sealed), for the supervisors' figures: on time (đúng hạn) when its Vietnam day
// is on or before the due day, else late (quá hạn). Backfilled from the audit trail's "sealed" events. Indexes for the
// dashboard: completions by agency and time, and the dossiers still waiting by due day (overdue now).
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dossiers').addColumn('completed_at', 'timestamptz').execute();
  await sql`update dossiers d set completed_at = (select min(e.at) from dossier_events e where e.dossier_code = d.code and e.type = 'sealed')
    where d.status = 'completed'`.execute(db);
  await db.schema.createIndex('dossiers_agency_completed').on('dossiers').columns(['agency_code', 'completed_at']).where(sql.ref('completed_at'), 'is not', null).execute();
  await db.schema.createIndex('dossiers_agency_created').on('dossiers').columns(['agency_code', 'created_at']).execute();
  await sql`create index dossiers_waiting_due on dossiers (agency_code, due_date)
    where status in ('awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('dossiers_waiting_due').execute();
  await db.schema.dropIndex('dossiers_agency_created').execute();
  await db.schema.dropIndex('dossiers_agency_completed').execute();
  await db.schema.alterTable('dossiers').dropColumn('completed_at').execute();
}
