// The worker's numbering of the register (activity allocateCertificationNumber). NĐ 23/2015 Điều 13: numbers run
// in ONE sequence per agency and year, from 01 to the year's end, whatever the books (quyển). So the sequence lives
// in its own row (register_years), which every allocation of the year locks: no gaps, no duplicates, also under
// concurrent seals and activity retries. A year has at most one open book; the books themselves (add, edit,
// khóa sổ, delete) are managed by the screens and the API (api/register/service.ts), which share the year's
// queries below (lockYear, lastNumberOfYear, countOfYear, openBooksOfYear, currentBook): one copy of that SQL.
import { ApplicationFailure } from '@temporalio/activity';
import { sql, type Kysely, type Transaction } from 'kysely';
import { vnDate, vnIsoDate, vnYearStart } from '../domain/vn-time.js';
import { DomainError } from '../domain/errors.js';
import { bookYear, formatCertificationNumber, REGISTER_BOOK_NOT_FOUND, refuseClosedYear } from '../domain/register.js';
import type { Database, Db, RegisterBookRow } from '../lib/db.js';
import type { DossierView } from '../domain/dossier.js';
import type { ActivityDeps } from './deps.js';

export interface AllocatedNumber {
  certificationNumber: string;
  number: number;
  registerBookId: number;
  registerBookName: string;
  certifiedAt: string;
}


/** The Vietnamese calendar year [start, end) as UTC instants. */
function yearBounds(year: number): [Date, Date] {
  return [vnYearStart(year), vnYearStart(year + 1)];
}

/**
 * The next certification number of the year for an agency: the largest number given that year (by the
 * certification date, in Vietnam) across all of the agency's books, plus one; 1 when none was given yet.
 */
export async function nextNumberOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
  return (await lastNumberOfYear(db, agencyCode, year)) + 1;
}

/** The largest number given in the year by the agency (0 when none). */
export async function lastNumberOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
  const [from, to] = yearBounds(year);
  const r = await db.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .select((eb) => eb.fn.max('register_entries.number').as('max'))
    .where('register_books.agency_code', '=', agencyCode)
    .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
    .executeTakeFirst();
  return Number(r?.max ?? 0);
}

/** The agency's certifications of the year (entries), so far. */
export async function countOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
  const [from, to] = yearBounds(year);
  const r = await db.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('register_books.agency_code', '=', agencyCode)
    .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Locks the year's sequence row (creating it from the entries when missing). Every change to a year's books
 * and every allocation takes this lock first, then book rows: one order, so no deadlocks.
 */
export async function lockYear(tx: Transaction<Database>, agencyCode: string, year: number) {
  const [from, to] = yearBounds(year);
  await tx.insertInto('register_years').values({
    agency_code: agencyCode, year,
    last_number: sql<number>`(select coalesce(max(e.number), 0) from register_entries e join register_books b on b.id = e.register_book_id
      where b.agency_code = ${agencyCode} and e.certified_at >= ${from} and e.certified_at < ${to})`,
  }).onConflict((oc) => oc.columns(['agency_code', 'year']).doNothing()).execute();
  return tx.selectFrom('register_years').selectAll().where('agency_code', '=', agencyCode).where('year', '=', year).forUpdate().executeTakeFirstOrThrow();
}

export type RegisterYearRow = Awaited<ReturnType<typeof lockYear>>;

/** The agency's books of a year that are not closed. */
export function openBooksOfYear(db: Kysely<Database>, agencyCode: string, year: number) {
  return db.selectFrom('register_books').selectAll().where('agency_code', '=', agencyCode).where('closed_at', 'is', null)
    .where('open_date', '>=', `${year}-01-01`).where('open_date', '<=', `${year}-12-31`).orderBy('id').execute();
}

/**
 * The book that takes the next number of `day`'s year: of the year's open books in their dates, the one that
 * gave the year's last number, else the first opened. Normally the year has one open book; older data may
 * hold two, and then numbers still go on in one book only.
 */
