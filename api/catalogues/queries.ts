// The SQL of the catalogues: document types, an agency's appointment slots (with the places taken on coming days,
// slot_usage), its own days (agency_days) and the national public holidays (public_holidays).
import { sql } from 'kysely';
import type { AgencyDay, DocumentType, PublicHoliday } from '../../domain/admin-audit.js';
import type { Db } from '../../lib/db.js';

// ---- document types -------------------------------------------------------------------------------------------

const TYPE_COLUMNS = ['code', 'name', 'sort', 'active'] as const;

export const listDocumentTypes = (db: Db): Promise<DocumentType[]> =>
  db.selectFrom('document_types').select(TYPE_COLUMNS).orderBy('sort').orderBy('name').execute();

export const findDocumentType = (db: Db, code: string): Promise<DocumentType | undefined> =>
  db.selectFrom('document_types').select(TYPE_COLUMNS).where('code', '=', code).executeTakeFirst();

/** The code, whatever its case (GKS and gks would read as one type to people). */
export const findDocumentTypeAnyCase = (db: Db, code: string) =>
  db.selectFrom('document_types').select(TYPE_COLUMNS).where(sql<string>`lower(code)`, '=', code.toLowerCase()).executeTakeFirst();

export async function nextDocumentTypeSort(db: Db): Promise<number> {
  const r = await db.selectFrom('document_types').select((eb) => eb.fn.max<number | null>('sort').as('max')).executeTakeFirst();
  return (r?.max ?? -1) + 1;
}

export const insertDocumentType = (db: Db, t: DocumentType) => db.insertInto('document_types').values(t).execute();

export const updateDocumentType = (db: Db, t: DocumentType) =>
  db.updateTable('document_types').set({ name: t.name, sort: t.sort, active: t.active }).where('code', '=', t.code).execute();

/** One catalogue change at a time (a transaction-scoped advisory lock per catalogue and agency). */
export const lockCatalogue = (db: Db, key: string) => sql`SELECT pg_advisory_xact_lock(hashtext(${`catalogue:${key}`}))`.execute(db);

// ---- appointment slots ----------------------------------------------------------------------------------------

export const slotsOf = async (db: Db, agencyCode: string) =>
  (await db.selectFrom('appointment_slots').select(['start_time', 'capacity']).where('agency_code', '=', agencyCode).orderBy('start_time').execute())
    .map((s) => ({ startTime: s.start_time, capacity: s.capacity }));

/**
 * The places taken from `fromDay` on, per slot and day (used > 0), the rows locked until the transaction ends so
 * a booking's place (a conditional increment of these rows) waits for the slots' change.
 */
export const bookedFrom = (db: Db, agencyCode: string, fromDay: string) =>
  db.selectFrom('slot_usage').select(['start_time as startTime', 'day', 'used'])
    .where('agency_code', '=', agencyCode).where('day', '>=', fromDay).where('used', '>', 0)
    .orderBy('start_time').orderBy('day').forUpdate().execute();

/** The places taken on one day, per slot (used > 0). */
export const bookedOn = (db: Db, agencyCode: string, day: string) =>
  db.selectFrom('slot_usage').select(['start_time as startTime', 'used'])
    .where('agency_code', '=', agencyCode).where('day', '=', day).where('used', '>', 0).orderBy('start_time').execute();

export async function replaceSlots(db: Db, agencyCode: string, slots: { startTime: string; capacity: number }[]): Promise<void> {
  await db.deleteFrom('appointment_slots').where('agency_code', '=', agencyCode).execute();
  if (slots.length) await db.insertInto('appointment_slots').values(slots.map((s) => ({ agency_code: agencyCode, start_time: s.startTime, capacity: s.capacity }))).execute();
}

// ---- an agency's days and the national public holidays --------------------------------------------------------

const yearRange = (year: number) => [`${year}-01-01`, `${year}-12-31`] as const;

export const agencyDaysOf = (db: Db, agencyCode: string, year: number): Promise<AgencyDay[]> =>
  db.selectFrom('agency_days').select(['day', 'working', 'note']).where('agency_code', '=', agencyCode)
    .where('day', '>=', yearRange(year)[0]).where('day', '<=', yearRange(year)[1]).orderBy('day').execute();

export const findAgencyDay = (db: Db, agencyCode: string, day: string): Promise<AgencyDay | undefined> =>
  db.selectFrom('agency_days').select(['day', 'working', 'note']).where('agency_code', '=', agencyCode).where('day', '=', day).executeTakeFirst();

export const upsertAgencyDay = (db: Db, agencyCode: string, d: AgencyDay) =>
  db.insertInto('agency_days').values({ agency_code: agencyCode, ...d })
    .onConflict((oc) => oc.columns(['agency_code', 'day']).doUpdateSet({ working: d.working, note: d.note })).execute();

export const deleteAgencyDay = (db: Db, agencyCode: string, day: string) =>
  db.deleteFrom('agency_days').where('agency_code', '=', agencyCode).where('day', '=', day).execute();

export const publicHolidaysOf = (db: Db, year: number): Promise<PublicHoliday[]> =>
  db.selectFrom('public_holidays').select(['day', 'name', 'working'])
    .where('day', '>=', yearRange(year)[0]).where('day', '<=', yearRange(year)[1]).orderBy('day').execute();

export const findPublicHoliday = (db: Db, day: string): Promise<PublicHoliday | undefined> =>
  db.selectFrom('public_holidays').select(['day', 'name', 'working']).where('day', '=', day).executeTakeFirst();

export const upsertPublicHoliday = (db: Db, h: PublicHoliday) =>
  db.insertInto('public_holidays').values(h).onConflict((oc) => oc.column('day').doUpdateSet({ name: h.name, working: h.working })).execute();

export const deletePublicHoliday = (db: Db, day: string) => db.deleteFrom('public_holidays').where('day', '=', day).execute();
