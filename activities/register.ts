// Register books and certification numbers. A number is allocated in one database transaction with the
// book row locked: no gaps, no duplicates, also under concurrent seals and activity retries.
import { ApplicationFailure } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { parseVnDate, vnIsoDate } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import { normalizeText } from '../domain/text.js';
import { containsPattern, type Database, type Db, type RegisterBookRow } from '../lib/db.js';
import type { DossierView } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';

export const BOOK_SUFFIX = '/ĐT';

export const formatCertificationNumber = (n: number) => `${n}${BOOK_SUFFIX}`;

export interface AllocatedNumber {
  certificationNumber: string;
  number: number;
  registerBookId: number;
  registerBookName: string;
  certifiedAt: string;
}

/** Normalises a book name so that it ends with the electronic-book suffix '/ĐT'. */
export function bookName(raw: string): string {
  const n = raw.trim().normalize('NFC').replace(/\s*\/\s*(ĐT|đt|DT|dt)$/u, '');
  return `${n}${BOOK_SUFFIX}`;
}

const NOT_FOUND = 'Không tìm thấy sổ chứng thực của đơn vị.';

const VN_OFFSET_MS = 7 * 3600_000; // Asia/Ho_Chi_Minh, no DST

/** The Vietnamese calendar year [start, end) as UTC instants. */
function yearBounds(year: number): [Date, Date] {
  return [new Date(Date.UTC(year, 0, 1) - VN_OFFSET_MS), new Date(Date.UTC(year + 1, 0, 1) - VN_OFFSET_MS)];
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === '23505';
}

function validName(raw: unknown): string {
  // Typed text only (a JSON object once became a book named "[object Object]/ĐT"), normalised as every text is.
  const name = bookName(normalizeText(raw, { field: 'name', label: 'Tên sổ', max: 100 }));
  if (name.length <= BOOK_SUFFIX.length || name.length > 100) throw new DomainError('validation', 'Vui lòng nhập tên sổ chứng thực (tối đa 100 ký tự).', 'name');
  return name;
}

function validStart(raw: unknown): number {
  const s = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : ''; // never [5] or {"a":1}
  if (!/^\d{1,9}$/.test(s) || Number(s) < 1) throw new DomainError('validation', 'Số ban đầu chỉ gồm chữ số và phải lớn hơn 0.', 'startNumber');
  return Number(s);
}

function validDates(openDate: string | null, closeDate: string | null): void {
  if (!openDate) throw new DomainError('validation', 'Ngày mở sổ không hợp lệ (dd/mm/yyyy).', 'openDate');
  if (!closeDate) throw new DomainError('validation', 'Ngày đóng sổ không hợp lệ (dd/mm/yyyy).', 'closeDate');
  if (closeDate < openDate) throw new DomainError('validation', 'Ngày đóng sổ phải sau hoặc bằng ngày mở sổ.', 'closeDate');
}

const isoToVn = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/**
 * The next certification number of the year for an agency: the largest number given that year (by the
 * certification date, in Vietnam) across all of the agency's books, plus one; 1 when none was given yet.
 * NĐ 23/2015 Điều 13: numbering runs continuously through the year and starts again at 01 with a new year,
 * so a book opened mid-year continues the year's numbering.
 */
export async function nextNumberOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
  const [from, to] = yearBounds(year);
  const r = await db.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .select((eb) => eb.fn.max('register_entries.number').as('max'))
    .where('register_books.agency_code', '=', agencyCode)
    .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
    .executeTakeFirst();
  return Number(r?.max ?? 0) + 1;
}

/**
 * Adds a book. The start number is digits only; left out (or blank) it defaults to the next number of the
 * open date's year for the agency (see nextNumberOfYear).
 */