export async function currentBook(db: Kysely<Database>, agencyCode: string, day: string, lastBookId: number | null): Promise<RegisterBookRow | undefined> {
  const year = Number(day.slice(0, 4));
  const books = (await openBooksOfYear(db, agencyCode, year)).filter((b) => b.open_date <= day && day <= b.close_date);
  return books.find((b) => b.id === lastBookId) ?? books[0];
}

/**
 * Gives the dossier the next number of the year's sequence, in the book that takes it. Idempotent: a retry
 * finds the dossier's entry and returns it. The year row is locked first (all allocations of the year queue
 * there), then the book (as an edit or a delete of it does).
 */
export async function allocateNumber(db: Db, input: { dossier: DossierView; registerBookId: number; at: string; signerName: string }): Promise<AllocatedNumber> {
  const d = input.dossier;
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
      .select(['register_entries.number', 'register_entries.certification_number', 'register_entries.certified_at', 'register_books.id', 'register_books.name'])
      .where('register_entries.dossier_code', '=', d.code).executeTakeFirst();
    if (existing) {
      return { certificationNumber: existing.certification_number, number: existing.number, registerBookId: existing.id, registerBookName: existing.name, certifiedAt: new Date(existing.certified_at).toISOString() };
    }
    const pre = Number.isSafeInteger(input.registerBookId) && input.registerBookId > 0 && input.registerBookId <= 2_147_483_647
      ? await tx.selectFrom('register_books').select(['id', 'agency_code']).where('id', '=', input.registerBookId).executeTakeFirst() : undefined;
    if (!pre || pre.agency_code !== d.agencyCode) throw new DomainError('not_found', REGISTER_BOOK_NOT_FOUND);
    const today = vnIsoDate(new Date(input.at));
    const year = Number(today.slice(0, 4));
    const y = await lockYear(tx, d.agencyCode, year);
    const book = await tx.selectFrom('register_books').selectAll().where('id', '=', pre.id).forUpdate().executeTakeFirst();
    if (!book) throw new DomainError('not_found', REGISTER_BOOK_NOT_FOUND);
    if (book.closed_at) throw new DomainError('validation', `Sổ ${book.name} đã khóa sổ ngày ${vnDate(book.closed_at)}: không cấp số chứng thực nữa.`);
    refuseClosedYear(year, y);
    if (bookYear(book) !== year) {
      throw new DomainError('validation', `Sổ ${book.name} là sổ của năm ${bookYear(book)}; số chứng thực năm ${year} đánh lại từ 01 trong sổ của năm ${year}.`);
    }
    if (today < book.open_date || today > book.close_date) {
      throw new DomainError('validation', `Sổ ${book.name} chỉ được dùng từ ngày mở sổ đến ngày đóng sổ; hôm nay sổ không mở.`);
    }
    const current = await currentBook(tx, d.agencyCode, today, y.last_book_id);
    if (current && current.id !== book.id) {
      throw new DomainError('validation', `Số chứng thực năm ${year} đang được cấp liên tục trong sổ ${current.name}: vui lòng chọn sổ ${current.name}.`);
    }
    const number = y.last_number > 0 ? y.last_number + 1 : book.current_number;
    const certificationNumber = formatCertificationNumber(number);
    await tx.insertInto('register_entries').values({
      register_book_id: book.id, number, certification_number: certificationNumber, dossier_code: d.code,
      applicant_name: d.applicant.fullName, document_type_name: d.documentType.name, signer_name: input.signerName,
      copies: d.copies, fee: d.fee, certified_at: input.at,
    }).execute();
    await tx.updateTable('register_years').set({ last_number: number, last_book_id: book.id }).where('agency_code', '=', d.agencyCode).where('year', '=', year).execute();
    await tx.updateTable('register_books').set({ current_number: number + 1 }).where('id', '=', book.id).execute();
    return { certificationNumber, number, registerBookId: book.id, registerBookName: book.name, certifiedAt: input.at };
  });
}

export function registerActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async allocateCertificationNumber(input: { dossier: DossierView; registerBookId: number; at: string; signerName: string }): Promise<AllocatedNumber> {
      try {
        return await allocateNumber(db, input);
      } catch (e) {
        if (e instanceof DomainError) throw ApplicationFailure.nonRetryable(e.message, e.code);
        throw e; // database trouble: retried
      }
    },
  };
}
