// Register books in full, on the real stack (PostgreSQL, Temporal worker): the year's continuous numbering as a
// new book's start number (one open book per year), edits and their refusals, deletes only while empty, year-end
// closing (khóa sổ), and a delete racing a seal (row lock on the book), both with the allocation itself and
// through the dossier workflow.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { bookName } from '../../domain/register.js';
import type { Actor } from '../../domain/types.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { VIETNAMESE } from '../../lib/testing/http.js';
import type { DossierView } from '../../domain/dossier.js';
import { allocateNumber } from '../../activities/register.js';
import {
  booksForSealing, closeRegisterBook, closeRegisterYear, createRegisterBook, deleteRegisterBook, getRegisterBook, listBookEntries,
  listRegisterYears, nextNumberOfYear, searchRegisterBooks, updateRegisterBook,
} from './service.js';
import { vnIsoDate } from '../../domain/vn-time.js';

let h: Harness;
let canbo: Actor, lanhdao: Actor, vanthu: Actor;
const OTHER = '000.00.77.X01';

beforeAll(async () => {
  h = await createHarness({ web: false });
  await h.addAgency(OTHER, [{ username: 'vanthu7', roles: ['sealer'] }]);
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
});
afterAll(async () => { await h?.close(); });

let seq = 0;
/** Just enough of a dossier for allocateNumber (the register's own rules, without the workflow). */
function fakeDossier(agencyCode = h.agencyCode): DossierView {
  seq += 1;
  return {
    code: `REG-${crypto.randomBytes(3).toString('hex')}-${seq}`, agencyCode, applicant: { kind: 'no_account', fullName: `Người yêu cầu ${seq}`, idNumber: null, email: null, phone: null, accountUsername: null },
    documentType: { code: 'GKS', name: 'Giấy khai sinh' }, copies: 2, pageCount: 3, fee: 10000,
  } as unknown as DossierView;
}
const allocate = (bookId: number, at: string, agencyCode = h.agencyCode) => allocateNumber(h.db, { dossier: fakeDossier(agencyCode), registerBookId: bookId, at, signerName: 'Lâm Phước Thọ' });
// A year has one open book at a time: a book without dates gets a year of its own.
let freshYear = 2100;
const book = (over: Partial<Parameters<typeof createRegisterBook>[1]> = {}) => {
  const y = freshYear++;
  return createRegisterBook(h.db, { agencyCode: h.agencyCode, name: `Sổ ${crypto.randomBytes(3).toString('hex')}`, openDate: `${y}-01-01`, closeDate: `${y}-12-31`, createdBy: 'vanthu', ...over });
};
const close = (id: number, agencyCode = h.agencyCode) => closeRegisterBook(h.db, { agencyCode, id, closedBy: 'vanthu' });
const row = (id: number) => h.db.selectFrom('register_books').selectAll().where('id', '=', id).executeTakeFirst();
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (err) => err);
  expect(e, 'refused').toBeInstanceOf(DomainError);
  expect(e.message).toMatch(VIETNAMESE);
  return e as DomainError;
};