export async function createRegisterBook(db: Db, input: { agencyCode: string; name: unknown; startNumber?: unknown; openDate: string | null; closeDate: string | null; createdBy: string }): Promise<RegisterBookRow> {
  const name = validName(input.name);
  const blankStart = input.startNumber === undefined || input.startNumber === null || String(input.startNumber).trim() === '';
  if (!blankStart) validStart(input.startNumber);
  validDates(input.openDate, input.closeDate);
  const start = blankStart ? await nextNumberOfYear(db, input.agencyCode, Number(input.openDate!.slice(0, 4))) : validStart(input.startNumber);
  const dup = await db.selectFrom('register_books').select('id').where('agency_code', '=', input.agencyCode).where('name', '=', name).executeTakeFirst();
  if (dup) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
  try {
    return await db.insertInto('register_books').values({
      agency_code: input.agencyCode, name, start_number: start, current_number: start, open_date: input.openDate!,
      close_date: input.closeDate!, created_by: input.createdBy,
    }).returningAll().executeTakeFirstOrThrow();
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
    throw e;
  }
}

export function listRegisterBooks(db: Db, agencyCode: string, opts: { openOn?: string } = {}) {
  let q = db.selectFrom('register_books').selectAll().where('agency_code', '=', agencyCode);
  if (opts.openOn) q = q.where('open_date', '<=', opts.openOn).where('close_date', '>=', opts.openOn);
  return q.orderBy('open_date', 'desc').orderBy('id', 'desc').execute();
}

export interface BookSearch { year?: unknown; name?: unknown; page?: unknown; pageSize?: unknown }
export type RegisterBookListItem = RegisterBookRow & { entry_count: number };

function paging(page: unknown, pageSize: unknown, max = 100) {
  const size = Math.min(Math.max(Math.trunc(Number(pageSize)) || 10, 1), max);
  return { page: Math.max(Math.trunc(Number(page)) || 1, 1), pageSize: size };
}

/** The search of "Quản lý sổ chứng thực": by year of the open date and by name, newest first, paged. */
export async function searchRegisterBooks(db: Db, agencyCode: string, f: BookSearch, opts: { all?: boolean } = {}): Promise<{ total: number; page: number; pageSize: number; items: RegisterBookListItem[] }> {
  const yearText = String(f.year ?? '').trim();
  if (yearText && !/^\d{4}$/.test(yearText)) throw new DomainError('validation', 'Năm không hợp lệ (4 chữ số, ví dụ 2026).', 'year');
  const nameText = String(f.name ?? '').trim().normalize('NFC');
  let q = db.selectFrom('register_books').where('agency_code', '=', agencyCode);
  if (yearText) q = q.where('open_date', '>=', `${yearText}-01-01`).where('open_date', '<=', `${yearText}-12-31`);
  if (nameText) q = q.where('name', 'ilike', containsPattern(nameText));
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const p = opts.all ? { page: 1, pageSize: Math.max(Number(total), 1) } : paging(f.page, f.pageSize);
  const items = await q.selectAll('register_books')
    .select((eb) => eb.selectFrom('register_entries').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('register_entries.register_book_id', '=', 'register_books.id').as('entry_count'))
    .orderBy('open_date', 'desc').orderBy('id', 'desc').limit(p.pageSize).offset((p.page - 1) * p.pageSize).execute();
  return { total: Number(total), ...p, items: items.map((b) => ({ ...b, entry_count: Number(b.entry_count ?? 0) })) };
}

export async function getRegisterBook(db: Db, agencyCode: string, id: number): Promise<RegisterBookListItem> {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new DomainError('not_found', NOT_FOUND);
  const book = await db.selectFrom('register_books').selectAll('register_books')
    .select((eb) => eb.selectFrom('register_entries').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('register_entries.register_book_id', '=', 'register_books.id').as('entry_count'))
    .where('id', '=', id).where('agency_code', '=', agencyCode).executeTakeFirst();
  if (!book) throw new DomainError('not_found', NOT_FOUND);
  return { ...book, entry_count: Number(book.entry_count ?? 0) };
}

/** A book's entries in number order, paged. */
export async function listBookEntries(db: Db, bookId: number, f: { page?: unknown; pageSize?: unknown }) {
  const p = paging(f.page, f.pageSize);
  const q = db.selectFrom('register_entries').where('register_book_id', '=', bookId);
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const items = await q.selectAll().orderBy('number').limit(p.pageSize).offset((p.page - 1) * p.pageSize).execute();
  return { total: Number(total), ...p, items };
}

