// Register books and certification numbers. NĐ 23/2015 Điều 13: numbers run in ONE sequence per agency and
// year, from 01 to the year's end, whatever the books (quyển). So the sequence lives in its own row
// (register_years), which every allocation of the year locks: no gaps, no duplicates, also under concurrent
// seals and activity retries. A year has at most one open book; a new one is opened only after the previous
// one is closed (khóa sổ, when full) and continues the year's last number; the year's books are closed at
// year end with the year's count.
import { ApplicationFailure } from '@temporalio/activity';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DossierView } from '../domain/dossier.js';
import { DomainError } from '../domain/errors.js';
import { normalizeText } from '../domain/text.js';
import { parseVnDate, vnDate, vnDateOfDay, vnIsoDate, vnYearStart } from '../domain/vn-time.js';
import { containsPattern, type Database, type Db, type RegisterBookRow } from '../lib/db.js';
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

/** The Vietnamese calendar year [start, end) as UTC instants. */
function yearBounds(year: number): [Date, Date] {
  return [vnYearStart(year), vnYearStart(year + 1)];
}

/** The year a book numbers: the year of its open date (its close date is in the same year). */
export const bookYear = (b: { open_date: string }) => Number(b.open_date.slice(0, 4));

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
  if (closeDate.slice(0, 4) !== openDate.slice(0, 4)) {
    throw new DomainError('validation', `Ngày đóng sổ phải trong năm ${openDate.slice(0, 4)}: số chứng thực đánh theo từng năm và bắt đầu lại từ 01 khi sang năm mới.`, 'closeDate');
  }
}

const closedOn = (at: Date | string) => vnDate(at);

/**
 * The next certification number of the year for an agency: the largest number given that year (by the
 * certification date, in Vietnam) across all of the agency's books, plus one; 1 when none was given yet.
 */
export async function nextNumberOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
  return (await lastNumberOfYear(db, agencyCode, year)) + 1;
}

async function lastNumberOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
  const [from, to] = yearBounds(year);
  const r = await db.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .select((eb) => eb.fn.max('register_entries.number').as('max'))
    .where('register_books.agency_code', '=', agencyCode)
    .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
    .executeTakeFirst();
  return Number(r?.max ?? 0);
}