describe('a new book continues the year\'s numbering', () => {
  it('defaults the start number to the largest number given that year across the agency\'s books + 1, or 1', async () => {
    expect(await nextNumberOfYear(h.db, h.agencyCode, 2033)).toBe(1);
    const q1 = await book({ name: 'Quyển 1/2033', openDate: '2033-01-01', closeDate: '2033-03-31' });
    expect([q1.start_number, q1.current_number]).toEqual([1, 1]);
    for (const day of ['2033-02-01', '2033-02-02', '2033-03-31']) await allocate(q1.id, `${day}T03:00:00Z`);
    await close(q1.id); // full: the year goes on in a new book
    // Another agency's numbers, and another year's, do not count.
    const theirs = await createRegisterBook(h.db, { agencyCode: OTHER, name: 'Sổ khác', startNumber: '500', openDate: '2033-01-01', closeDate: '2033-12-31', createdBy: 'vanthu7' });
    await allocate(theirs.id, '2033-05-05T03:00:00Z', OTHER);
    const q2 = await book({ name: 'Quyển 2/2033', openDate: '2033-04-01', closeDate: '2033-12-31' });
    expect([q2.start_number, q2.current_number]).toEqual([4, 4]);
    await allocate(q2.id, '2033-04-02T03:00:00Z');
    await close(q2.id);
    // Blank counts as left out (the screen's field cleared); the API leaves it out.
    const q3 = await book({ name: 'Quyển 3/2033', startNumber: '  ', openDate: '2033-06-01', closeDate: '2033-12-31' });
    expect(q3.start_number).toBe(5);
    // A new year starts again at 1 …
    const next = await book({ name: 'Quyển 1/2034', openDate: '2034-01-01', closeDate: '2034-12-31' });
    expect(next.start_number).toBe(1);
    // … and a number given at 00:30 on 1 January in Vietnam (still 31 December in UTC) is next year's.
    await allocate(next.id, '2033-12-31T17:30:00Z');
    expect(await nextNumberOfYear(h.db, h.agencyCode, 2034)).toBe(2);
    expect(await nextNumberOfYear(h.db, h.agencyCode, 2033)).toBe(5);
    // An explicit start number must be the year's next one once the year has numbers (it was taken as given).
    await close(q3.id);
    const broken = await refusal(book({ name: 'Sổ riêng 2033', startNumber: '900', openDate: '2033-07-01', closeDate: '2033-12-31' }));
    expect([broken.field, broken.message.includes('5/ĐT')]).toEqual(['startNumber', true]);
    expect((await book({ name: 'Sổ riêng 2033', startNumber: '5', openDate: '2033-07-01', closeDate: '2033-12-31' })).start_number).toBe(5);
  });

  it('refuses letters or a negative start number, bad dates and a duplicate name, creating nothing', async () => {
    const count = async () => (await h.db.selectFrom('register_books').select('id').execute()).length;
    const before = await count();
    expect((await refusal(book({ startNumber: '12a' }))).field).toBe('startNumber');
    expect((await refusal(book({ startNumber: '-3' }))).field).toBe('startNumber');
    expect((await refusal(book({ startNumber: '0' }))).field).toBe('startNumber');
    expect((await refusal(book({ openDate: null }))).field).toBe('openDate');
    expect((await refusal(book({ openDate: '2031-06-01', closeDate: '2031-05-31' }))).field).toBe('closeDate');
    await book({ name: 'Sổ trùng tên' });
    const dup = await refusal(book({ name: 'Sổ trùng tên/ĐT' }));
    expect([dup.code, dup.field]).toEqual(['conflict', 'name']);
    expect(await count()).toBe(before + 1);
  });

  it('validates new books', async () => {
    const bad = async (input: Partial<Parameters<typeof createRegisterBook>[1]>) =>
      createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ X', startNumber: '1', openDate: '2026-01-01', closeDate: '2026-12-31', createdBy: 'vanthu', ...input }).then(() => null, (e) => e as DomainError);
    expect((await bad({ startNumber: '1a' }))?.field).toBe('startNumber');
    expect((await bad({ startNumber: '-3' }))?.field).toBe('startNumber');
    expect((await bad({ closeDate: '2025-12-31' }))?.field).toBe('closeDate');
    expect((await bad({ name: '  ' }))?.field).toBe('name');
    expect((await bad({ closeDate: '2027-01-31' }))?.field).toBe('closeDate'); // a book numbers one year
    await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ trùng', startNumber: '1', openDate: '2027-01-01', closeDate: '2027-12-31', createdBy: 'vanthu' });
    expect((await bad({ name: 'Sổ trùng/ĐT' }))?.code).toBe('conflict');
    expect(bookName('12/2026')).toBe('12/2026/ĐT');
    expect(bookName('12/2026 / dt')).toBe('12/2026/ĐT');
  });
});

describe('search', () => {
  it('finds books by the year of their open date and by name, paged', async () => {
    for (let i = 1; i <= 3; i++) await close((await book({ name: `Tìm kiếm ${i}/2040`, openDate: `2040-0${i}-01`, closeDate: '2040-12-31' })).id);
    await book({ name: 'Tìm kiếm 1/2041', openDate: '2041-01-01', closeDate: '2041-12-31' });
    const names = (r: { items: { name: string }[] }) => r.items.map((b) => b.name);
    const y2040 = await searchRegisterBooks(h.db, h.agencyCode, { year: '2040' });
    expect(names(y2040)).toEqual(['Tìm kiếm 3/2040/ĐT', 'Tìm kiếm 2/2040/ĐT', 'Tìm kiếm 1/2040/ĐT']);
    expect(names(await searchRegisterBooks(h.db, h.agencyCode, { name: 'tìm KIẾM 1' }))).toEqual(['Tìm kiếm 1/2041/ĐT', 'Tìm kiếm 1/2040/ĐT']);
    expect(names(await searchRegisterBooks(h.db, h.agencyCode, { year: '2041', name: 'kiếm' }))).toEqual(['Tìm kiếm 1/2041/ĐT']);
    const p2 = await searchRegisterBooks(h.db, h.agencyCode, { year: '2040', page: 2, pageSize: 2 });
    expect([p2.total, p2.page, p2.pageSize, names(p2)]).toEqual([3, 2, 2, ['Tìm kiếm 1/2040/ĐT']]);
    expect((await searchRegisterBooks(h.db, h.agencyCode, { name: '100%_' })).total).toBe(0);
    expect((await refusal(searchRegisterBooks(h.db, h.agencyCode, { year: '20x0' }))).field).toBe('year');
    expect((await searchRegisterBooks(h.db, OTHER, { name: 'Tìm kiếm' })).total).toBe(0);
  });
});

