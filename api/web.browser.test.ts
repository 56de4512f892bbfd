// The screens in a real browser: Debian's Chromium driven by playwright-core walks a dossier across the three
// roles (canbo → lanhdao → canbo → lanhdao → vanthu) the way people click it, on the real app, worker,
// Temporal dev server and PostgreSQL (lib/testing/harness.ts). It also saves the screenshots in docs/screenshots/.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETURN_REASONS } from '../domain/types.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const VIEWPORT = { width: 1280, height: 860 };
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');
const MAX_SHOT_BYTES = 300 * 1024;
const CMND = '151804051';
const CITIZEN = 'Nguyễn Thị Thu';

let h: Harness;
let browser: Browser;
let tmp: string;
const contexts: BrowserContext[] = [];

function requireChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\`.${process.env.CI ? ' (CI)' : ''}`);
}
function printChromiumMissing() {
  const msg = [
    '',
    '################################################################################',
    `#  Browser tests need Chromium at ${CHROMIUM}, and it is missing.`,
    '#  Install it:   apt-get install chromium',
    '#  (no browser download is possible here; playwright-core drives that binary).',
    process.env.CI ? '#  CI is set: this is a failure of the CI image, not a skip.' : '#  This test fails rather than skipping silently.',
    '################################################################################',
    '',
  ].join('\n');
  console.error(msg);
}

beforeAll(async () => {
  // Without Chromium set nothing up; each test then fails with the install hint (failed, not skipped).
  if (!fs.existsSync(CHROMIUM)) return printChromiumMissing();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-browser-'));
  fs.mkdirSync(SHOTS, { recursive: true });
  [h, browser] = await Promise.all([
    createHarness(),
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS }),
  ]);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// Helpers: what a person does on a screen.

async function newPage(opts: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: h.baseUrl, viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', ...opts });
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  const page = await context.newPage();
  // A server error or a failing script on any screen is a test failure too.
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.url()}`); });
  pageProblems.set(page, problems);
  return page;
}
const pageProblems = new WeakMap<Page, string[]>();
const problemsOf = (page: Page) => pageProblems.get(page) ?? [];

/** Waits until the locator's text contains every given piece (htmx swaps land asynchronously). */
async function seeText(loc: Locator, ...pieces: string[]) {
  for (const p of pieces) await expect.poll(() => loc.first().innerText().catch(() => ''), { timeout: 20_000 }).toContain(p);
}

/**
 * Clicks like a person: move the mouse there first. On a page with the PDF preview, Chromium's hit testing lags
 * behind a scroll and a click sent at once lands in the PDF viewer's frame (seen here: only a window blur).
 */
async function click(loc: Locator) {
  await loc.scrollIntoViewIfNeeded();
  await loc.hover();
  await loc.page().waitForTimeout(150);
  await loc.click();
}

async function login(page: Page, username: string) {
  await page.goto('/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill('demo');
  await page.getByRole('button', { name: 'ĐĂNG NHẬP', exact: true }).click();
  await seeText(page.getByTestId('current-user'), username);
}

async function openMenu(page: Page, label: string) {
  await page.getByRole('navigation', { name: 'Chứng thực điện tử' }).getByRole('link', { name: label, exact: true }).click();
  await seeText(page.locator('.breadcrumb'), label);
  await expect.poll(() => page.getByRole('navigation', { name: 'Chứng thực điện tử' }).locator('a.active').innerText()).toBe(label);
}

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

async function flash(page: Page, text: string) {
  await expect.poll(async () => {
    const ok = await page.locator('.flash.ok').allInnerTexts();
    const refused = await page.locator('.flash.error').allInnerTexts();
    return [...ok, ...refused.map((e) => `(refused) ${e}`)].join(' | ');
  }, { timeout: 20_000 }).toContain(text);
}

async function shot(page: Page, name: string) {
  // Not 'networkidle': the PDF preview keeps Chromium's viewer busy. Fonts loaded and a breath for htmx to settle.
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => setTimeout(r, 150))));
  // The PDF viewer draws inside its own frame, out of reach: give it time to render the preview.
  if (await page.locator('object.pdf').count()) await page.waitForTimeout(2000);
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  const size = fs.statSync(file).size;
  expect(size, `${name}.png should stay commit-friendly`).toBeLessThan(MAX_SHOT_BYTES);
}

async function writePdf(name: string, pages: number, text?: string): Promise<string> {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, await makePdf(pages, text));
  return file;
}

const countDossiers = async () => Number((await h.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const statusOf = async (code: string) => (await h.db.selectFrom('dossiers').select('status').where('code', '=', code).executeTakeFirstOrThrow()).status;

/** pdfsig exits 0 even when a signature is broken: read its text. */
function pdfsig(file: string): { count: number; valid: number; out: string } {
  const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`pdfsig is required (apt-get install poppler-utils): ${r.error.message}`);
  const out = `${r.stdout}${r.stderr}`;
  return { count: (out.match(/^Signature #\d+:/gm) ?? []).length, valid: (out.match(/Signature Validation: Signature is Valid\./g) ?? []).length, out };
}

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
    await lanhdao.getByLabel(reason).check();
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
    for (let i = 0; i < 100 && eml().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const mails = eml();
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
    await lanhdao.locator('summary', { hasText: 'TRẢ LẠI' }).click();
    await lanhdao.getByLabel('Lý do khác').fill('Thiếu trang 3 của bản chính');
    await lanhdao.getByTestId('return').click();
    await flash(lanhdao, `Đã trả lại hồ sơ ${code}`);
    expect(await statusOf(code)).toBe('returned');

    await openMenu(canbo, 'Hồ sơ bị từ chối');
    row = canbo.locator(`tr[data-code="${code}"]`);
    await seeText(row, 'Thiếu trang 3 của bản chính');
    await row.getByRole('link', { name: 'Xử lý tiếp', exact: true }).click();
    await canbo.getByTestId('resubmit').click(); // no new scan: the first one stands
    await flash(canbo, `Đã trình ký lại hồ sơ ${code}`);
    expect(await statusOf(code)).toBe('awaiting_signature');

    await openMenu(lanhdao, 'Bản sao chờ ký');
    row = await searchByCode(lanhdao, code);
    await row.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await lanhdao.getByTestId('sign').click();
    await flash(lanhdao, `Đã ký số hồ sơ ${code}`);
    expect(await statusOf(code)).toBe('awaiting_seal');

    for (const p of [canbo, lanhdao]) expect(problemsOf(p)).toEqual([]);
  });
});
