// The use cases of register books (sổ chứng thực), which the screens, the JSON API and the dossiers' seal step
// call: add, search, view, edit and delete books with their rules, khóa sổ of a book and of a year, the book
// the seal step offers, and the Excel export. The numbers themselves are given by the worker
// (activities/register.ts); both lock the year's row first, then book rows: one order, so no deadlocks.
import { parseVnDate, vnDate, vnDateOfDay, vnIsoDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import { BOOK_SUFFIX, bookName, bookYear, REGISTER_BOOK_NOT_FOUND as NOT_FOUND, refuseClosedYear } from '../../domain/register.js';
import { normalizeText } from '../../domain/text.js';
import type { Db, RegisterBookRow } from '../../lib/db.js';
import { bookWorkbook, reportWorkbook, type BookExportLayout } from './export.js';
import { latestTemplate } from '../templates/service.js';
import { recordAdminEvent } from '../admin/service.js';
import { changedFields, type RegisterBookRecord } from '../../domain/admin-audit.js';
import * as q from './queries.js';

export { nextNumberOfYear } from './queries.js';

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === '23505';
}

/** An id that cannot be a book (not an int4 above 0) is simply not found. */
function refuseBadId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new DomainError('not_found', NOT_FOUND);
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
  if (closeDate.slice(0, 4) !== openDate.slice(0, 4)) {
    throw new DomainError('validation', `Ngày đóng sổ phải trong năm ${openDate.slice(0, 4)}: số chứng thực đánh theo từng năm và bắt đầu lại từ 01 khi sang năm mới.`, 'closeDate');
  }
}

function validYear(raw: unknown): number {
  const s = String(raw ?? '').trim();
  if (!/^\d{4}$/.test(s) || Number(s) < 1900) throw new DomainError('validation', 'Năm không hợp lệ (4 chữ số, ví dụ 2026).', 'year');
  return Number(s);
}

const closedOn = (at: Date | string) => vnDate(at);

/** A book as the audit of administration records it (before/after), in the transaction of the change. */
const bookRecord = (b: RegisterBookRow): RegisterBookRecord => ({
  agencyCode: b.agency_code, name: b.name, startNumber: b.start_number, currentNumber: b.current_number, openDate: b.open_date, closeDate: b.close_date,
  closedAt: b.closed_at ? new Date(b.closed_at).toISOString() : null, closedCount: b.closed_count, closedYearCount: b.closed_year_count,
});

function refuseOtherOpenBook(year: number, others: RegisterBookRow[]) {
  if (!others.length) return;
  const names = others.map((b) => b.name).join(', ');
  throw new DomainError('conflict', `Năm ${year} đang có sổ ${names} chưa khóa sổ. Số chứng thực đánh liên tục trong năm và mỗi lúc chỉ một sổ được cấp số: khóa sổ ${names} (khi sổ đã đầy) rồi mới thêm sổ mới.`, 'openDate');
}

/** A book's start number continues the year: the year's last number + 1 once the year has numbers. */
function refuseBrokenSequence(year: number, lastNumber: number, start: number) {
  if (lastNumber > 0 && start !== lastNumber + 1) {
    throw new DomainError('validation', `Số chứng thực năm ${year} đánh liên tục: số cuối cùng đã cấp là ${lastNumber}/ĐT nên sổ mới phải bắt đầu từ số ${lastNumber + 1}/ĐT (không phải ${start}/ĐT).`, 'startNumber');
  }
}

/**
 * Adds a book. The start number is digits only; left out (or blank) it is the next number of the open date's
 * year for the agency. Given, it must be that number once the year has numbers (for the year's first book it
 * may continue a numbering begun outside the system). Refused while another book of the year is open, and
 * for a year already closed.
 */
