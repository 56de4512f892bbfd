// The register-book and fee-report routes of /api/v1 on the real stack (web app on a port, worker on the Temporal
// dev server, PostgreSQL): what a sealer can do with books, what every refusal answers (4xx {error, message} in
// Vietnamese) and that a refusal changes nothing; the daily fee report as JSON and as Excel, read back cell by cell.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate } from '../../domain/vn-time.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, multipart, type Reply } from '../../lib/testing/http.js';
import { openApiDocument } from '../openapi.js';

let h: Harness;
const OTHER = '000.00.88.X02';
const YEAR = Number(vnIsoDate(new Date()).slice(0, 4));
const TODAY = vnIsoDate(new Date());

const { call } = apiClient(() => h.baseUrl);

const allBooks = () => h.db.selectFrom('register_books').selectAll().orderBy('id').execute();
const allEntries = () => h.db.selectFrom('register_entries').selectAll().orderBy('id').execute();
async function readXlsx(bytes: Buffer, sheet: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb.getWorksheet(sheet)!;
}

/** A dossier created, signed and sealed into the book through the API: a real register entry with its fee. */
async function certified(bookId: number, pages: number, copies: number, fullName: string): Promise<any> {
  const fields = { applicantKind: 'no_account', fullName, email: 'dan@example.vn', documentType: 'BTN', copies: String(copies) };
  const created = await call('canbo', 'POST', '/dossiers', { form: multipart(fields, 'scan', await makePdf(pages), 'scan.pdf', 'application/pdf') });
  const d = created.body;
  expect(created.status, JSON.stringify(d)).toBe(201);
  expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(d.code)}/sign`)).status).toBe(200);
  const sealed = await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(d.code)}/seal`, { json: { registerBookId: bookId } });
  expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
  return sealed.body;
}

let seeded: { id: number; name: string };
let first: any, second: any;

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency(OTHER, [{ username: 'vanthu2', roles: ['sealer'] }, { username: 'canbo2', roles: ['creator'] }]);
  seeded = await h.db.selectFrom('register_books').select(['id', 'name']).where('agency_code', '=', h.agencyCode).executeTakeFirstOrThrow();
  // Two real certifications today in the demo book: 3 pages × 2 copies, 1 page × 1 copy.
  first = await certified(seeded.id, 3, 2, 'Lê Thị Lệ Phí');
  second = await certified(seeded.id, 1, 1, 'Trần Văn Một Trang');
});
afterAll(async () => { await h?.close(); });

// =====================================================================================================

