// The register-book screens ("Quản lý sổ chứng thực", seed II.4.1) and the fee report in a real browser: Debian's
// Chromium driven by playwright-core, on the real app, worker, Temporal dev server and PostgreSQL. The seal keeper
// adds a book (its start number continuing the year), searches, edits, views its entries, exports it to Excel,
// is refused deleting a book with entries and deletes an empty one. Screenshots go to docs/screenshots/.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import ExcelJS from 'exceljs';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate } from '../../domain/vn-time.js';
import {
  click, flash, login, openMenu, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld,
} from '../../lib/testing/browser.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';

const TODAY = vnIsoDate(new Date());
const YEAR = TODAY.slice(0, 4);
const vn = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-books-browser-', { acceptDownloads: true });
  if (world) ({ h, tmp } = world);
});

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------------------
// Helpers: what a person does on a screen (the common ones in lib/testing/browser.ts).

const newPage = () => world!.newPage();

async function refused(page: Page, text: string) {
  await seeText(page.getByTestId('error'), text);
}

const bookRow = (page: Page, name: string) => page.locator(`tr[data-book="${name}"]`);
const bookInDb = (name: string) => h.db.selectFrom('register_books').selectAll().where('name', '=', name).executeTakeFirst();

/** A dossier created, signed and sealed into the book on the server side: a real register entry. */
async function certify(bookId: number, fullName: string): Promise<string> {
  const [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  const scan = uploadedPdf(h, await makePdf(2));
  const d = await h.service.create(canbo, { applicantKind: 'no_account', fullName, email: 'dan@example.vn', documentType: 'GKS' }, scan, crypto.randomUUID());
  await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
  await h.service.act(vanthu, d.code, 'seal', { registerBookId: bookId }, crypto.randomUUID());
  return d.code;
}

// ---------------------------------------------------------------------------------------------------------

describe('register books in Chromium', () => {
  it('adds, searches, edits, views, exports and deletes books; refuses what the rules forbid', async () => {
    requireChromium();
    // The demo book has given 1/ĐT this year: a new book's start number continues at 2.
    const demo = (await bookInDb(`01/${YEAR}/ĐT`))!;
    const firstCode = await certify(demo.id, 'Nguyễn Thị Thu');

    const vanthu = await newPage();
    await login(vanthu, 'vanthu');
    await openMenu(vanthu, 'Quản lý sổ chứng thực');
    await seeText(bookRow(vanthu, demo.name), '1/ĐT', '2/ĐT', `01/01/${YEAR}`, `31/12/${YEAR}`);

    // 1. The year's numbers run on over its books, one open book at a time: adding one while the demo book is
    //    open is refused; the demo book is closed (khóa sổ, full), with its count.
    await vanthu.getByTestId('add-book').click();
    await vanthu.getByTestId('book-form').getByLabel('Tên sổ chứng thực').fill(`02/${YEAR}`);
    await vanthu.getByTestId('book-form').getByLabel('Số ban đầu').fill('50');
    await vanthu.getByTestId('save-book').click();
    await refused(vanthu, `Năm ${YEAR} đang có sổ ${demo.name} chưa khóa sổ.`);
    expect(await bookInDb(`02/${YEAR}/ĐT`)).toBeUndefined();
    await openMenu(vanthu, 'Quản lý sổ chứng thực');
    await bookRow(vanthu, demo.name).getByRole('link', { name: 'Xem', exact: true }).click();
    // The book's own page first: until the boosted navigation lands, the list's "KHÓA SỔ CUỐI NĂM" is on screen,
    // and a case-blind 'Khóa sổ' would open that one (seen under load: then the book's button is never visible).
    await seeText(vanthu.getByTestId('book-name'), demo.name);
    await click(vanthu.locator('summary', { hasText: /^Khóa sổ$/ }));
    await vanthu.getByTestId('close-book').click();
    await flash(vanthu, `Đã khóa sổ ${demo.name}: sổ có 1 số chứng thực; năm ${YEAR} đến nay có 1 số chứng thực.`);
    await seeText(vanthu.getByTestId('book-closed'), 'Đã khóa sổ ngày', 'sổ có 1 số chứng thực');
    expect((await bookInDb(demo.name))?.closed_count).toBe(1);
    await openMenu(vanthu, 'Quản lý sổ chứng thực');
    await seeText(bookRow(vanthu, demo.name).getByTestId('book-closed'), 'Đã khóa sổ', '1 số');

    // Add: the form proposes the year's next number; a close date before the open date is refused.
    await vanthu.getByTestId('add-book').click();
    await seeText(vanthu.locator('.breadcrumb'), 'Thêm mới sổ chứng thực');
    const form = vanthu.getByTestId('book-form');
    expect(await form.getByLabel('Số ban đầu').inputValue()).toBe('2');
    await seeText(form, `số tiếp theo của năm ${YEAR} là 2/ĐT`);
    expect(await form.getByLabel('Ngày mở sổ').inputValue()).toBe(vn(TODAY));
    await form.getByLabel('Tên sổ chứng thực').fill(`02/${YEAR}`);
    await form.getByLabel('Ngày đóng sổ').fill(`01/01/${Number(YEAR) - 1}`);
    await vanthu.getByTestId('save-book').click();
    await refused(vanthu, 'Ngày đóng sổ phải sau hoặc bằng ngày mở sổ.');
    expect(await bookInDb(`02/${YEAR}/ĐT`)).toBeUndefined();
    expect(await form.getByLabel('Tên sổ chứng thực').inputValue(), 'the form keeps what was typed').toBe(`02/${YEAR}`);
    await form.getByLabel('Ngày đóng sổ').fill(`31/12/${YEAR}`);
    await vanthu.getByTestId('save-book').click();
    await flash(vanthu, `Đã thêm sổ chứng thực 02/${YEAR}/ĐT, số ban đầu 2/ĐT.`);
    await seeText(bookRow(vanthu, `02/${YEAR}/ĐT`), '2/ĐT', vn(TODAY), `31/12/${YEAR}`);
    await seeText(vanthu.getByTestId('result-count'), 'Tìm thấy 2 kết quả');
    await shot(vanthu, '11-so-chung-thuc');

    // 2. Search by year and name.
    const search = vanthu.getByTestId('book-search');
    await search.getByLabel('Năm:').fill(YEAR);
    await search.getByLabel('Tên sổ chứng thực:').fill('02/');
    await search.getByRole('button', { name: 'TÌM KIẾM', exact: true }).click();
    await seeText(vanthu.getByTestId('result-count'), 'Tìm thấy 1 kết quả');
    expect(await bookRow(vanthu, demo.name).count()).toBe(0);
    await search.getByLabel('Năm:').fill(String(Number(YEAR) + 1));
    await search.getByRole('button', { name: 'TÌM KIẾM', exact: true }).click();
    await seeText(vanthu.getByTestId('result-count'), 'Tìm thấy 0 kết quả');
    await search.getByLabel('Năm:').fill(YEAR);
    await search.getByRole('button', { name: 'TÌM KIẾM', exact: true }).click();
    await seeText(vanthu.getByTestId('result-count'), 'Tìm thấy 1 kết quả');

    // 3. Edit the empty book: a start number off the year's sequence is refused; the new name is saved.
    await bookRow(vanthu, `02/${YEAR}/ĐT`).getByRole('link', { name: 'Sửa', exact: true }).click();
    await seeText(vanthu.locator('.breadcrumb'), 'Sửa thông tin sổ chứng thực');
    await form.getByLabel('Tên sổ chứng thực').fill(`Quyển 02/${YEAR}`);
    await form.getByLabel('Số ban đầu').fill('5');
    await vanthu.getByTestId('save-book').click();
    await refused(vanthu, 'sổ mới phải bắt đầu từ số 2/ĐT');
    await form.getByLabel('Số ban đầu').fill('2');
    await vanthu.getByTestId('save-book').click();
    await flash(vanthu, `Đã lưu sổ chứng thực Quyển 02/${YEAR}/ĐT.`);
    await seeText(vanthu.getByTestId('book-name'), `Quyển 02/${YEAR}/ĐT`);
    await seeText(vanthu.getByTestId('book-info'), '2/ĐT');
    await seeText(vanthu.getByTestId('current-number'), '2/ĐT');
    const book = (await bookInDb(`Quyển 02/${YEAR}/ĐT`))!;
    expect([book.start_number, book.current_number]).toEqual([2, 2]);

    // 4. A seal in this book; the view lists the entry.
    const code = await certify(book.id, 'Ninh Thị Liễu');
    await vanthu.reload();
    await seeText(vanthu.getByTestId('current-number'), '3/ĐT');
    const entry = vanthu.locator('tr[data-number="2"]');
    await seeText(entry, '2/ĐT', code, 'Ninh Thị Liễu', 'Giấy khai sinh', vn(TODAY), '4.000 đồng', 'Lâm Phước Thọ');
    await seeText(vanthu.getByTestId('result-count'), 'Tìm thấy 1 kết quả');
    await shot(vanthu, '12-xem-so');

    // 5. Now that it has entries: the start number is read-only, and dates leaving the entry out are refused.
    await vanthu.getByRole('link', { name: 'Sửa', exact: true }).click();
    expect(await form.getByLabel('Số ban đầu').getAttribute('readonly')).not.toBeNull();
    const tomorrow = vnIsoDate(new Date(Date.now() + 86400_000));
    await form.getByLabel('Ngày mở sổ').fill(vn(tomorrow));
    await form.getByLabel('Ngày đóng sổ').fill(`31/12/${tomorrow.slice(0, 4)}`);
    await vanthu.getByTestId('save-book').click();
    await refused(vanthu, `Ngày mở sổ không được sau ngày chứng thực đầu tiên trong sổ (${vn(TODAY)}).`);
    expect(await bookInDb(book.name)).toEqual({ ...book, current_number: 3 });
    await vanthu.getByRole('link', { name: 'THOÁT', exact: true }).click();
    await seeText(vanthu.getByTestId('book-name'), book.name);

    // 6. Export to Excel from the book's page.
    const [download] = await Promise.all([vanthu.waitForEvent('download'), vanthu.getByTestId('export').click()]);
    expect(download.suggestedFilename()).toBe(`so-chung-thuc-Quyen-02-${YEAR}-DT.xlsx`);
    const file = path.join(tmp, 'so.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Sổ chứng thực')!;
    expect([ws.getCell('B3').value, ws.getCell('B4').value, ws.getCell('B5').value]).toEqual([book.name, '2/ĐT', '3/ĐT']);
    expect(ws.getRow(11).values).toEqual([undefined, 1, '2/ĐT', vn(TODAY), 'Ninh Thị Liễu', 'Giấy khai sinh', 'Lâm Phước Thọ', 1, 4000, code]);
    // And the seed's "Xuất báo cáo" sheet.
    const [reportDownload] = await Promise.all([vanthu.waitForEvent('download'), vanthu.getByTestId('export-report').click()]);
    expect(reportDownload.suggestedFilename()).toBe(`bao-cao-so-chung-thuc-Quyen-02-${YEAR}-DT.xlsx`);
    const reportFile = path.join(tmp, 'bao-cao.xlsx');
    await reportDownload.saveAs(reportFile);
    const rwb = new ExcelJS.Workbook();
    await rwb.xlsx.readFile(reportFile);
    const rs = rwb.getWorksheet('Báo cáo dữ liệu trong sổ')!;
    expect((rs.getRow(7).values as unknown[]).slice(1)).toEqual([1, 'Ninh Thị Liễu', 'Giấy khai sinh', '2/ĐT', vn(TODAY)]);

    // 7. A book with entries cannot be deleted: the page says why, and the book stays.
    await vanthu.locator('summary', { hasText: 'Xóa' }).click();
    await vanthu.getByTestId('delete').click();
    await refused(vanthu, `Sổ ${book.name} đã cấp 1 số chứng thực nên không thể xóa; chỉ xóa được sổ còn trống.`);
    expect(await bookInDb(book.name)).toBeTruthy();

    // 8. An empty book (next year's) is deleted from the list.
    await openMenu(vanthu, 'Quản lý sổ chứng thực');
    await vanthu.getByTestId('add-book').click();
    await form.getByLabel('Tên sổ chứng thực').fill('Sổ tạm');
    await form.getByLabel('Ngày mở sổ').fill(`01/01/${Number(YEAR) + 1}`);
    await form.getByLabel('Ngày đóng sổ').fill(`31/12/${Number(YEAR) + 1}`);
    await form.getByLabel('Số ban đầu').fill('');
    await vanthu.getByTestId('save-book').click();
    await flash(vanthu, 'Đã thêm sổ chứng thực Sổ tạm/ĐT, số ban đầu 1/ĐT.');
    const temp = bookRow(vanthu, 'Sổ tạm/ĐT');
    await temp.locator('summary', { hasText: 'Xóa' }).click();
    await temp.getByRole('button', { name: 'XÁC NHẬN XÓA', exact: true }).click();
    await flash(vanthu, 'Đã xóa sổ chứng thực Sổ tạm/ĐT.');
    expect(await bookRow(vanthu, 'Sổ tạm/ĐT').count()).toBe(0);
    expect(await bookInDb('Sổ tạm/ĐT')).toBeUndefined();
    expect(await bookRow(vanthu, book.name).locator('summary', { hasText: 'Xóa' }).count(), 'no delete button on a book with entries').toBe(0);

    // 9. The day's fee report shows both certifications and the total.
    await openMenu(vanthu, 'Báo cáo lệ phí');
    const fees = vanthu.getByTestId('fees');
    await seeText(fees, firstCode, code, '1/ĐT', '2/ĐT');
    await seeText(vanthu.getByTestId('fee-total'), '8.000 đồng');
    const [report] = await Promise.all([vanthu.waitForEvent('download'), vanthu.getByTestId('fee-excel').click()]);
    expect(report.suggestedFilename()).toBe(`bao-cao-le-phi-${h.agencyCode}-${TODAY}.xlsx`);

    expect(problemsOf(vanthu)).toEqual([]);
  });

  it('the creator reads the fee report too, but not the register books', async () => {
    requireChromium();
    const canbo = await newPage();
    await login(canbo, 'canbo');
    await openMenu(canbo, 'Báo cáo lệ phí');
    await canbo.getByLabel('Ngày:').fill('31/02/2026');
    await canbo.getByRole('button', { name: 'XEM BÁO CÁO', exact: true }).click();
    await refused(canbo, 'Ngày báo cáo không hợp lệ');
    expect(await canbo.getByRole('navigation', { name: 'Chứng thực điện tử' }).getByRole('link', { name: 'Quản lý sổ chứng thực' }).count()).toBe(0);
    const res = await canbo.goto('/so-chung-thuc');
    expect(res?.status()).toBe(403);
    expect(problemsOf(canbo)).toEqual([]);
  });
});
