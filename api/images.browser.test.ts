// The seal and signature screens in a real browser (Debian's Chromium driven by playwright-core, launched as in
// web.browser.test.ts) on the real app, worker, Temporal dev server and PostgreSQL. Saves
// docs/screenshots/09-quan-ly-con-dau.png and 10-chu-ky-ca-nhan.png.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSealPng, makeSignaturePng } from '../activities/pdf/fixtures.js';
import { createHarness, type Harness } from '../lib/testing/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const VIEWPORT = { width: 1280, height: 860 };
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');
const MAX_SHOT_BYTES = 300 * 1024;

let h: Harness;
let browser: Browser;
let tmp: string;
const contexts: BrowserContext[] = [];

function requireChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\`.${process.env.CI ? ' (CI)' : ''}`);
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`\nBrowser tests need Chromium at ${CHROMIUM}, and it is missing. Install it: apt-get install chromium\n`);
    return;
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-images-browser-'));
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

const pageProblems = new WeakMap<Page, string[]>();
async function newPage(opts: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: h.baseUrl, viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', ...opts });
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.url()}`); });
  pageProblems.set(page, problems);
  return page;
}

async function seeText(loc: Locator, ...pieces: string[]) {
  for (const p of pieces) await expect.poll(() => loc.first().innerText().catch(() => ''), { timeout: 20_000 }).toContain(p);
}

async function login(page: Page, username: string) {
  await page.goto('/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill('demo');
  await page.getByRole('button', { name: 'ĐĂNG NHẬP', exact: true }).click();
  await seeText(page.getByTestId('current-user'), username);
}

async function flash(page: Page, text: string) {
  await expect.poll(async () => {
    const ok = await page.locator('.flash.ok').allInnerTexts();
    const refused = await page.locator('.flash.error').allInnerTexts();
    return [...ok, ...refused.map((e) => `(refused) ${e}`)].join(' | ');
  }, { timeout: 20_000 }).toContain(text);
}

/** The preview image has loaded and has the given natural size. */
async function previewLoaded(img: Locator, width: number, height: number) {
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? `${el.naturalWidth}x${el.naturalHeight}` : 'loading')), { timeout: 20_000 })
    .toBe(`${width}x${height}`);
}

async function shot(page: Page, name: string) {
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => setTimeout(r, 150))));
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  expect(fs.statSync(file).size, `${name}.png should stay commit-friendly`).toBeLessThan(MAX_SHOT_BYTES);
}

function writeFile(name: string, bytes: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('seal and signature screens in Chromium', () => {
  it('the seal keeper opens "Quản lý con dấu", previews a PNG before saving, saves it; a JPEG renamed .png is refused', async () => {
    requireChromium();
    const vanthu = await newPage();
    await login(vanthu, 'vanthu');
    const nav = vanthu.getByRole('navigation', { name: 'Chứng thực điện tử' });
    await nav.getByRole('link', { name: 'Quản lý con dấu', exact: true }).click();
    await seeText(vanthu.locator('.breadcrumb'), 'Quản lý con dấu');
    await expect.poll(() => vanthu.getByLabel('Cơ quan').inputValue()).toBe('Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng');
    await seeText(vanthu.getByTestId('no-image'), 'Chưa có hình ảnh');

    // The wrong file first: a JPEG renamed .png is refused on screen and nothing is stored.
    const fake = writeFile('con-dau.png', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), Buffer.from('JFIF\0'), Buffer.alloc(2000, 1)]));
    await vanthu.getByLabel('Tải file đính kèm').setInputFiles(fake);
    await vanthu.getByRole('button', { name: 'LƯU LẠI', exact: true }).click();
    await seeText(vanthu.getByTestId('error'), 'JPEG', 'không phải ảnh PNG');
    expect(await h.db.selectFrom('images').selectAll().execute()).toEqual([]);

    // The real seal: the preview shows it at once (not saved yet), then LƯU LẠI stores it.
    const seal = writeFile('con-dau-that.png', makeSealPng());
    await vanthu.getByLabel('Tải file đính kèm').setInputFiles(seal);
    await expect.poll(() => vanthu.locator('.pending-note').isVisible()).toBe(true);
    await previewLoaded(vanthu.locator('#seal-preview-img'), 200, 200);
    await vanthu.getByRole('button', { name: 'LƯU LẠI', exact: true }).click();
    await flash(vanthu, 'Đã lưu hình ảnh con dấu');
    await previewLoaded(vanthu.locator('#seal-preview-img'), 200, 200);
    expect(await vanthu.locator('#seal-preview-img').getAttribute('src')).toMatch(/^\/quan-ly-con-dau\/con-dau\//);
    await seeText(vanthu.locator('figcaption'), '200×200 điểm ảnh');
    const row = await h.db.selectFrom('images').selectAll().where('kind', '=', 'seal').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ owner: h.agencyCode, width: 200, height: 200, uploaded_by: 'vanthu' });
    await shot(vanthu, '09-quan-ly-con-dau');
    expect(pageProblems.get(vanthu)).toEqual([]);
  });

  it('a leader reaches "Trang cá nhân" from the header and saves a signature image; without JavaScript too', async () => {
    requireChromium();
    const lanhdao = await newPage();
    await login(lanhdao, 'lanhdao');
    await lanhdao.locator('header').getByRole('link', { name: 'Trang cá nhân', exact: true }).click();
    await seeText(lanhdao.locator('.breadcrumb'), 'Quản lý chữ ký cá nhân');
    await seeText(lanhdao.getByTestId('personal-info'), 'Lâm Phước Thọ', 'lanhdao', 'Trưởng phòng Tư pháp');
    await seeText(lanhdao.getByTestId('agencies'), 'STT', 'Mã định danh', 'Tên đơn vị', '000.03.25.H51');

    await lanhdao.getByLabel('Tải file đính kèm').setInputFiles(writeFile('chu-ky.png', makeSignaturePng()));
    await previewLoaded(lanhdao.locator('#signature-preview-img'), 300, 120);
    await lanhdao.getByRole('button', { name: 'LƯU LẠI', exact: true }).click();
    await flash(lanhdao, 'Đã lưu hình ảnh chữ ký');
    await previewLoaded(lanhdao.locator('#signature-preview-img'), 300, 120);
    await seeText(lanhdao.getByTestId('signature-preview'), 'Ký bởi: Lâm Phước Thọ', 'Ngày ký:');
    await shot(lanhdao, '10-chu-ky-ca-nhan');
    expect(pageProblems.get(lanhdao)).toEqual([]);

    // Without JavaScript the same form is a plain multipart POST.
    const noJs = await newPage({ javaScriptEnabled: false });
    await login(noJs, 'lanhdao');
    await noJs.goto('/trang-ca-nhan');
    const second = makeSignaturePng().subarray(0); // same picture, different file name
    await noJs.getByLabel('Tải file đính kèm').setInputFiles(writeFile('chu-ky-2.png', second));
    await noJs.getByRole('button', { name: 'LƯU LẠI', exact: true }).click();
    await flash(noJs, 'Đã lưu hình ảnh chữ ký');
    await previewLoaded(noJs.locator('#signature-preview-img'), 300, 120);

    // A creator has a personal page without the signature part.
    const canbo = await newPage();
    await login(canbo, 'canbo');
    await canbo.locator('header').getByRole('link', { name: 'Trang cá nhân', exact: true }).click();
    await seeText(canbo.getByTestId('personal-info'), 'Nguyễn Văn An');
    expect(await canbo.getByText('Quản lý chữ ký cá nhân').count()).toBe(0);
    expect(await canbo.getByRole('navigation', { name: 'Chứng thực điện tử' }).getByRole('link', { name: 'Quản lý con dấu' }).count()).toBe(0);
  });
});
