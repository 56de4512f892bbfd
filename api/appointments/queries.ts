// SQL of the appointments feature (db-first, `fn(db, ...)`): agencies' working days and slots, bookings, their codes
// and lists. Places in a slot are taken and given back by activities/slot-places.ts, which the worker runs too.
import { sql, type Insertable } from 'kysely';
import type { Database, Db } from '../../lib/db.js';

export { releasePlace, takePlace } from '../../activities/slot-places.js';
// The agency's working days (national public holidays, then its own days off and working days): one calendar
// with the due date of dossiers, worker-side SQL.
export { workingCalendar } from '../../activities/calendar.js';

export const findAgency = (db: Db, code: string) =>
  db.selectFrom('agencies').selectAll().where('code', '=', code).executeTakeFirst();

/** The agencies that take appointments (they have slots), by name. */
export const bookableAgencies = (db: Db) =>
  db.selectFrom('agencies').select(['code', 'name'])
    .where('code', 'in', db.selectFrom('appointment_slots').select('agency_code')).orderBy('name').execute();

export const findDocumentType = (db: Db, code: string) =>
  db.selectFrom('document_types').select(['code', 'name', 'active']).where('code', '=', code).executeTakeFirst();

/** The agency's slots with the places already taken on the day, by start time. */
export const slotsWithUsage = (db: Db, agencyCode: string, day: string) =>
  db.selectFrom('appointment_slots').leftJoin('slot_usage', (j) => j
    .onRef('slot_usage.agency_code', '=', 'appointment_slots.agency_code').onRef('slot_usage.start_time', '=', 'appointment_slots.start_time').on('slot_usage.day', '=', day))
    .select(['appointment_slots.start_time as time', 'appointment_slots.capacity', 'slot_usage.used'])
    .where('appointment_slots.agency_code', '=', agencyCode).orderBy('appointment_slots.start_time').execute();

export async function slotTimes(db: Db, agencyCode: string): Promise<string[]> {
  return (await db.selectFrom('appointment_slots').select('start_time').where('agency_code', '=', agencyCode).execute()).map((s) => s.start_time);
}

export const portalAccount = (db: Db, username: string) =>
  db.selectFrom('portal_accounts').selectAll().where('username', '=', username).executeTakeFirstOrThrow();

/** Locks the account's row until the transaction ends, so one account's racing bookings are counted one after another. */
export async function lockAccount(tx: Db, username: string): Promise<void> {
  await tx.selectFrom('portal_accounts').select('username').where('username', '=', username).forUpdate().executeTakeFirstOrThrow();
}

/** The agency of each appointment the account holds on the day (cancelled ones left out). */
export async function agenciesHeld(tx: Db, username: string, day: string): Promise<string[]> {
  const held = await tx.selectFrom('appointments').select('agency_code')
    .where('account_username', '=', username).where('day', '=', day).where('status', '!=', 'cancelled').execute();
  return held.map((a) => a.agency_code);
}

/** The next number of the booking day's counter (0 for the day's first booking). */
export async function nextAppointmentNumber(tx: Db, bookedDay: string): Promise<number> {
  const seq = await tx.insertInto('appointment_sequences').values({ day: bookedDay, last: 0 })
    .onConflict((oc) => oc.column('day').doUpdateSet({ last: sql`appointment_sequences.last + 1` })).returning('last').executeTakeFirstOrThrow();
  return seq.last;
}

export async function insertAppointment(tx: Db, row: Insertable<Database['appointments']>): Promise<void> {
  await tx.insertInto('appointments').values(row).execute();
}

export async function deleteAppointment(tx: Db, code: string): Promise<void> {
  await tx.deleteFrom('appointments').where('code', '=', code).execute();
}

/** Appointments with their applicant, document type and agency: what the lists and the JSON show. */
function appointmentRows(db: Db) {
  return db.selectFrom('appointments')
    .innerJoin('portal_accounts', 'portal_accounts.username', 'appointments.account_username')
    .innerJoin('document_types', 'document_types.code', 'appointments.document_type_code')
    .innerJoin('agencies', 'agencies.code', 'appointments.agency_code')
    .select([
      'appointments.code', 'appointments.agency_code', 'agencies.name as agency_name', 'appointments.status', 'appointments.day', 'appointments.start_time',
      'appointments.original_day', 'appointments.original_start_time', 'appointments.reschedule_reason', 'appointments.dossier_code', 'appointments.created_at',
      'appointments.document_type_code', 'document_types.name as document_type_name',
      'portal_accounts.username as account', 'portal_accounts.kind', 'portal_accounts.full_name', 'portal_accounts.id_number', 'portal_accounts.phone', 'portal_accounts.email',
    ]);
}

export type AppointmentRow = NonNullable<Awaited<ReturnType<typeof findAppointment>>>;

export function appointmentsOfAgency(db: Db, agencyCode: string, opts: { status?: string } = {}) {
  let q = appointmentRows(db).where('appointments.agency_code', '=', agencyCode);
  if (opts.status) q = q.where('appointments.status', '=', opts.status as 'booked');
  return q.orderBy('appointments.day').orderBy('appointments.start_time').execute();
}

export function appointmentsOfAccount(db: Db, username: string) {
  return appointmentRows(db).where('appointments.account_username', '=', username).orderBy('appointments.created_at', 'desc').execute();
}

export function findAppointment(db: Db, code: string) {
  return appointmentRows(db).where('appointments.code', '=', code).executeTakeFirst();
}