describe('register books', () => {
  it('GET lists the agency\'s books, searched by year of the open date and by name; sealer only', async () => {
    for (const [name, open] of [[`Sổ tìm ${YEAR - 1}`, `${YEAR - 1}-03-01`], [`Sổ tìm ${YEAR + 1}`, `${YEAR + 1}-02-01`]]) {
      expect((await call('vanthu', 'POST', '/register-books', { json: { name, startNumber: 1, openDate: open, closeDate: `${open.slice(0, 4)}-12-31` } })).status).toBe(201);
    }
    const names = (r: Reply) => r.body.map((b: { name: string }) => b.name);
    const all = await call('vanthu', 'GET', '/register-books');
    expect(all.status).toBe(200);
    expect(names(all)).toEqual(expect.arrayContaining([seeded.name, `Sổ tìm ${YEAR + 1}/ĐT`, `Sổ tìm ${YEAR - 1}/ĐT`]));
    expect(names(await call('vanthu', 'GET', `/register-books?year=${YEAR - 1}`))).toEqual([`Sổ tìm ${YEAR - 1}/ĐT`]);
    expect(names(await call('vanthu', 'GET', `/register-books?${new URLSearchParams({ year: String(YEAR + 1), name: 'sổ TÌM' })}`))).toEqual([`Sổ tìm ${YEAR + 1}/ĐT`]);
    expectRefusal(await call('vanthu', 'GET', '/register-books?year=abcd'), 400, 'validation', 'year');
    expectRefusal(await call('canbo', 'GET', '/register-books'), 403, 'forbidden');
    expect((await call('vanthu2', 'GET', '/register-books')).body).toEqual([]);
  });

  it('GET /register-books/{id} shows the book and its entries in number order, paged', async () => {
    const r = await call('vanthu', 'GET', `/register-books/${seeded.id}?pageSize=1&page=2`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: seeded.id, name: seeded.name, start_number: 1, current_number: 3, open_date: `${YEAR}-01-01`, close_date: `${YEAR}-12-31` });
    expect(r.body.entries).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(r.body.entries.items).toHaveLength(1);
    expect(r.body.entries.items[0]).toMatchObject({
      number: 2, certification_number: '2/ĐT', dossier_code: second.code, applicant_name: 'Trần Văn Một Trang', document_type_name: 'Bằng tốt nghiệp',
      signer_name: 'Lâm Phước Thọ', copies: 1, fee: 2000,
    });
    const p1 = await call('vanthu', 'GET', `/register-books/${seeded.id}`);
    expect(p1.body.entries.items.map((e: { number: number }) => e.number)).toEqual([1, 2]);
    expect(p1.body.entries.items[0]).toMatchObject({ dossier_code: first.code, copies: 2, fee: 10000 });
    expectRefusal(await call('canbo', 'GET', `/register-books/${seeded.id}`), 403, 'forbidden');
    expectRefusal(await call('vanthu2', 'GET', `/register-books/${seeded.id}`), 404, 'not_found');
    expectRefusal(await call('vanthu', 'GET', '/register-books/999999'), 404, 'not_found');
    expectRefusal(await call('vanthu', 'GET', '/register-books/abc'), 404, 'not_found');
  });

  it('PATCH edits name and dates, and the start number of an empty book (the next number follows)', async () => {
    // A year without numbers yet (the year's first book may start higher).
    const Y = YEAR + 2;
    const b = (await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ sẽ sửa', startNumber: 5, openDate: `${Y}-01-01`, closeDate: `${Y}-12-31` } })).body;
    const r = await call('vanthu', 'PATCH', `/register-books/${b.id}`, { json: { name: 'Sổ đã sửa', startNumber: '50', openDate: `${Y}-02-01`, closeDate: `${Y}-11-30` } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id: b.id, name: 'Sổ đã sửa/ĐT', start_number: 50, current_number: 50, open_date: `${Y}-02-01`, close_date: `${Y}-11-30` });
    const partial = await call('vanthu', 'PATCH', `/register-books/${b.id}`, { json: { closeDate: `${Y}-12-31` } });
    expect(partial.body).toMatchObject({ name: 'Sổ đã sửa/ĐT', start_number: 50, close_date: `${Y}-12-31` });
  });

  it('PATCH refuses renumbering a book with entries, dates leaving entries out, bad input, a non-sealer and another agency; nothing changes', async () => {
    const before = { books: await allBooks(), entries: await allEntries() };
    const url = `/register-books/${seeded.id}`;
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { startNumber: 7 } }), 409, 'conflict', 'startNumber');
    // The entries were certified today: a close date of yesterday would leave them out.
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { closeDate: vnIsoDate(new Date(Date.now() - 86400_000)) } }), 400, 'validation', 'closeDate');
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { openDate: `${YEAR}-12-31`, closeDate: `${YEAR}-01-01` } }), 400, 'validation', 'closeDate');
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { startNumber: '1a' } }), 400, 'validation', 'startNumber');
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { openDate: '2026-02-30' } }), 400, 'validation', 'openDate');
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { name: `Sổ tìm ${YEAR + 1}` } }), 409, 'conflict', 'name');
    // The book numbers one year; the empty book of another year may not start off its year's sequence.
    expectRefusal(await call('vanthu', 'PATCH', url, { json: { closeDate: `${YEAR + 1}-01-31` } }), 400, 'validation', 'closeDate');
    expectRefusal(await call('canbo', 'PATCH', url, { json: { name: 'Đổi tên' } }), 403, 'forbidden');
    expectRefusal(await call('lanhdao', 'PATCH', url, { json: { name: 'Đổi tên' } }), 403, 'forbidden');
    expectRefusal(await call('vanthu2', 'PATCH', url, { json: { name: 'Đổi tên' } }), 404, 'not_found');
    expect({ books: await allBooks(), entries: await allEntries() }).toEqual(before);
  });

  it('DELETE removes an empty book and refuses one with entries with a clear message; refusals change nothing', async () => {
    const empty = (await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ để xóa', startNumber: 1, openDate: `${YEAR + 3}-01-01`, closeDate: `${YEAR + 3}-12-31` } })).body;
    const before = { books: await allBooks(), entries: await allEntries() };
    expectRefusal(await call('canbo', 'DELETE', `/register-books/${empty.id}`), 403, 'forbidden');
    expectRefusal(await call('vanthu2', 'DELETE', `/register-books/${empty.id}`), 404, 'not_found');
    const used = await call('vanthu', 'DELETE', `/register-books/${seeded.id}`);
    expectRefusal(used, 409, 'conflict');
    expect(used.body.message).toBe(`Sổ ${seeded.name} đã cấp 2 số chứng thực nên không thể xóa; chỉ xóa được sổ còn trống.`);
    expect({ books: await allBooks(), entries: await allEntries() }).toEqual(before);

    const ok = await call('vanthu', 'DELETE', `/register-books/${empty.id}`);
    expect(ok.status).toBe(204);
    expectRefusal(await call('vanthu', 'GET', `/register-books/${empty.id}`), 404, 'not_found');
    expectRefusal(await call('vanthu', 'DELETE', `/register-books/${empty.id}`), 404, 'not_found');
  });

  it('export.xlsx is the own agency\'s book for the sealer', async () => {
    const r = await call('vanthu', 'GET', `/register-books/${seeded.id}/export.xlsx`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/spreadsheetml/);
    const ws = await readXlsx(r.bytes, 'Sổ chứng thực');
    expect(ws.getCell('B3').value).toBe(seeded.name);
    expect(ws.getCell('B5').value).toBe('3/ĐT');
    expect(ws.getRow(11).values).toEqual([undefined, 1, '1/ĐT', vnDateOf(TODAY), 'Lê Thị Lệ Phí', 'Bằng tốt nghiệp', 'Lâm Phước Thọ', 2, 10000, first.code]);
    expectRefusal(await call('canbo', 'GET', `/register-books/${seeded.id}/export.xlsx`), 403, 'forbidden');
    expectRefusal(await call('vanthu2', 'GET', `/register-books/${seeded.id}/export.xlsx`), 404, 'not_found');
  });

  it("export.xlsx?layout=report is the seed's short report; an unknown layout is a 400", async () => {
    const r = await call('vanthu', 'GET', `/register-books/${seeded.id}/export.xlsx?layout=report`);
    expect(r.status).toBe(200);
    const ws = await readXlsx(r.bytes, 'Báo cáo dữ liệu trong sổ');
    expect(ws.getCell('B1').value).toBe(seeded.name);
    expect((ws.getRow(7).values as unknown[]).slice(1)).toEqual([1, 'Lê Thị Lệ Phí', 'Bằng tốt nghiệp', '1/ĐT', vnDateOf(TODAY)]);
    expectRefusal(await call('vanthu', 'GET', `/register-books/${seeded.id}/export.xlsx?layout=seed`), 400, 'validation');
  });

  it('POST refuses a second open book of the year and a start that breaks the year\'s sequence; after khóa sổ a new book continues it', async () => {
    // The demo book gave 1/ĐT and 2/ĐT today (beforeAll) and is still open.
    expect([first.certificationNumber, second.certificationNumber]).toEqual(['1/ĐT', '2/ĐT']);
    const before = await allBooks();
    const twice = await call('vanthu', 'POST', '/register-books', { json: { name: `02/${YEAR}`, startNumber: 50, openDate: TODAY, closeDate: `${YEAR}-12-31` } });
    expectRefusal(twice, 409, 'conflict');
    expect(twice.body.message).toContain(seeded.name);
    expect(await allBooks()).toEqual(before);

    expectRefusal(await call('canbo', 'POST', `/register-books/${seeded.id}/close`), 403, 'forbidden');
    expectRefusal(await call('vanthu2', 'POST', `/register-books/${seeded.id}/close`), 404, 'not_found');
    const closed = await call('vanthu', 'POST', `/register-books/${seeded.id}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ id: seeded.id, closed_by: 'vanthu', closed_count: 2, closed_year_count: 2 });
    expect(closed.body.closed_at).toEqual(expect.any(String));
    expectRefusal(await call('vanthu', 'POST', `/register-books/${seeded.id}/close`), 409, 'conflict');
    expectRefusal(await call('vanthu', 'PATCH', `/register-books/${seeded.id}`, { json: { name: 'Đổi tên' } }), 409, 'conflict');

    const broken = await call('vanthu', 'POST', '/register-books', { json: { name: `02/${YEAR}`, startNumber: 50, openDate: TODAY, closeDate: `${YEAR}-12-31` } });
    expectRefusal(broken, 400, 'validation', 'startNumber');
    expect(broken.body.message).toContain('3/ĐT');
    const r = await call('vanthu', 'POST', '/register-books', { json: { name: `02/${YEAR}`, openDate: TODAY, closeDate: `${YEAR}-12-31` } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ name: `02/${YEAR}/ĐT`, start_number: 3, current_number: 3, closed_at: null });
    // The closed book takes no numbers.
    const d = (await call('canbo', 'POST', '/dossiers', { form: multipart({ applicantKind: 'no_account', fullName: 'Người Sổ Mới', email: 'moi@example.vn', documentType: 'BTN' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf') })).body;
    expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(d.code)}/sign`)).status).toBe(200);
    const refused = await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(d.code)}/seal`, { json: { registerBookId: seeded.id } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('đã khóa sổ');
    // (Sealing it in the new book would give 3/ĐT: activities/register.test.ts; the fee report below counts today's two.)
    const other = await call('vanthu2', 'POST', '/register-books', { json: { name: `01/${YEAR}`, openDate: TODAY, closeDate: `${YEAR}-12-31` } });
    expect(other.body.start_number).toBe(1);
  });

  it('years: the count per year, and the year-end closing (khóa sổ) from 31 December on', async () => {
    const years = await call('vanthu', 'GET', '/register-books/years');
    expect(years.status).toBe(200);
    expect(years.body.find((y: { year: number }) => y.year === YEAR)).toEqual({ year: YEAR, certificationCount: 2, lastNumber: 2, closedAt: null, closedBy: null });
    expectRefusal(await call('canbo', 'GET', '/register-books/years'), 403, 'forbidden');
    expectRefusal(await call('vanthu', 'POST', '/register-books/years/abcd/close'), 400, 'validation', 'year');
    if (TODAY < `${YEAR}-12-31`) expectRefusal(await call('vanthu', 'POST', `/register-books/years/${YEAR}/close`), 400, 'validation', 'year');
    // Last year is over: it closes, with its books ('Sổ tìm' of last year) and its count (none).
    const closed = await call('vanthu', 'POST', `/register-books/years/${YEAR - 1}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ year: YEAR - 1, certificationCount: 0, closedBy: 'vanthu' });
    expect(closed.body.books.map((b: { name: string }) => b.name)).toEqual([`Sổ tìm ${YEAR - 1}/ĐT`]);
    expectRefusal(await call('vanthu', 'POST', `/register-books/years/${YEAR - 1}/close`), 409, 'conflict', 'year');
    expectRefusal(await call('vanthu', 'POST', '/register-books', { json: { name: `Muộn ${YEAR - 1}`, openDate: `${YEAR - 1}-12-01`, closeDate: `${YEAR - 1}-12-31` } }), 409, 'conflict');
    expect((await call('vanthu2', 'GET', '/register-books/years')).body.find((y: { year: number }) => y.year === YEAR - 1)).toBeUndefined();
  });
});