async function countOfYear(db: Kysely<Database>, agencyCode: string, year: number): Promise<number> {
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
async function lockYear(tx: Transaction<Database>, agencyCode: string, year: number) {
  const [from, to] = yearBounds(year);
  await tx.insertInto('register_years').values({
    agency_code: agencyCode, year,
    last_number: sql<number>`(select coalesce(max(e.number), 0) from register_entries e join register_books b on b.id = e.register_book_id
      where b.agency_code = ${agencyCode} and e.certified_at >= ${from} and e.certified_at < ${to})`,
  }).onConflict((oc) => oc.columns(['agency_code', 'year']).doNothing()).execute();
  return tx.selectFrom('register_years').selectAll().where('agency_code', '=', agencyCode).where('year', '=', year).forUpdate().executeTakeFirstOrThrow();
}

/** The agency's books of a year that are not closed. */
function openBooksOfYear(db: Kysely<Database>, agencyCode: string, year: number) {
  return db.selectFrom('register_books').selectAll().where('agency_code', '=', agencyCode).where('closed_at', 'is', null)
    .where('open_date', '>=', `${year}-01-01`).where('open_date', '<=', `${year}-12-31`).orderBy('id').execute();
}

function refuseClosedYear(year: number, y: { closed_at: Date | null }) {
  if (y.closed_at) throw new DomainError('conflict', `Năm ${year} đã khóa sổ ngày ${closedOn(y.closed_at)}: không thêm sổ, không cấp số chứng thực của năm ${year} nữa.`);
}

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
  const dup = await db.selectFrom('register_books').select('id').where('agency_code', '=', input.agencyCode).where('name', '=', name).executeTakeFirst();
  if (dup) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
  try {
    return await db.transaction().execute(async (tx) => {
      const y = await lockYear(tx, input.agencyCode, year);
      refuseClosedYear(year, y);
      refuseOtherOpenBook(year, await openBooksOfYear(tx, input.agencyCode, year));
      const start = given ?? y.last_number + 1;
      refuseBrokenSequence(year, y.last_number, start);
      return tx.insertInto('register_books').values({
        agency_code: input.agencyCode, name, start_number: start, current_number: start, open_date: input.openDate!,
        close_date: input.closeDate!, created_by: input.createdBy,
      }).returningAll().executeTakeFirstOrThrow();
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
    throw e;
  }
}

/**
 * The book that takes the next number of `day`'s year: of the year's open books in their dates, the one that
 * gave the year's last number, else the first opened. Normally the year has one open book; older data may
 * hold two, and then numbers still go on in one book only.
 */
async function currentBook(db: Kysely<Database>, agencyCode: string, day: string, lastBookId: number | null): Promise<RegisterBookRow | undefined> {
  const year = Number(day.slice(0, 4));
  const books = (await openBooksOfYear(db, agencyCode, year)).filter((b) => b.open_date <= day && day <= b.close_date);
  return books.find((b) => b.id === lastBookId) ?? books[0];
}

export type SealingBook = RegisterBookRow & { next_number: number };

/** What the seal screen offers: the book that takes the next number today, with that number (or nothing). */
export async function booksForSealing(db: Db, agencyCode: string, at: Date = new Date()): Promise<SealingBook[]> {
  const day = vnIsoDate(at);
  const year = Number(day.slice(0, 4));
  const y = await db.selectFrom('register_years').selectAll().where('agency_code', '=', agencyCode).where('year', '=', year).executeTakeFirst();
  if (y?.closed_at) return [];
  const book = await currentBook(db, agencyCode, day, y?.last_book_id ?? null);
  if (!book) return [];
  const last = y ? y.last_number : await lastNumberOfYear(db, agencyCode, year);
  return [{ ...book, next_number: last > 0 ? last + 1 : book.current_number }];
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

  try {
    return await db.transaction().execute(async (tx) => {
      const pre = await tx.selectFrom('register_books').selectAll().where('id', '=', input.id).where('agency_code', '=', input.agencyCode).executeTakeFirst();
      if (!pre) throw new DomainError('not_found', NOT_FOUND);
      const open = openIn ?? pre.open_date;
      const close = closeIn ?? pre.close_date;
      validDates(open, close);
      const oldYear = bookYear(pre);
      const newYear = Number(open.slice(0, 4));
      const years = new Map<number, Awaited<ReturnType<typeof lockYear>>>();
      for (const y of [...new Set([oldYear, newYear])].sort((a, b) => a - b)) years.set(y, await lockYear(tx, input.agencyCode, y));
      const book = await tx.selectFrom('register_books').selectAll().where('id', '=', pre.id).forUpdate().executeTakeFirst();
      if (!book) throw new DomainError('not_found', NOT_FOUND);
      if (book.open_date !== pre.open_date) throw new DomainError('conflict', `Sổ ${book.name} vừa được sửa ở nơi khác; vui lòng tải lại trang và thử lại.`);
      if (book.closed_at) throw new DomainError('conflict', `Sổ ${book.name} đã khóa sổ ngày ${closedOn(book.closed_at)}: không sửa được nữa.`);
      if (name !== undefined && name !== book.name) {
        const taken = await tx.selectFrom('register_books').select('id').where('agency_code', '=', input.agencyCode).where('name', '=', name).executeTakeFirst();
        if (taken) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
      }

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
        if (open > firstDay) throw new DomainError('validation', `Ngày mở sổ không được sau ngày chứng thực đầu tiên trong sổ (${vnDateOfDay(firstDay)}).`, 'openDate');
        if (close < lastDay) throw new DomainError('validation', `Ngày đóng sổ không được trước ngày chứng thực cuối cùng trong sổ (${vnDateOfDay(lastDay)}).`, 'closeDate');
      } else {
        const y = years.get(newYear)!;
        if (newYear !== oldYear) {
          refuseClosedYear(newYear, y);
          refuseOtherOpenBook(newYear, (await openBooksOfYear(tx, input.agencyCode, newYear)).filter((b) => b.id !== book.id));
        }
        if (start !== undefined || newYear !== oldYear) {
          const s = start ?? (y.last_number > 0 ? y.last_number + 1 : book.start_number);
          refuseBrokenSequence(newYear, y.last_number, s);
          current = s;
        }
      }
      return tx.updateTable('register_books').set({
        name: name ?? book.name, start_number: count > 0 ? book.start_number : current, current_number: current,
        open_date: open, close_date: close,
      }).where('id', '=', book.id).returningAll().executeTakeFirstOrThrow();
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
    throw e;
  }
}

async function closeLocked(tx: Transaction<Database>, book: RegisterBookRow, by: string, at: Date): Promise<RegisterBookRow> {
  const { n } = await tx.selectFrom('register_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('register_book_id', '=', book.id).executeTakeFirstOrThrow();
  return tx.updateTable('register_books').set({
    closed_at: at, closed_by: by, closed_count: Number(n), closed_year_count: await countOfYear(tx, book.agency_code, bookYear(book)),
  }).where('id', '=', book.id).returningAll().executeTakeFirstOrThrow();
}

/**
 * Khóa sổ of one book (when it is full, to go on in a new book): it takes no numbers from then on; the count
 * of its certifications and of the year's so far are recorded with it.
 */
export async function closeRegisterBook(db: Db, input: { agencyCode: string; id: number; closedBy: string; now?: Date }): Promise<RegisterBookRow> {
  if (!Number.isSafeInteger(input.id) || input.id < 1 || input.id > 2_147_483_647) throw new DomainError('not_found', NOT_FOUND);
  return db.transaction().execute(async (tx) => {
    const pre = await tx.selectFrom('register_books').selectAll().where('id', '=', input.id).where('agency_code', '=', input.agencyCode).executeTakeFirst();
    if (!pre) throw new DomainError('not_found', NOT_FOUND);
    await lockYear(tx, input.agencyCode, bookYear(pre));
    const book = await tx.selectFrom('register_books').selectAll().where('id', '=', pre.id).forUpdate().executeTakeFirst();
    if (!book) throw new DomainError('not_found', NOT_FOUND);
    if (book.closed_at) throw new DomainError('conflict', `Sổ ${book.name} đã khóa sổ ngày ${closedOn(book.closed_at)}.`);
    return closeLocked(tx, book, input.closedBy, input.now ?? new Date());
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

function validYear(raw: unknown): number {
  const s = String(raw ?? '').trim();
  if (!/^\d{4}$/.test(s) || Number(s) < 1900) throw new DomainError('validation', 'Năm không hợp lệ (4 chữ số, ví dụ 2026).', 'year');
  return Number(s);
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
    const y = await lockYear(tx, input.agencyCode, year);
    if (y.closed_at) throw new DomainError('conflict', `Năm ${year} đã khóa sổ ngày ${closedOn(y.closed_at)} với ${y.certification_count ?? 0} số chứng thực.`, 'year');
    const open = await tx.selectFrom('register_books').selectAll().where('agency_code', '=', input.agencyCode).where('closed_at', 'is', null)
      .where('open_date', '>=', `${year}-01-01`).where('open_date', '<=', `${year}-12-31`).orderBy('id').forUpdate().execute();
    const books: RegisterBookRow[] = [];
    for (const b of open) books.push(await closeLocked(tx, b, input.closedBy, now));
    const count = await countOfYear(tx, input.agencyCode, year);
    const row = await tx.updateTable('register_years').set({ closed_at: now, closed_by: input.closedBy, certification_count: count })
      .where('agency_code', '=', input.agencyCode).where('year', '=', year).returningAll().executeTakeFirstOrThrow();
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
  const bookYears = await db.selectFrom('register_books').select(sql<number>`extract(year from open_date)::int`.as('year')).where('agency_code', '=', agencyCode).distinct().execute();
  const rows = await db.selectFrom('register_years').selectAll().where('agency_code', '=', agencyCode).execute();
  const years = [...new Set([...bookYears.map((b) => Number(b.year)), ...rows.map((r) => r.year)])].sort((a, b) => b - a);
  const out: RegisterYear[] = [];
  for (const year of years) {
    const r = rows.find((x) => x.year === year);
    const live = await countOfYear(db, agencyCode, year);
    out.push(r ? yearOf(r, live) : { year, certificationCount: live, lastNumber: await lastNumberOfYear(db, agencyCode, year), closedAt: null, closedBy: null });
  }
  return out;
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
    if (!pre || pre.agency_code !== d.agencyCode) throw new DomainError('not_found', NOT_FOUND);
    const today = vnIsoDate(new Date(input.at));
    const year = Number(today.slice(0, 4));
    const y = await lockYear(tx, d.agencyCode, year);
    const book = await tx.selectFrom('register_books').selectAll().where('id', '=', pre.id).forUpdate().executeTakeFirst();
    if (!book) throw new DomainError('not_found', NOT_FOUND);
    if (book.closed_at) throw new DomainError('validation', `Sổ ${book.name} đã khóa sổ ngày ${closedOn(book.closed_at)}: không cấp số chứng thực nữa.`);
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
