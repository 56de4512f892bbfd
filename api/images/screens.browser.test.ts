// The seal and signature screens in a real browser (Debian's Chromium driven by playwright-core, launched as in
// web.browser.test.ts) on the real app, worker, Temporal dev server and PostgreSQL. Saves
// docs/screenshots/09-quan-ly-con-dau.png and 10-chu-ky-ca-nhan.png.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContextOptions, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSealPng, makeSignaturePng } from '../../activities/pdf/fixtures.js';
import { brokenImages, flash, login, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld } from '../../lib/testing/browser.js';
import type { Harness } from '../../lib/testing/harness.js';

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-images-browser-');
  if (world) ({ h, tmp } = world);
});

afterAll(async () => {
  await world?.close();
});

const newPage = (opts?: BrowserContextOptions) => world!.newPage(opts);

/** The preview image has loaded and has the given natural size. */
async function previewLoaded(img: Locator, width: number, height: number) {
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? `${el.naturalWidth}x${el.naturalHeight}` : 'loading')), { timeout: 20_000 })
    .toBe(`${width}x${height}`);
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
    // No seal yet: a placeholder, not an <img> to a missing file (a broken-image icon).
    await seeText(vanthu.getByTestId('no-image'), 'Chưa có hình ảnh con dấu');
    expect(await vanthu.locator('#seal-preview-img').count()).toBe(0);
    expect(await brokenImages(vanthu)).toEqual([]);

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
    expect(problemsOf(vanthu)).toEqual([]);
  });

  it('a leader reaches "Trang cá nhân" from the header and saves a signature image; without JavaScript too', async () => {
    requireChromium();
    const lanhdao = await newPage();
    await login(lanhdao, 'lanhdao');
    await lanhdao.locator('header').getByRole('link', { name: 'Trang cá nhân', exact: true }).click();
    await seeText(lanhdao.locator('.breadcrumb'), 'Quản lý chữ ký cá nhân');
    await seeText(lanhdao.getByTestId('personal-info'), 'Lâm Phước Thọ', 'lanhdao', 'Trưởng phòng Tư pháp');
    await seeText(lanhdao.getByTestId('agencies'), 'STT', 'Mã định danh', 'Tên đơn vị', '000.03.25.H51');
    // No signature yet: the "Ký bởi / Ngày ký" box and a placeholder, not an <img> to a missing file.
    await seeText(lanhdao.getByTestId('no-image'), 'Chưa có hình ảnh chữ ký');
    expect(await lanhdao.locator('#signature-preview-img').count()).toBe(0);
    expect(await brokenImages(lanhdao)).toEqual([]);

    await lanhdao.getByLabel('Tải file đính kèm').setInputFiles(writeFile('chu-ky.png', makeSignaturePng()));
    await previewLoaded(lanhdao.locator('#signature-preview-img'), 300, 120);
    await lanhdao.getByRole('button', { name: 'LƯU LẠI', exact: true }).click();
    await flash(lanhdao, 'Đã lưu hình ảnh chữ ký');
    await previewLoaded(lanhdao.locator('#signature-preview-img'), 300, 120);
    await seeText(lanhdao.getByTestId('signature-preview'), 'Ký bởi: Lâm Phước Thọ', 'Ngày ký:');
    await shot(lanhdao, '10-chu-ky-ca-nhan');
    expect(problemsOf(lanhdao)).toEqual([]);

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