describe('editing a book', () => {
  it('changes name, dates and start number of an empty book; the next number follows the start number', async () => {
    const b = await book({ name: 'Sổ sửa', startNumber: '10' });
    const e = await updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu', name: 'Sổ đã sửa', startNumber: '25', openDate: '02/01/2031', closeDate: '2031-06-30' });
    expect(e).toMatchObject({ name: 'Sổ đã sửa/ĐT', start_number: 25, current_number: 25, open_date: '2031-01-02', close_date: '2031-06-30' });
    // Fields left out keep their value.
    const e2 = await updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu', closeDate: '2031-07-31' });
    expect(e2).toMatchObject({ name: 'Sổ đã sửa/ĐT', start_number: 25, current_number: 25, open_date: '2031-01-02', close_date: '2031-07-31' });
  });

  it('refuses renumbering a book with entries, dates that would leave entries out, and bad input; nothing changes', async () => {
    const b = await book({ name: 'Sổ có số', startNumber: '40', openDate: '2032-01-01', closeDate: '2032-12-31' });
    await allocate(b.id, '2032-03-10T03:00:00Z');
    await allocate(b.id, '2032-05-20T17:30:00Z'); // 00:30 on 21/05 in Vietnam
    const before = await row(b.id);
    const edit = (o: Partial<Parameters<typeof updateRegisterBook>[1]>) => refusal(updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu', ...o }));

    const renumber = await edit({ startNumber: '41' });
    expect([renumber.code, renumber.field]).toEqual(['conflict', 'startNumber']);
    expect(renumber.message).toMatch(/số ban đầu/);
    const late = await edit({ closeDate: '2032-05-20' });
    expect([late.code, late.field]).toEqual(['validation', 'closeDate']);
    expect(late.message).toContain('21/05/2032');
    const early = await edit({ openDate: '2032-03-11' });
    expect([early.code, early.field]).toEqual(['validation', 'openDate']);
    expect(early.message).toContain('10/03/2032');
    expect((await edit({ openDate: '2032-02-01', closeDate: '2032-01-31' })).field).toBe('closeDate');
    expect((await edit({ startNumber: 'abc' })).field).toBe('startNumber');
    expect((await edit({ openDate: '31/02/2032' })).field).toBe('openDate');
    expect((await edit({ name: '' })).field).toBe('name');
    await book({ name: 'Tên đã có' });
    expect((await edit({ name: 'Tên đã có' })).code).toBe('conflict');
    expect(await row(b.id)).toEqual(before);

    // The same start number with other changes is fine; the dates may still cover the entries exactly.
    const ok = await updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu', name: 'Sổ có số (sửa tên)', startNumber: 40, openDate: '2032-03-10', closeDate: '2032-05-21' });
    expect(ok).toMatchObject({ name: 'Sổ có số (sửa tên)/ĐT', start_number: 40, current_number: 42, open_date: '2032-03-10', close_date: '2032-05-21' });
  });

  it('a closed book is not edited and takes no numbers; dates stay in one year; the open book may be extended in its year', async () => {
    const q1 = await book({ name: 'Khóa 1/2035', openDate: '2035-01-01', closeDate: '2035-03-31' });
    for (const d of ['2035-02-01', '2035-03-01']) await allocate(q1.id, `${d}T03:00:00Z`);
    await close(q1.id);
    const q2 = await book({ name: 'Khóa 2/2035', openDate: '2035-04-01', closeDate: '2035-12-31' });
    expect(q2.start_number).toBe(3);
    await allocate(q2.id, '2035-04-02T03:00:00Z');
    const now = new Date('2035-05-10T03:00:00Z');
    const before = await row(q1.id);

    const e = await refusal(updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: q1.id, by: 'vanthu', closeDate: '2035-12-31', now }));
    expect(e.code).toBe('conflict');
    expect(e.message).toContain('Khóa 1/2035/ĐT');
    expect(e.message).toContain('đã khóa sổ');
    expect(await row(q1.id)).toEqual(before);
    // Sealing with it is refused (closed), and gives no number.
    expect((await refusal(allocate(q1.id, now.toISOString()))).message).toContain('Khóa 1/2035/ĐT');
    expect((await refusal(close(q1.id))).code).toBe('conflict');
    // A book numbers one year: its dates cannot reach into the next.
    const y = await refusal(updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: q2.id, by: 'vanthu', closeDate: '2036-12-31', now }));
    expect([y.code, y.field]).toEqual(['validation', 'closeDate']);
    expect(y.message).toMatch(/2035/);

    // The year's open book, past its close date, may be extended in its year and continues the year's numbers.
    const solo = await createRegisterBook(h.db, { agencyCode: OTHER, name: 'Mở lại', openDate: '2035-01-01', closeDate: '2035-02-28', createdBy: 'vanthu7' });
    await allocate(solo.id, '2035-02-01T03:00:00Z', OTHER);
    expect((await refusal(allocate(solo.id, now.toISOString(), OTHER))).message).toContain('Mở lại/ĐT');
    const reopened = await updateRegisterBook(h.db, { agencyCode: OTHER, id: solo.id, by: 'vanthu7', closeDate: '2035-12-31', now });
    expect(reopened.close_date).toBe('2035-12-31');
    expect((await allocate(solo.id, now.toISOString(), OTHER)).number).toBe(2);
  });

  it("another agency's book is not found, and stays as it was", async () => {
    const theirs = await createRegisterBook(h.db, { agencyCode: OTHER, name: 'Của đơn vị khác', openDate: '2031-01-01', closeDate: '2031-12-31', createdBy: 'vanthu7' });
    const before = await row(theirs.id);
    expect((await refusal(updateRegisterBook(h.db, { agencyCode: h.agencyCode, id: theirs.id, by: 'vanthu', name: 'Chiếm' }))).code).toBe('not_found');
    expect((await refusal(deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: theirs.id, by: 'vanthu' }))).code).toBe('not_found');
    expect((await refusal(getRegisterBook(h.db, h.agencyCode, theirs.id))).code).toBe('not_found');
    expect(await row(theirs.id)).toEqual(before);
  });
});

