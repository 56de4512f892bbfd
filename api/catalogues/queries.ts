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
 * The agency's slots, locked until the transaction ends: a booking holds its slot's row FOR SHARE while it takes a
 * place (activities/slot-places.ts), so this waits for bookings under way, and bookings after it wait for the change.
 */
export const lockSlots = (db: Db, agencyCode: string) =>
  db.selectFrom('appointment_slots').select('start_time').where('agency_code', '=', agencyCode).forUpdate().execute();

/** The places taken from `fromDay` on, per slot and day (used > 0). */
export const bookedFrom = (db: Db, agencyCode: string, fromDay: string) =>
  db.selectFrom('slot_usage').select(['start_time as startTime', 'day', 'used'])
    .where('agency_code', '=', agencyCode).where('day', '>=', fromDay).where('used', '>', 0)
    .orderBy('start_time').orderBy('day').execute();

/** The places taken on one day, per slot (used > 0). */
export const bookedOn = (db: Db, agencyCode: string, day: string) =>
  db.selectFrom('slot_usage').select(['start_time as startTime', 'used'])
    .where('agency_code', '=', agencyCode).where('day', '=', day).where('used', '>', 0).orderBy('start_time').execute();

/** Makes the agency's slots these: kept ones updated in place (a waiting booking then reads the new capacity). */
export async function replaceSlots(db: Db, agencyCode: string, slots: { startTime: string; capacity: number }[]): Promise<void> {
  const times = slots.map((s) => s.startTime);
  await db.deleteFrom('appointment_slots').where('agency_code', '=', agencyCode).$if(times.length > 0, (d) => d.where('start_time', 'not in', times)).execute();
  if (slots.length) {
    await db.insertInto('appointment_slots').values(slots.map((s) => ({ agency_code: agencyCode, start_time: s.startTime, capacity: s.capacity })))
      .onConflict((oc) => oc.columns(['agency_code', 'start_time']).doUpdateSet((eb) => ({ capacity: eb.ref('excluded.capacity') }))).execute();
  }
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
