// The screens in a real browser: Debian's Chromium driven by playwright-core walks a dossier across the three
// roles (canbo → lanhdao → canbo → lanhdao → vanthu) the way people click it, on the real app, worker,
// Temporal dev server and PostgreSQL (lib/testing/harness.ts). With UPDATE_SCREENSHOTS=1 it also saves the screenshots
// in docs/screenshots/. Every click on a dossier's page (next to the PDF preview) goes through click()/check().
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import fs from 'node:fs';
import { until } from '../../lib/testing/time.js';
import path from 'node:path';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETURN_REASONS } from '../../domain/dossier.js';
import {
  check, click, flash, login, openMenu, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld,
} from '../../lib/testing/browser.js';
import { pdfsig } from '../../lib/testing/files.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';

const CMND = '151804051';
const CITIZEN = 'Nguyễn Thị Thu';

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-browser-');
  if (world) ({ h, tmp } = world);
});

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------------------
// Helpers: what a person does on a screen (the common ones in lib/testing/browser.ts).

const newPage = (opts?: BrowserContextOptions) => world!.newPage(opts);

/** The list row of a dossier, found with the search panel ("Thông tin tìm kiếm", Mã chứng thực). */
async function searchByCode(page: Page, code: string): Promise<Locator> {
  const panel = page.locator('form.search');
  await panel.getByLabel('Mã chứng thực:').fill(code);
  await panel.getByRole('button', { name: 'TÌM KIẾM', exact: true }).click();
  await seeText(page.getByTestId('result-count'), 'Tìm thấy 1 kết quả');
  const row = page.locator(`tr[data-code="${code}"]`);
  expect(await row.count()).toBe(1);
  return row;
}

async function writePdf(name: string, pages: number, text?: string): Promise<string> {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, await makePdf(pages, text));
  return file;
}