describe('deleting a book', () => {
  it('deletes an empty book and refuses a book with entries with a clear message', async () => {
    const empty = await book({ name: 'Sổ trống' });
    expect((await deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: empty.id, by: 'vanthu' })).name).toBe('Sổ trống/ĐT');
    expect(await row(empty.id)).toBeUndefined();
    expect((await refusal(deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: empty.id, by: 'vanthu' }))).code).toBe('not_found');

    const used = await book({ name: '05/2031', openDate: '2037-01-01', closeDate: '2037-12-31' });
    await allocate(used.id, '2037-02-02T03:00:00Z');
    const before = await row(used.id);
    const e = await refusal(deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: used.id, by: 'vanthu' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('Sổ 05/2031/ĐT đã cấp 1 số chứng thực nên không thể xóa; chỉ xóa được sổ còn trống.');
    expect(await row(used.id)).toEqual(before);
    expect((await listBookEntries(h.db, used.id, {})).total).toBe(1);
  });
});

describe('year-end closing (khóa sổ)', () => {
  it('closes the year\'s books with the year\'s count; they take no numbers; the next year starts again at 1', async () => {
    const q1 = await book({ name: 'Quyển 1/2045', openDate: '2045-01-01', closeDate: '2045-12-31' });
    for (const d of ['2045-02-01', '2045-03-01', '2045-04-01']) await allocate(q1.id, `${d}T03:00:00Z`);
    const full = await close(q1.id);
    expect([full.closed_count, full.closed_year_count]).toEqual([3, 3]);
    const q2 = await book({ name: 'Quyển 2/2045', openDate: '2045-05-01', closeDate: '2045-12-31' });
    for (const d of ['2045-06-01', '2045-12-31']) await allocate(q2.id, `${d}T03:00:00Z`);
    // Only at year end.
    const early = await refusal(closeRegisterYear(h.db, { agencyCode: h.agencyCode, year: '2045', closedBy: 'vanthu', now: new Date('2045-12-30T10:00:00Z') }));
    expect([early.code, early.field]).toEqual(['validation', 'year']);
    expect((await row(q2.id))?.closed_at).toBeNull();
    expect((await refusal(closeRegisterYear(h.db, { agencyCode: h.agencyCode, year: '20x5', closedBy: 'vanthu' }))).field).toBe('year');

    const at = new Date('2045-12-31T10:00:00Z'); // 17:00 on 31/12 in Vietnam
    const y = await closeRegisterYear(h.db, { agencyCode: h.agencyCode, year: '2045', closedBy: 'vanthu', now: at });
    expect(y).toMatchObject({ year: 2045, certificationCount: 5, lastNumber: 5, closedAt: at.toISOString(), closedBy: 'vanthu' });
    expect(y.books.map((b) => b.name)).toEqual(['Quyển 2/2045/ĐT']);
    expect(await row(q2.id)).toMatchObject({ closed_by: 'vanthu', closed_count: 2, closed_year_count: 5 });
    expect((await listRegisterYears(h.db, h.agencyCode)).find((r) => r.year === 2045)).toEqual({ year: 2045, certificationCount: 5, lastNumber: 5, closedAt: at.toISOString(), closedBy: 'vanthu' });

    // Closed: no numbers (not even later that day), no new book of the year, no second closing.
    const after = new Date('2045-12-31T12:00:00Z');
    expect((await refusal(allocate(q2.id, after.toISOString()))).message).toContain('đã khóa sổ');
    expect(await booksForSealing(h.db, h.agencyCode, after)).toEqual([]);
    expect((await refusal(book({ name: 'Quyển 3/2045', openDate: '2045-12-31', closeDate: '2045-12-31' }))).message).toContain('Năm 2045 đã khóa sổ');
    expect((await refusal(closeRegisterYear(h.db, { agencyCode: h.agencyCode, year: 2045, closedBy: 'vanthu', now: after }))).code).toBe('conflict');
    expect(await h.db.selectFrom('register_entries').select('id').where('register_book_id', '=', q2.id).execute()).toHaveLength(2);

    // A new year starts again at 01, also at 00:30 on 1 January in Vietnam.
    const next = await book({ name: 'Quyển 1/2046', openDate: '2046-01-01', closeDate: '2046-12-31' });
    expect(next.start_number).toBe(1);
    expect((await booksForSealing(h.db, h.agencyCode, new Date('2045-12-31T17:30:00Z'))).map((b) => [b.name, b.next_number])).toEqual([['Quyển 1/2046/ĐT', 1]]);
    expect((await allocate(next.id, '2045-12-31T17:30:00Z')).certificationNumber).toBe('1/ĐT');
  });

  it('allocates from the year\'s sequence even over books opened before the rules (two open books): one book takes the numbers', async () => {
    const a = await book({ name: 'Cũ A/2047', openDate: '2047-01-01', closeDate: '2047-12-31' });
    await allocate(a.id, '2047-01-05T03:00:00Z');
    // Data from before this version: a second open book of the year, starting at 50, inserted as it was allowed then.
    const legacy = await h.db.insertInto('register_books').values({ agency_code: h.agencyCode, name: 'Cũ B/2047/ĐT', start_number: 50, current_number: 50, open_date: '2047-01-01', close_date: '2047-12-31', created_by: 'vanthu' }).returningAll().executeTakeFirstOrThrow();
    const at = new Date('2047-01-06T03:00:00Z');
    expect((await booksForSealing(h.db, h.agencyCode, at)).map((b) => [b.name, b.next_number])).toEqual([['Cũ A/2047/ĐT', 2]]);
    const e = await refusal(allocate(legacy.id, at.toISOString()));
    expect(e.message).toContain('Cũ A/2047/ĐT');
    expect((await allocate(a.id, at.toISOString())).number).toBe(2);
    // Once A is closed, B goes on with the year's sequence (3), not from its own 50.
    await close(a.id);
    expect((await allocate(legacy.id, '2047-01-07T03:00:00Z')).number).toBe(3);
  });
});