const vnDateOf = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

// =====================================================================================================

describe('daily fee report', () => {
  it('GET /reports/fees lists the day\'s certified dossiers with pages, copies, fee and the total', async () => {
    const r = await call('vanthu', 'GET', '/reports/fees');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ date: TODAY, agency: { code: h.agencyCode, name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' }, count: 2, copies: 3, total: 12000 });
    expect(r.body.items.map((i: any) => [i.certificationNumber, i.dossierCode, i.applicantName, i.documentType, i.pageCount, i.copies, i.fee])).toEqual([
      ['1/ĐT', first.code, 'Lê Thị Lệ Phí', 'Bằng tốt nghiệp', 3, 2, 10000],
      ['2/ĐT', second.code, 'Trần Văn Một Trang', 'Bằng tốt nghiệp', 1, 1, 2000],
    ]);
    // The same with the date given, for the creator and the supervisor too; another agency sees its own (none).
    for (const u of ['canbo', 'giamsat']) expect((await call(u, 'GET', `/reports/fees?date=${TODAY}`)).body).toEqual(r.body);
    expect((await call('vanthu', 'GET', `/reports/fees?date=${vnDateOf(TODAY)}`)).body.total).toBe(12000);
    expect((await call('canbo2', 'GET', '/reports/fees')).body).toMatchObject({ agency: { code: OTHER }, count: 0, total: 0, items: [] });
  });

  it('counts a day in Vietnam time (UTC+7), from 00:00 to 23:59', async () => {
    const book = (await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ ngày biên', startNumber: 1, openDate: '2031-03-01', closeDate: '2031-03-31' } })).body;
    const entry = (n: number, at: string) => ({ register_book_id: book.id, number: n, certification_number: `${n}/ĐT`, dossier_code: `BIEN-${n}`, applicant_name: `Biên ${n}`, document_type_name: 'Giấy khai sinh', signer_name: 'x', copies: 1, fee: 1000 * n, certified_at: at });
    await h.db.insertInto('register_entries').values([
      entry(1, '2031-03-09T16:59:59Z'), // 09/03 23:59:59 in Vietnam
      entry(2, '2031-03-09T17:00:00Z'), // 10/03 00:00
      entry(3, '2031-03-10T16:59:00Z'), // 10/03 23:59
      entry(4, '2031-03-10T17:00:00Z'), // 11/03 00:00
    ]).execute();
    const r = await call('giamsat', 'GET', '/reports/fees?date=2031-03-10');
    expect(r.body.items.map((i: any) => i.certificationNumber)).toEqual(['2/ĐT', '3/ĐT']);
    expect(r.body).toMatchObject({ count: 2, total: 5000 });
    expect(r.body.items[0].pageCount).toBeNull(); // no dossier row behind these hand-made entries
  });

  it('fees.xlsx has the header block (agency, date, count, total) and the rows, cell by cell', async () => {
    const r = await call('canbo', 'GET', `/reports/fees.xlsx?date=${TODAY}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="bao-cao-le-phi-${h.agencyCode}-${TODAY}.xlsx"`);
    const ws = await readXlsx(r.bytes, 'Báo cáo lệ phí');
    const cell = (a: string) => ws.getCell(a).value;
    expect(cell('A1')).toBe('BÁO CÁO THU LỆ PHÍ CHỨNG THỰC BẢN SAO ĐIỆN TỬ');
    expect([cell('A3'), cell('B3')]).toEqual(['Cơ quan', 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng']);
    expect([cell('A4'), cell('B4')]).toEqual(['Ngày', vnDateOf(TODAY)]);
    expect([cell('A5'), cell('B5')]).toEqual(['Số hồ sơ', 2]);
    expect([cell('A6'), cell('B6')]).toEqual(['Tổng lệ phí (đồng)', 12000]);
    expect(ws.getRow(8).values).toEqual([undefined, 'STT', 'Số chứng thực', 'Mã chứng thực', 'Họ tên người yêu cầu', 'Tên bản chính giấy tờ', 'Số trang', 'Số bản sao', 'Lệ phí (đồng)']);
    expect(ws.getRow(9).values).toEqual([undefined, 1, '1/ĐT', first.code, 'Lê Thị Lệ Phí', 'Bằng tốt nghiệp', 3, 2, 10000]);
    expect(ws.getRow(10).values).toEqual([undefined, 2, '2/ĐT', second.code, 'Trần Văn Một Trang', 'Bằng tốt nghiệp', 1, 1, 2000]);
    expect([cell('A11'), cell('G11'), cell('H11')]).toEqual(['Tổng cộng', 3, 12000]);
    expect(ws.rowCount).toBe(11);

    // An empty day is a valid report: header block and the total row only.
    const empty = await readXlsx((await call('vanthu', 'GET', '/reports/fees.xlsx?date=2030-01-01')).bytes, 'Báo cáo lệ phí');
    expect([empty.getCell('B4').value, empty.getCell('B5').value, empty.getCell('B6').value, empty.getCell('A9').value, empty.getCell('H9').value]).toEqual(['01/01/2030', 0, 0, 'Tổng cộng', 0]);
  });

  it('refuses a bad date and the roles without access, in Vietnamese', async () => {
    expectRefusal(await call('vanthu', 'GET', '/reports/fees?date=2026-13-01'), 400, 'validation', 'date');
    expectRefusal(await call('vanthu', 'GET', '/reports/fees?date=hom-nay'), 400, 'validation', 'date');
    expectRefusal(await call('vanthu', 'GET', '/reports/fees.xlsx?date=31/02/2026'), 400, 'validation', 'date');
    expectRefusal(await call('lanhdao', 'GET', '/reports/fees'), 403, 'forbidden');
    expectRefusal(await call('quantri', 'GET', '/reports/fees.xlsx'), 403, 'forbidden');
  });
});

describe('OpenAPI', () => {
  it('documents the register-book and fee-report routes', () => {
    const documented = Object.entries(openApiDocument.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of ['GET /register-books', 'POST /register-books', 'GET /register-books/{id}', 'PATCH /register-books/{id}', 'DELETE /register-books/{id}',
      'GET /register-books/{id}/export.xlsx', 'GET /reports/fees', 'GET /reports/fees.xlsx',
      'GET /register-books/years', 'POST /register-books/years/{year}/close', 'POST /register-books/{id}/close']) expect(documented).toContain(route);
  });
});
