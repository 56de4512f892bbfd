// The SQL of register books, years and entries for the screens and the API (db-first: each takes the db or a
// transaction). The year's sequence queries are shared with the worker's numbering and live there, once.
import { sql, type ExpressionBuilder, type Insertable, type Updateable } from 'kysely';
import { containsPattern, type Database, type Db } from '../../lib/db.js';

export { countOfYear, currentBook, lastNumberOfYear, lockYear, nextNumberOfYear, openBooksOfYear, type RegisterYearRow } from '../../activities/register.js';

type BookTable = Database['register_books'];

/** The id of the agency's book of that name, if any. */
export function bookIdNamed(db: Db, agencyCode: string, name: string) {
  return db.selectFrom('register_books').select('id').where('agency_code', '=', agencyCode).where('name', '=', name).executeTakeFirst();
}

export function insertBook(db: Db, values: Insertable<BookTable>) {
  return db.insertInto('register_books').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateBook(db: Db, id: number, set: Updateable<BookTable>) {
  return db.updateTable('register_books').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function deleteBook(db: Db, id: number) {
  return db.deleteFrom('register_books').where('id', '=', id).execute();
}

/** The agency's book (undefined for another agency's). */
export function ownBook(db: Db, agencyCode: string, id: number) {
  return db.selectFrom('register_books').selectAll().where('id', '=', id).where('agency_code', '=', agencyCode).executeTakeFirst();
}

/** The agency's book, its row locked (as a seal locks it). */
export function lockOwnBook(db: Db, agencyCode: string, id: number) {
  return db.selectFrom('register_books').selectAll().where('id', '=', id).where('agency_code', '=', agencyCode).forUpdate().executeTakeFirst();
}

/** A book, its row locked; taken after the year's lock (lockYear), in that order. */
export function lockBook(db: Db, id: number) {
  return db.selectFrom('register_books').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The agency's books of a year that are not closed, their rows locked (year-end closing). */
export function lockOpenBooksOfYear(db: Db, agencyCode: string, year: number) {
  return db.selectFrom('register_books').selectAll().where('agency_code', '=', agencyCode).where('closed_at', 'is', null)
    .where('open_date', '>=', `${year}-01-01`).where('open_date', '<=', `${year}-12-31`).orderBy('id').forUpdate().execute();
}

/** The number of a book's entries, as a column of a book query. */
const entryCount = (eb: ExpressionBuilder<Database, 'register_books'>) =>
  eb.selectFrom('register_entries').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('register_entries.register_book_id', '=', 'register_books.id').as('entry_count');

/** The agency's book with the number of its entries (entry_count, as the driver returns it). */
export function ownBookWithEntryCount(db: Db, agencyCode: string, id: number) {
  return db.selectFrom('register_books').selectAll('register_books').select(entryCount)
    .where('id', '=', id).where('agency_code', '=', agencyCode).executeTakeFirst();
}

export interface BookFilter { year: string; name: string }

function filteredBooks(db: Db, agencyCode: string, f: BookFilter) {
  let q = db.selectFrom('register_books').where('agency_code', '=', agencyCode);
  if (f.year) q = q.where('open_date', '>=', `${f.year}-01-01`).where('open_date', '<=', `${f.year}-12-31`);
  if (f.name) q = q.where('name', 'ilike', containsPattern(f.name));
  return q;
}

export async function countBooks(db: Db, agencyCode: string, f: BookFilter): Promise<number> {
  const { total } = await filteredBooks(db, agencyCode, f).select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  return Number(total);
}

/** A page of the agency's books, newest first, with the number of their entries. */
export function booksPage(db: Db, agencyCode: string, f: BookFilter, limit: number, offset: number) {
  return filteredBooks(db, agencyCode, f).selectAll('register_books').select(entryCount)
    .orderBy('open_date', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

export async function countEntries(db: Db, bookId: number): Promise<number> {
  const { n } = await db.selectFrom('register_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('register_book_id', '=', bookId).executeTakeFirstOrThrow();
  return Number(n);
}

/** A book's entries in number order: a page of them, or all (the export). */
export function bookEntries(db: Db, bookId: number, page?: { limit: number; offset: number }) {
  const q = db.selectFrom('register_entries').selectAll().where('register_book_id', '=', bookId).orderBy('number');
  return page ? q.limit(page.limit).offset(page.offset).execute() : q.execute();
}

/** A book's count of entries and its first and last certification instants. */
export function entryStats(db: Db, bookId: number) {
  return db.selectFrom('register_entries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('certified_at').as('first'), eb.fn.max('certified_at').as('last')])
    .where('register_book_id', '=', bookId).executeTakeFirstOrThrow();
}

/** A book with the name of its agency (the export's header), whatever the agency. */
export function bookWithAgencyName(db: Db, id: number) {
  return db.selectFrom('register_books').innerJoin('agencies', 'agencies.code', 'register_books.agency_code')
    .select(['register_books.id', 'register_books.name', 'start_number', 'current_number', 'open_date', 'close_date', 'agency_code', 'agencies.name as agency_name'])
    .where('register_books.id', '=', id).executeTakeFirst();
}

/** The year's sequence row, without locking or creating it. */
export function yearRow(db: Db, agencyCode: string, year: number) {
  return db.selectFrom('register_years').selectAll().where('agency_code', '=', agencyCode).where('year', '=', year).executeTakeFirst();
}

export function yearRows(db: Db, agencyCode: string) {
  return db.selectFrom('register_years').selectAll().where('agency_code', '=', agencyCode).execute();
}

/** Records the year-end closing on the year's row. */
export function closeYearRow(db: Db, agencyCode: string, year: number, set: { closed_at: Date; closed_by: string; certification_count: number }) {
  return db.updateTable('register_years').set(set).where('agency_code', '=', agencyCode).where('year', '=', year).returningAll().executeTakeFirstOrThrow();
}

/** The years of the open dates of the agency's books. */
export async function yearsWithBooks(db: Db, agencyCode: string): Promise<number[]> {
  const rows = await db.selectFrom('register_books').select(sql<number>`extract(year from open_date)::int`.as('year')).where('agency_code', '=', agencyCode).distinct().execute();
  return rows.map((b) => Number(b.year));
}