describe('a delete racing a seal', () => {
  const orphans = async () => (await h.db.selectFrom('register_entries').leftJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .select('register_entries.dossier_code').where('register_books.id', 'is', null).execute()).length;
  const today = () => vnIsoDate(new Date());
  /** Today's book: the year's open book is closed first (one open book a year), the new one continues. */
  const todayBook = async (name: string) => {
    const open = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', h.agencyCode).where('closed_at', 'is', null)
      .where('open_date', '>=', `${today().slice(0, 4)}-01-01`).where('open_date', '<=', `${today().slice(0, 4)}-12-31`).execute();
    for (const b of open) await close(b.id);
    return book({ name, openDate: today(), closeDate: today() });
  };

  /** Holds the book's row lock, queues `first` then `second` behind it (in that order), then lets go. */
  async function queued<A, B>(bookId: number, first: () => Promise<A>, second: () => Promise<B>) {
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const holder = h.db.transaction().execute(async (tx) => {
      await tx.selectFrom('register_books').select('id').where('id', '=', bookId).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;
    const a = first().then((v) => ({ ok: true as const, v }), (e) => ({ ok: false as const, e }));
    await new Promise((r) => setTimeout(r, 300));
    const b = second().then((v) => ({ ok: true as const, v }), (e) => ({ ok: false as const, e }));
    await new Promise((r) => setTimeout(r, 300));
    release();
    await holder;
    return [await a, await b] as const;
  }

  it('seal first: the delete waits for the seal and is then refused', async () => {
    const b = await todayBook('Đua 1');
    const [seal, del] = await queued(b.id, () => allocate(b.id, new Date().toISOString()), () => deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu' }));
    expect(seal.ok).toBe(true);
    expect(del.ok).toBe(false);
    expect(!del.ok && (del.e as DomainError).code).toBe('conflict');
    expect((await row(b.id))?.current_number).toBe(b.start_number + 1);
    expect(await orphans()).toBe(0);
  });

  it('delete first: the seal waits for the delete, finds no book and gives no number', async () => {
    const b = await todayBook('Đua 2');
    const [del, seal] = await queued(b.id, () => deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu' }), () => allocate(b.id, new Date().toISOString()));
    expect(del.ok).toBe(true);
    expect(seal.ok).toBe(false);
    expect(!seal.ok && (seal.e as DomainError).code).toBe('not_found');
    expect(await row(b.id)).toBeUndefined();
    expect(await h.db.selectFrom('register_entries').select('id').where('register_book_id', '=', b.id).execute()).toEqual([]);
    expect(await orphans()).toBe(0);
  });

  it('unordered, many times: each pair ends as exactly one of the two outcomes', async () => {
    for (let i = 0; i < 12; i++) {
      const b = await todayBook(`Đua tự do ${i}`);
      const [seal, del] = await Promise.allSettled([allocate(b.id, new Date().toISOString()), deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu' })]);
      const entries = await h.db.selectFrom('register_entries').select('id').where('register_book_id', '=', b.id).execute();
      if (del.status === 'fulfilled') {
        expect(seal.status).toBe('rejected');
        expect(await row(b.id)).toBeUndefined();
        expect(entries).toEqual([]);
      } else {
        expect(seal.status).toBe('fulfilled');
        expect((del.reason as DomainError).code).toBe('conflict');
        expect(entries).toHaveLength(1);
      }
    }
    expect(await orphans()).toBe(0);
  });

  it('through the dossier workflow: the seal and the delete agree, and the dossier is consistent', async () => {
    const pdf = await makePdf(1);
    for (let i = 0; i < 2; i++) {
      const d = await h.service.create(canbo, { applicantKind: 'no_account', email: `dua${i}@example.vn`, fullName: `Công dân đua ${i}`, documentType: 'KHAC' }, uploadedPdf(h, pdf), crypto.randomUUID());
      await h.service.act(lanhdao, d.code, 'sign', {}, `sign-${d.code}`);
      const b = await todayBook(`Đua quy trình ${i}`);
      const sealing = h.service.act(vanthu, d.code, 'seal', { registerBookId: b.id }, `seal-${d.code}`);
      const deleting = i === 0 ? deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu' }) : new Promise((r) => setTimeout(r, 50)).then(() => deleteRegisterBook(h.db, { agencyCode: h.agencyCode, id: b.id, by: 'vanthu' }));
      const [seal, del] = await Promise.allSettled([sealing, deleting]);
      const view = await h.service.get(vanthu, d.code);
      if (del.status === 'fulfilled') {
        expect(seal.status).toBe('rejected');
        expect(view.status).toBe('awaiting_seal');
        expect(view.certificationNumber).toBeNull();
        expect(await h.db.selectFrom('register_entries').select('id').where('dossier_code', '=', d.code).execute()).toEqual([]);
      } else {
        expect(seal.status).toBe('fulfilled');
        expect(view.certificationNumber).toBe(`${b.start_number}/ĐT`);
        expect((await row(b.id))?.current_number).toBe(b.start_number + 1);
      }
    }
    expect(await orphans()).toBe(0);
  });
});