/**
 * Edits a book (name, dates; the start number only while the book is empty, and then the next number follows
 * it). Fields left undefined keep their value. All of the agency's books are locked (FOR UPDATE, in id order,
 * so two edits cannot deadlock) for the length of the edit: a seal in any of them waits, and the checks below
 * see every number given so far.
 *
 * Rules, for a book that already has entries:
 * - the start number cannot change (the numbers given stand);
 * - the dates must still cover every entry: the open date not after the first certification date and the
 *   close date not before the last one;
 * - reopening a closed book (its close date has passed, so sealing with it is refused) is refused when the
 *   numbers it would give next were already given in that year by another of the agency's books, or when it
 *   would carry last year's numbering into a new year (NĐ 23/2015 Điều 13: numbers run through the year and
 *   start again at 01). Add a new book instead: its start number defaults to the year's next number.
 * Books of the agency may otherwise overlap in dates: several books (quyển) can legitimately be open at once
 * (e.g. a new quyển opened before the old one's close date, or a book kept for a separate series); numbers
 * are unique within a book, sealing only ever uses a book between its own open and close dates, and a closed
 * book is never used again for sealing unless an edit reopens it under the rule above.
 */
export async function updateRegisterBook(db: Db, input: { agencyCode: string; id: number; name?: unknown; startNumber?: unknown; openDate?: unknown; closeDate?: unknown; now?: Date }): Promise<RegisterBookRow> {
  if (!Number.isSafeInteger(input.id) || input.id < 1 || input.id > 2_147_483_647) throw new DomainError('not_found', NOT_FOUND);
  const parseDate = (v: unknown, field: 'openDate' | 'closeDate', label: string) => {
    const d = parseVnDate(String(v ?? ''));
    if (!d) throw new DomainError('validation', `${label} không hợp lệ (dd/mm/yyyy).`, field);
    return d;
  };
  const name = input.name === undefined ? undefined : validName(input.name);
  const start = input.startNumber === undefined ? undefined : validStart(input.startNumber);
  const openIn = input.openDate === undefined ? undefined : parseDate(input.openDate, 'openDate', 'Ngày mở sổ');
  const closeIn = input.closeDate === undefined ? undefined : parseDate(input.closeDate, 'closeDate', 'Ngày đóng sổ');
  const today = vnIsoDate(input.now ?? new Date());

  try {
    return await db.transaction().execute(async (tx) => {
      const books = await tx.selectFrom('register_books').selectAll().where('agency_code', '=', input.agencyCode).orderBy('id').forUpdate().execute();
      const book = books.find((b) => b.id === input.id);
      if (!book) throw new DomainError('not_found', NOT_FOUND);
      const open = openIn ?? book.open_date;
      const close = closeIn ?? book.close_date;
      validDates(open, close);
      if (name !== undefined && name !== book.name && books.some((b) => b.name === name)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');

      const stats = await tx.selectFrom('register_entries')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('certified_at').as('first'), eb.fn.max('certified_at').as('last')])
        .where('register_book_id', '=', book.id).executeTakeFirstOrThrow();
      const count = Number(stats.n);
      let current = book.current_number;
      if (count > 0) {
        if (start !== undefined && start !== book.start_number) {
          throw new DomainError('conflict', `Sổ ${book.name} đã cấp ${count} số chứng thực: không thể đổi số ban đầu (chỉ đổi được khi sổ còn trống).`, 'startNumber');
        }
        const firstDay = vnIsoDate(new Date(stats.first as Date));
        const lastDay = vnIsoDate(new Date(stats.last as Date));
        if (open > firstDay) throw new DomainError('validation', `Ngày mở sổ không được sau ngày chứng thực đầu tiên trong sổ (${isoToVn(firstDay)}).`, 'openDate');
        if (close < lastDay) throw new DomainError('validation', `Ngày đóng sổ không được trước ngày chứng thực cuối cùng trong sổ (${isoToVn(lastDay)}).`, 'closeDate');
        const reopens = book.close_date < today && close >= today && open <= today;
        if (reopens) {
          const lastYear = Number(lastDay.slice(0, 4));
          const thisYear = Number(today.slice(0, 4));
          if (thisYear !== lastYear) {
            throw new DomainError('validation', `Sổ ${book.name} đã khóa với số chứng thực của năm ${lastYear}; số chứng thực năm ${thisYear} bắt đầu lại từ 01, vui lòng thêm sổ mới.`, 'closeDate');
          }
          const [from, to] = yearBounds(thisYear);
          const taken = await tx.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
            .select(['register_entries.certification_number', 'register_books.name'])
            .where('register_books.agency_code', '=', input.agencyCode).where('register_books.id', '!=', book.id)
            .where('register_entries.number', '>=', book.current_number)
            .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
            .orderBy('register_entries.number').limit(1).executeTakeFirst();
          if (taken) {
            throw new DomainError('conflict', `Không thể mở lại sổ ${book.name}: số ${book.current_number}/ĐT trở đi đã được cấp năm ${thisYear} trong sổ ${taken.name}; mở lại sẽ cấp trùng số. Vui lòng thêm sổ mới.`, 'closeDate');
          }
        }
      } else if (start !== undefined) {
        current = start;
      }
      return tx.updateTable('register_books').set({
        name: name ?? book.name, start_number: count > 0 ? book.start_number : (start ?? book.start_number), current_number: current,
        open_date: open, close_date: close,
      }).where('id', '=', book.id).returningAll().executeTakeFirstOrThrow();
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
    throw e;
  }
}

/**
 * Deletes a book while it is empty. The book row is locked (FOR UPDATE) as a seal locks it, so a delete and a
 * seal racing on the same book are serialised: either the seal numbered first and the delete is refused, or
 * the delete went first and the seal finds no book (and gives no number).
 */
export async function deleteRegisterBook(db: Db, input: { agencyCode: string; id: number }): Promise<RegisterBookRow> {
  if (!Number.isSafeInteger(input.id) || input.id < 1 || input.id > 2_147_483_647) throw new DomainError('not_found', NOT_FOUND);
  return db.transaction().execute(async (tx) => {
    const book = await tx.selectFrom('register_books').selectAll().where('id', '=', input.id).where('agency_code', '=', input.agencyCode).forUpdate().executeTakeFirst();
    if (!book) throw new DomainError('not_found', NOT_FOUND);
    const { n } = await tx.selectFrom('register_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('register_book_id', '=', book.id).executeTakeFirstOrThrow();
    if (Number(n) > 0) throw new DomainError('conflict', `Sổ ${book.name} đã cấp ${Number(n)} số chứng thực nên không thể xóa; chỉ xóa được sổ còn trống.`);
    await tx.deleteFrom('register_books').where('id', '=', book.id).execute();
    return book;
  });
}

export async function allocateNumber(db: Db, input: { dossier: DossierView; registerBookId: number; at: string; signerName: string }): Promise<AllocatedNumber> {
  const d = input.dossier;
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
      .select(['register_entries.number', 'register_entries.certification_number', 'register_entries.certified_at', 'register_books.id', 'register_books.name'])
      .where('register_entries.dossier_code', '=', d.code).executeTakeFirst();
    if (existing) {
      return { certificationNumber: existing.certification_number, number: existing.number, registerBookId: existing.id, registerBookName: existing.name, certifiedAt: new Date(existing.certified_at).toISOString() };
    }
    // An id beyond int4 would fail in PostgreSQL on every retry: no such book, once and for all.
    if (!Number.isSafeInteger(input.registerBookId) || input.registerBookId < 1 || input.registerBookId > 2_147_483_647) throw new DomainError('not_found', NOT_FOUND);
    const book = await tx.selectFrom('register_books').selectAll().where('id', '=', input.registerBookId).forUpdate().executeTakeFirst();
    if (!book || book.agency_code !== d.agencyCode) throw new DomainError('not_found', NOT_FOUND);
    const today = vnIsoDate(new Date(input.at));
    if (today < book.open_date || today > book.close_date) {
      throw new DomainError('validation', `Sổ ${book.name} chỉ được dùng từ ngày mở sổ đến ngày đóng sổ; hôm nay sổ không mở.`);
    }
    const number = book.current_number;
    const certificationNumber = formatCertificationNumber(number);
    await tx.insertInto('register_entries').values({
      register_book_id: book.id, number, certification_number: certificationNumber, dossier_code: d.code,
      applicant_name: d.applicant.fullName, document_type_name: d.documentType.name, signer_name: input.signerName,
      copies: d.copies, fee: d.fee, certified_at: input.at,
    }).execute();
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