const countDossiers = async () => Number((await h.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const statusOf = async (code: string) => (await h.db.selectFrom('dossiers').select('status').where('code', '=', code).executeTakeFirstOrThrow()).status;

// ---------------------------------------------------------------------------------------------------------

describe('screens in Chromium', () => {
  it('walks a dossier across creator, signer and sealer: create, return, resubmit, sign, seal, deliver', async () => {
    requireChromium();
    const reason = RETURN_REASONS.find((r) => r.startsWith('Bản scan không rõ'))!;

    // 1. canbo creates the copy from the original.
    const canbo = await newPage();
    await canbo.goto('/dang-nhap');
    await shot(canbo, '01-dang-nhap');
    await login(canbo, 'canbo');
    await openMenu(canbo, 'Thêm mới bản sao từ bản chính');
    await canbo.getByPlaceholder('Nhập CMND/CCCD/MST').fill(CMND);
    await canbo.getByRole('button', { name: 'TÌM KIẾM TÀI KHOẢN', exact: true }).click();
    const account = canbo.getByTestId('account');
    await seeText(account, CITIZEN, CMND);
    expect(new URL(canbo.url()).search, 'the account search is an htmx swap, not a page load').toBe('');

    const scan = await writePdf('giay-khai-sinh.pdf', 2);
    await canbo.locator('input[name=scan]').setInputFiles(scan);
    await canbo.getByLabel('Loại giấy tờ cần chứng thực').selectOption({ label: 'Giấy khai sinh' });
    await shot(canbo, '02-them-moi');

    // The wrong file picked instead, a PNG renamed .pdf: refused on screen, in Vietnamese, and nothing is created.
    const before = await countDossiers();
    const fakePdf = path.join(tmp, 'anh-chup.pdf');
    fs.writeFileSync(fakePdf, await canbo.screenshot());
    expect(fs.readFileSync(fakePdf).subarray(1, 4).toString('latin1')).toBe('PNG');
    await canbo.locator('input[name=scan]').setInputFiles(fakePdf);
    await canbo.getByRole('button', { name: 'TRÌNH KÝ', exact: true }).click();
    await seeText(canbo.getByTestId('error'), 'Tệp đính kèm không phải là tệp PDF');
    expect(await countDossiers()).toBe(before);
    // What was entered stays on the form after the refusal, the account found too; only the file must be picked again.
    await expect.poll(() => canbo.getByPlaceholder('Nhập CMND/CCCD/MST').inputValue()).toBe(CMND);
    await seeText(canbo.getByTestId('account'), CITIZEN);
    expect(await canbo.getByLabel('Loại giấy tờ cần chứng thực').locator('option:checked').innerText()).toBe('Giấy khai sinh');

    // Now the real 2-page scan.
    await canbo.locator('input[name=scan]').setInputFiles(scan);
    await canbo.getByRole('button', { name: 'TRÌNH KÝ', exact: true }).click();
    await seeText(canbo.getByTestId('status'), 'Chờ ký');
    const code = (await canbo.getByTestId('dossier-code').innerText()).trim();
    expect(code).toMatch(/^T[0-9a-f]{8}-\d{6}-\d+$/);
    await flash(canbo, `Đã tạo hồ sơ ${code}`);
    await seeText(canbo.getByTestId('applicant-name'), CITIZEN);
    expect(new URL(canbo.url()).pathname).toBe(`/ho-so/${encodeURIComponent(code)}`);
    expect(await countDossiers()).toBe(before + 1);

    // 2. lanhdao finds it with the search panel and returns it with a reason from the list.
    const lanhdao = await newPage();
    await login(lanhdao, 'lanhdao');
    await openMenu(lanhdao, 'Bản sao chờ ký');
    let row = await searchByCode(lanhdao, code);
    await seeText(row, CITIZEN, CMND);
    await shot(lanhdao, '03-cho-ky');
    await row.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(lanhdao.getByTestId('dossier-code'), code);
    await seeText(lanhdao.getByTestId('applicant-name'), CITIZEN);
    await seeText(lanhdao.locator('table.kv'), 'Giấy khai sinh', 'Chờ ký');
    const preview = lanhdao.locator('object.pdf');
    await preview.waitFor({ state: 'visible' });
    const previewUrl = await preview.getAttribute('data');
    expect(previewUrl).toBe(`/ho-so/${encodeURIComponent(code)}/pdf`);
    const previewed = await lanhdao.context().request.get(previewUrl!);
    expect(previewed.headers()['content-type']).toBe('application/pdf');
    expect((await previewed.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await lanhdao.getByTestId('sign').waitFor({ state: 'visible' });
    await shot(lanhdao, '04-xu-ly-ky');
    await click(lanhdao.locator('summary', { hasText: 'TRẢ LẠI' }));
    await check(lanhdao.getByLabel(reason));
    await click(lanhdao.getByTestId('return'));
    await flash(lanhdao, `Đã trả lại hồ sơ ${code}`);
    expect(await lanhdao.locator(`tr[data-code="${code}"]`).count(), 'a returned dossier leaves "Bản sao chờ ký"').toBe(0);
    expect(await statusOf(code)).toBe('returned');

    // 3. canbo sees it among the returned dossiers, with the reason, and resubmits a new scan.
    await openMenu(canbo, 'Hồ sơ bị từ chối');
    row = canbo.locator(`tr[data-code="${code}"]`);
    await seeText(row, CITIZEN, reason);
    await shot(canbo, '05-bi-tu-choi');
    await row.getByRole('link', { name: 'Xử lý tiếp', exact: true }).click();
    await seeText(canbo.getByTestId('status'), 'Bị trả lại');
    await seeText(canbo.locator('table.kv'), 'Lý do trả lại', reason);
    await canbo.locator('input[name=scan]').setInputFiles(await writePdf('giay-khai-sinh-scan-lai.pdf', 2, 'Giấy khai sinh (scan lại)'));
    await click(canbo.getByTestId('resubmit'));
    await flash(canbo, `Đã trình ký lại hồ sơ ${code}`);
    expect(await canbo.locator(`tr[data-code="${code}"]`).count()).toBe(0);
    expect(await statusOf(code)).toBe('awaiting_signature');

    // 4. lanhdao signs it.
    await openMenu(lanhdao, 'Bản sao chờ ký');
    row = lanhdao.locator(`tr[data-code="${code}"]`);
    await row.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(lanhdao.getByTestId('dossier-code'), code);
    await click(lanhdao.getByTestId('sign'));
    await flash(lanhdao, `Đã ký số hồ sơ ${code}`);
    expect(await lanhdao.locator(`tr[data-code="${code}"]`).count(), 'a signed dossier leaves "Bản sao chờ ký"').toBe(0);
    expect(await statusOf(code)).toBe('awaiting_seal');

    // 5. vanthu numbers it in the register book, seals and delivers it.
    const vanthu = await newPage();
    await login(vanthu, 'vanthu');
    await openMenu(vanthu, 'Bản sao chờ đóng dấu');
    row = vanthu.locator(`tr[data-code="${code}"]`);
    await seeText(row, 'Chờ đóng dấu');
    await row.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(vanthu.getByTestId('dossier-code'), code);
    const book = await h.db.selectFrom('register_books').selectAll().where('agency_code', '=', h.agencyCode).executeTakeFirstOrThrow();
    const bookSelect = vanthu.getByLabel('Chọn sổ chứng thực');
    expect(await bookSelect.locator('option:checked').innerText()).toBe(book.name);
    const number = `${book.current_number}/ĐT`;
    await seeText(vanthu.getByTestId('next-number'), number);
    await shot(vanthu, '06-cho-dong-dau-xu-ly');
    await click(vanthu.getByTestId('seal'));
    await seeText(vanthu.getByTestId('certification-number'), number);
    await flash(vanthu, `Đã cấp số ${number} và đóng dấu hồ sơ ${code}`);
    await seeText(vanthu.getByTestId('status'), 'Hoàn thành');
    await shot(vanthu, '07-hoan-thanh');
    const detailUrl = new URL(vanthu.url()).pathname;
    const pdfHref = await vanthu.getByRole('link', { name: 'Mở tệp PDF trong cửa sổ mới' }).getAttribute('href');
    await click(vanthu.getByTestId('deliver'));
    await flash(vanthu, `Đã hoàn thành và chuyển bản CTĐT của hồ sơ ${code}`);
    // The workflow sends right after answering; give it a moment.
    const outbox = path.join(h.config.dataDir, 'outbox');
    const eml = () => (fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')) : []);
    const mails = await until('the e-mail in the outbox', async () => (eml().length ? eml() : null), 30_000);
    expect(mails.length, 'the e-copy was mailed to the outbox').toBe(1);
    expect(fs.statSync(path.join(outbox, mails[0])).size).toBeGreaterThan(1000);

    // 6. "Xem tiến trình" tells the story in Vietnamese.
    await vanthu.goto(detailUrl);
    await click(vanthu.getByRole('link', { name: 'Xem tiến trình', exact: true }));
    const steps = vanthu.locator('table.list');
    await seeText(steps, 'Tạo hồ sơ và trình lãnh đạo ký', `Trả lại hồ sơ cho cán bộ tư pháp. Lý do: ${reason}`,
      'trình ký lại', 'Ký số bản sao', `Cấp số chứng thực ${number} trong sổ ${book.name}`, 'Hoàn thành và chuyển bản chứng thực điện tử');
    await seeText(vanthu.locator('h1'), `Tiến trình xử lý hồ sơ ${code}`);
    await shot(vanthu, '08-tien-trinh');

    // 7. The e-copy downloaded through the page's link carries two valid signatures (leader + agency seal).
    expect(pdfHref).toBe(`/ho-so/${encodeURIComponent(code)}/pdf`);
    const res = await vanthu.context().request.get(pdfHref!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('sealed');
    const file = path.join(tmp, `${code}.pdf`);
    fs.writeFileSync(file, await res.body());
    const sig = pdfsig(file);
    expect(sig.count, sig.out).toBe(2);
    expect(sig.valid, sig.out).toBe(2);
    expect(sig.out).not.toMatch(/Digest Mismatch|Signature is Invalid/);

    for (const p of [canbo, lanhdao, vanthu]) expect(problemsOf(p)).toEqual([]);
  });

  it('works without JavaScript: account search, create, return, resubmit and sign are plain forms', async () => {
    requireChromium();
    const canbo = await newPage({ javaScriptEnabled: false });
    await login(canbo, 'canbo');
    await openMenu(canbo, 'Thêm mới bản sao từ bản chính');
    await canbo.getByPlaceholder('Nhập CMND/CCCD/MST').fill(CMND);
    await canbo.getByRole('button', { name: 'TÌM KIẾM TÀI KHOẢN', exact: true }).click();
    await seeText(canbo.getByTestId('account'), CITIZEN);
    expect(new URL(canbo.url()).searchParams.get('idNumber'), 'without JavaScript the search reloads the page').toBe(CMND);
    await canbo.locator('input[name=scan]').setInputFiles(await writePdf('khong-js.pdf', 1));
    await canbo.getByLabel('Loại giấy tờ cần chứng thực').selectOption({ label: 'Giấy khai sinh' });
    await canbo.getByRole('button', { name: 'TRÌNH KÝ', exact: true }).click();
    await seeText(canbo.getByTestId('status'), 'Chờ ký');
    const code = (await canbo.getByTestId('dossier-code').innerText()).trim();
    await seeText(canbo.getByTestId('applicant-name'), CITIZEN);

    const lanhdao = await newPage({ javaScriptEnabled: false });
    await login(lanhdao, 'lanhdao');
    await openMenu(lanhdao, 'Bản sao chờ ký');
    let row = await searchByCode(lanhdao, code);
    await row.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await click(lanhdao.locator('summary', { hasText: 'TRẢ LẠI' }));
    await lanhdao.getByLabel('Lý do khác').fill('Thiếu trang 3 của bản chính');
    await click(lanhdao.getByTestId('return'));
    await flash(lanhdao, `Đã trả lại hồ sơ ${code}`);
    expect(await statusOf(code)).toBe('returned');

    await openMenu(canbo, 'Hồ sơ bị từ chối');
    row = canbo.locator(`tr[data-code="${code}"]`);
    await seeText(row, 'Thiếu trang 3 của bản chính');
    await row.getByRole('link', { name: 'Xử lý tiếp', exact: true }).click();
    await click(canbo.getByTestId('resubmit')); // no new scan: the first one stands
    await flash(canbo, `Đã trình ký lại hồ sơ ${code}`);
    expect(await statusOf(code)).toBe('awaiting_signature');

    await openMenu(lanhdao, 'Bản sao chờ ký');
    row = await searchByCode(lanhdao, code);
    await row.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await click(lanhdao.getByTestId('sign'));
    await flash(lanhdao, `Đã ký số hồ sơ ${code}`);
    expect(await statusOf(code)).toBe('awaiting_seal');

    for (const p of [canbo, lanhdao]) expect(problemsOf(p)).toEqual([]);
  });
});