export async function createRegisterBook(db: Db, input: { agencyCode: string; name: unknown; startNumber?: unknown; openDate: string | null; closeDate: string | null; createdBy: string }): Promise<RegisterBookRow> {
  const name = validName(input.name);
  const blankStart = input.startNumber === undefined || input.startNumber === null || String(input.startNumber).trim() === '';
  const given = blankStart ? undefined : validStart(input.startNumber);
  validDates(input.openDate, input.closeDate);
  const year = Number(input.openDate!.slice(0, 4));
  if (await q.bookIdNamed(db, input.agencyCode, name)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
  try {
    return await db.transaction().execute(async (tx) => {
      const y = await q.lockYear(tx, input.agencyCode, year);
      refuseClosedYear(year, y);
      refuseOtherOpenBook(year, await q.openBooksOfYear(tx, input.agencyCode, year));
      const start = given ?? y.last_number + 1;
      refuseBrokenSequence(year, y.last_number, start);
      const book = await q.insertBook(tx, {
        agency_code: input.agencyCode, name, start_number: start, current_number: start, open_date: input.openDate!,
        close_date: input.closeDate!, created_by: input.createdBy,
      });
      await recordAdminEvent(tx, { actor: input.createdBy, agencyCode: book.agency_code, event: { entity: 'register_book', entityId: String(book.id), action: 'created', before: null, after: bookRecord(book) } });
      return book;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
    throw e;
  }
}

export type SealingBook = RegisterBookRow & { next_number: number };

/** What the seal screen offers: the book that takes the next number today, with that number (or nothing). */
export async function booksForSealing(db: Db, agencyCode: string, at: Date = new Date()): Promise<SealingBook[]> {
  const day = vnIsoDate(at);
  const year = Number(day.slice(0, 4));
  const y = await q.yearRow(db, agencyCode, year);
  if (y?.closed_at) return [];
  const book = await q.currentBook(db, agencyCode, day, y?.last_book_id ?? null);
  if (!book) return [];
  const last = y ? y.last_number : await q.lastNumberOfYear(db, agencyCode, year);
  return [{ ...book, next_number: last > 0 ? last + 1 : book.current_number }];
}

export interface BookSearch { year?: unknown; name?: unknown; page?: unknown; pageSize?: unknown }
export type RegisterBookListItem = RegisterBookRow & { entry_count: number };

/** Page and page size of a list, clamped (1 …, 1 … max, 10 by default). */
function pageOf(page: unknown, pageSize: unknown, max = 100) {
  const size = Math.min(Math.max(Math.trunc(Number(pageSize)) || 10, 1), max);
  return { page: Math.max(Math.trunc(Number(page)) || 1, 1), pageSize: size };
}

/** The search of "Quản lý sổ chứng thực": by year of the open date and by name, newest first, paged. */
export async function searchRegisterBooks(db: Db, agencyCode: string, f: BookSearch, opts: { all?: boolean } = {}): Promise<{ total: number; page: number; pageSize: number; items: RegisterBookListItem[] }> {
  const yearText = String(f.year ?? '').trim();
  if (yearText && !/^\d{4}$/.test(yearText)) throw new DomainError('validation', 'Năm không hợp lệ (4 chữ số, ví dụ 2026).', 'year');
  const filter = { year: yearText, name: String(f.name ?? '').trim().normalize('NFC') };
  const total = await q.countBooks(db, agencyCode, filter);
  const p = opts.all ? { page: 1, pageSize: Math.max(total, 1) } : pageOf(f.page, f.pageSize);
  const items = await q.booksPage(db, agencyCode, filter, p.pageSize, (p.page - 1) * p.pageSize);
  return { total, ...p, items: items.map((b) => ({ ...b, entry_count: Number(b.entry_count ?? 0) })) };
}

export async function getRegisterBook(db: Db, agencyCode: string, id: number): Promise<RegisterBookListItem> {
  refuseBadId(id);
  const book = await q.ownBookWithEntryCount(db, agencyCode, id);
  if (!book) throw new DomainError('not_found', NOT_FOUND);
  return { ...book, entry_count: Number(book.entry_count ?? 0) };
}

/** A book's entries in number order, paged. */
export async function listBookEntries(db: Db, bookId: number, f: { page?: unknown; pageSize?: unknown }) {
  const p = pageOf(f.page, f.pageSize);
  const total = await q.countEntries(db, bookId);
  const items = await q.bookEntries(db, bookId, { limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
  return { total, ...p, items };
}

/**
 * Edits a book (name, dates; the start number only while the book is empty, and then the next number follows
 * it). Fields left undefined keep their value. The year's sequence row is locked, then the book (as a seal
 * does), for the length of the edit: a seal waits, and the checks below see every number given so far.
 *
 * Rules:
 * - a closed book (khóa sổ) is not edited: its numbers and count stand as closed;
 * - the open and close dates stay in one year (numbering is per year);
 * - for a book with entries: the start number cannot change, and the dates must still cover every entry (the
 *   open date not after the first certification date, the close date not before the last one);
 * - an empty book's start number continues the year's sequence, and an empty book moved to another year
 *   follows that year's rules as a new book would (no other open book, year not closed).
 * Since numbers come from the year's sequence, moving the close date of the year's open book never makes it
 * give a number twice.
 */
export async function updateRegisterBook(db: Db, input: { agencyCode: string; id: number; name?: unknown; startNumber?: unknown; openDate?: unknown; closeDate?: unknown; by: string; now?: Date }): Promise<RegisterBookRow> {
  refuseBadId(input.id);
  const parseDate = (v: unknown, field: 'openDate' | 'closeDate', label: string) => {
    const d = parseVnDate(String(v ?? ''));
    if (!d) throw new DomainError('validation', `${label} không hợp lệ (dd/mm/yyyy).`, field);
    return d;
  };
  const name = input.name === undefined ? undefined : validName(input.name);
  const start = input.startNumber === undefined ? undefined : validStart(input.startNumber);
  const openIn = input.openDate === undefined ? undefined : parseDate(input.openDate, 'openDate', 'Ngày mở sổ');
  const closeIn = input.closeDate === undefined ? undefined : parseDate(input.closeDate, 'closeDate', 'Ngày đóng sổ');

  try {
    return await db.transaction().execute(async (tx) => {
      const pre = await q.ownBook(tx, input.agencyCode, input.id);
      if (!pre) throw new DomainError('not_found', NOT_FOUND);
      const open = openIn ?? pre.open_date;
      const close = closeIn ?? pre.close_date;
      validDates(open, close);
      const oldYear = bookYear(pre);
      const newYear = Number(open.slice(0, 4));
      const years = new Map<number, q.RegisterYearRow>();
      for (const y of [...new Set([oldYear, newYear])].sort((a, b) => a - b)) years.set(y, await q.lockYear(tx, input.agencyCode, y));
      const book = await q.lockBook(tx, pre.id);
      if (!book) throw new DomainError('not_found', NOT_FOUND);
      if (book.open_date !== pre.open_date) throw new DomainError('conflict', `Sổ ${book.name} vừa được sửa ở nơi khác; vui lòng tải lại trang và thử lại.`);
      if (book.closed_at) throw new DomainError('conflict', `Sổ ${book.name} đã khóa sổ ngày ${closedOn(book.closed_at)}: không sửa được nữa.`);
      if (name !== undefined && name !== book.name && await q.bookIdNamed(tx, input.agencyCode, name)) {
        throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
      }

      const stats = await q.entryStats(tx, book.id);
      const count = Number(stats.n);
      let current = book.current_number;
      if (count > 0) {
        if (start !== undefined && start !== book.start_number) {
          throw new DomainError('conflict', `Sổ ${book.name} đã cấp ${count} số chứng thực: không thể đổi số ban đầu (chỉ đổi được khi sổ còn trống).`, 'startNumber');
        }
        const firstDay = vnIsoDate(new Date(stats.first as Date));
        const lastDay = vnIsoDate(new Date(stats.last as Date));
        if (open > firstDay) throw new DomainError('validation', `Ngày mở sổ không được sau ngày chứng thực đầu tiên trong sổ (${vnDateOfDay(firstDay)}).`, 'openDate');
        if (close < lastDay) throw new DomainError('validation', `Ngày đóng sổ không được trước ngày chứng thực cuối cùng trong sổ (${vnDateOfDay(lastDay)}).`, 'closeDate');
      } else {
        const y = years.get(newYear)!;
        if (newYear !== oldYear) {
          refuseClosedYear(newYear, y);
          refuseOtherOpenBook(newYear, (await q.openBooksOfYear(tx, input.agencyCode, newYear)).filter((b) => b.id !== book.id));
        }
        if (start !== undefined || newYear !== oldYear) {
          const s = start ?? (y.last_number > 0 ? y.last_number + 1 : book.start_number);
          refuseBrokenSequence(newYear, y.last_number, s);
          current = s;
        }
      }
      const after = await q.updateBook(tx, book.id, {
        name: name ?? book.name, start_number: count > 0 ? book.start_number : current, current_number: current,
        open_date: open, close_date: close,
      });
      // Saved as it was (nothing changed): nothing to record, as for the other administrative edits.
      if (changedFields(bookRecord(book), bookRecord(after)).length) {
        await recordAdminEvent(tx, { actor: input.by, agencyCode: after.agency_code, event: { entity: 'register_book', entityId: String(after.id), action: 'updated', before: bookRecord(book), after: bookRecord(after) } });
      }
      return after;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
    throw e;
  }
}

/** Closes a book whose row (and year) the transaction holds: its count and the year's so far are recorded. */
async function closeLocked(tx: Db, book: RegisterBookRow, by: string, at: Date): Promise<RegisterBookRow> {
  const n = await q.countEntries(tx, book.id);
  return q.updateBook(tx, book.id, {
    closed_at: at, closed_by: by, closed_count: n, closed_year_count: await q.countOfYear(tx, book.agency_code, bookYear(book)),
  });
}

/**
 * Khóa sổ of one book (when it is full, to go on in a new book): it takes no numbers from then on; the count
 * of its certifications and of the year's so far are recorded with it.
 */
export async function closeRegisterBook(db: Db, input: { agencyCode: string; id: number; closedBy: string; now?: Date }): Promise<RegisterBookRow> {
  refuseBadId(input.id);
  return db.transaction().execute(async (tx) => {
    const pre = await q.ownBook(tx, input.agencyCode, input.id);
    if (!pre) throw new DomainError('not_found', NOT_FOUND);
    await q.lockYear(tx, input.agencyCode, bookYear(pre));
    const book = await q.lockBook(tx, pre.id);
    if (!book) throw new DomainError('not_found', NOT_FOUND);
    if (book.closed_at) throw new DomainError('conflict', `Sổ ${book.name} đã khóa sổ ngày ${closedOn(book.closed_at)}.`);
    const closed = await closeLocked(tx, book, input.closedBy, input.now ?? new Date());
    await recordAdminEvent(tx, { actor: input.closedBy, agencyCode: closed.agency_code, event: { entity: 'register_book', entityId: String(closed.id), action: 'closed', before: bookRecord(book), after: bookRecord(closed) } });
    return closed;
  });
}

export interface RegisterYear {
  year: number;
  /** Certifications of the year (entries), as recorded at closing, or so far. */
  certificationCount: number;
  lastNumber: number;
  closedAt: string | null;
  closedBy: string | null;
}

/**
 * Year-end closing (khóa sổ): from the year's last day on, closes every open book of the year and records the
 * count of the year's certifications. The year then takes no numbers and no new books; the next year's
 * numbering starts again at 01 (it is a sequence of its own).
 */
export async function closeRegisterYear(db: Db, input: { agencyCode: string; year: unknown; closedBy: string; now?: Date }): Promise<RegisterYear & { books: RegisterBookRow[] }> {
  const year = validYear(input.year);
  const now = input.now ?? new Date();
  if (vnIsoDate(now) < `${year}-12-31`) {
    throw new DomainError('validation', `Chỉ khóa sổ năm ${year} từ ngày 31/12/${year} (cuối năm). Sổ đã đầy giữa năm thì khóa từng sổ ở trang xem sổ.`, 'year');
  }
  return db.transaction().execute(async (tx) => {
    const y = await q.lockYear(tx, input.agencyCode, year);
    if (y.closed_at) throw new DomainError('conflict', `Năm ${year} đã khóa sổ ngày ${closedOn(y.closed_at)} với ${y.certification_count ?? 0} số chứng thực.`, 'year');
    const open = await q.lockOpenBooksOfYear(tx, input.agencyCode, year);
    const books: RegisterBookRow[] = [];
    for (const b of open) books.push(await closeLocked(tx, b, input.closedBy, now));
    const count = await q.countOfYear(tx, input.agencyCode, year);
    const row = await q.closeYearRow(tx, input.agencyCode, year, { closed_at: now, closed_by: input.closedBy, certification_count: count });
    // One event for the year's closing, naming the books it closed with it (no event per book: one action).
    const yearRecord = { agencyCode: input.agencyCode, year, lastNumber: y.last_number };
    await recordAdminEvent(tx, {
      actor: input.closedBy, agencyCode: input.agencyCode, event: {
        entity: 'register_year', entityId: String(year), action: 'closed',
        before: { ...yearRecord, certificationCount: null, closedAt: null, closedBooks: [] },
        after: { ...yearRecord, lastNumber: row.last_number, certificationCount: count, closedAt: now.toISOString(), closedBooks: books.map((b) => b.name) },
      },
    });
    return { ...yearOf(row, count), books };
  });
}

function yearOf(r: { year: number; last_number: number; closed_at: Date | null; closed_by: string | null; certification_count: number | null }, liveCount: number): RegisterYear {
  return {
    year: r.year, certificationCount: r.closed_at ? r.certification_count ?? 0 : liveCount, lastNumber: r.last_number,
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null, closedBy: r.closed_by,
  };
}

/** The agency's years with numbers or books, newest first: count, last number and closing. */
export async function listRegisterYears(db: Db, agencyCode: string): Promise<RegisterYear[]> {
  const bookYears = await q.yearsWithBooks(db, agencyCode);
  const rows = await q.yearRows(db, agencyCode);
  const years = [...new Set([...bookYears, ...rows.map((r) => r.year)])].sort((a, b) => b - a);
  const out: RegisterYear[] = [];
  for (const year of years) {
    const r = rows.find((x) => x.year === year);
    const live = await q.countOfYear(db, agencyCode, year);
    out.push(r ? yearOf(r, live) : { year, certificationCount: live, lastNumber: await q.lastNumberOfYear(db, agencyCode, year), closedAt: null, closedBy: null });
  }
  return out;
}

/**
 * Deletes a book while it is empty. The book row is locked (FOR UPDATE) as a seal locks it, so a delete and a
 * seal racing on the same book are serialised: either the seal numbered first and the delete is refused, or
 * the delete went first and the seal finds no book (and gives no number).
 */
export async function deleteRegisterBook(db: Db, input: { agencyCode: string; id: number; by: string }): Promise<RegisterBookRow> {
  refuseBadId(input.id);
  return db.transaction().execute(async (tx) => {
    const book = await q.lockOwnBook(tx, input.agencyCode, input.id);
    if (!book) throw new DomainError('not_found', NOT_FOUND);
    const n = await q.countEntries(tx, book.id);
    if (n > 0) throw new DomainError('conflict', `Sổ ${book.name} đã cấp ${n} số chứng thực nên không thể xóa; chỉ xóa được sổ còn trống.`);
    await q.deleteBook(tx, book.id);
    await recordAdminEvent(tx, { actor: input.by, agencyCode: book.agency_code, event: { entity: 'register_book', entityId: String(book.id), action: 'deleted', before: bookRecord(book), after: null } });
    return book;
  });
}

/** The agency's book as an Excel file (another agency's book is not found). */
export async function registerBookWorkbook(db: Db, agencyCode: string, bookId: number, layout: BookExportLayout = 'register'): Promise<{ fileName: string; buffer: Buffer }> {
  const book = await q.bookWithAgencyName(db, bookId);
  if (!book || book.agency_code !== agencyCode) throw new DomainError('not_found', NOT_FOUND);
  const entries = await q.bookEntries(db, bookId);
  return layout === 'report' ? reportWorkbook(book, entries) : bookWorkbook(book, entries, await latestTemplate(db, 'register_book'));
}
