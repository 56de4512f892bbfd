// The public verification page in a real browser (Debian's Chromium via playwright-core), as an anonymous
// visitor: from the login page's link, look up a code, then upload the delivered e-copy and a tampered one.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../activities/storage.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { DEMO_AGENCY } from '../lib/seed.js';
import type { DossierView } from '../workflows/messages.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');

let h: Harness;
let browser: Browser;
let tmp: string;
let done: DossierView;
let genuineFile: string;
let tamperedFile: string;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-verify-browser-'));
  [h, browser] = await Promise.all([createHarness(), chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })]);
  const [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  const scan = await makePdf(2);
  const up = path.join(h.config.dataDir, `up-${crypto.randomUUID()}`);
  fs.writeFileSync(up, scan);
  const d = await h.service.create(canbo, { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' },
    { tmpPath: up, fileName: 'scan.pdf', sha256: crypto.createHash('sha256').update(scan).digest('hex'), size: scan.length }, crypto.randomUUID());
  await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
  const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', DEMO_AGENCY.code).executeTakeFirstOrThrow();
  done = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
  const sealed = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(done.sealedPdf!.sha256);
  genuineFile = path.join(tmp, 'ban-sao-dien-tu.pdf');
  fs.writeFileSync(genuineFile, sealed);
  const bad = Buffer.from(sealed);
  bad[bad.indexOf('stream\n') + 10] ^= 0x20; // one byte inside the scan
  tamperedFile = path.join(tmp, 'ban-sao-da-sua.pdf');
  fs.writeFileSync(tamperedFile, bad);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: h.baseUrl, viewport: { width: 1280, height: 860 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.url()}`); });
  return { page, problems };
}

async function shot(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => setTimeout(r, 150))));
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  expect(fs.statSync(file).size).toBeLessThan(300 * 1024);
}

describe('Xác thực bản sao điện tử, in a browser', () => {
  it('an anonymous visitor checks a code and uploads the genuine and a tampered copy', async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\`.`);
    const { page, problems } = await newPage();
    await page.goto('/dang-nhap');
    await page.getByRole('link', { name: 'Xác thực bản sao điện tử' }).click();
    await page.waitForURL('**/xac-thuc');
    expect(await page.locator('nav.menu').count()).toBe(0);

    // By code.
    await page.getByLabel('Mã chứng thực').fill(done.code);
    await page.getByRole('button', { name: 'TRA CỨU' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-genuine')).toBe('true');
    expect(await page.getByTestId('record').innerText()).toContain(done.certificationNumber!);
    expect(await page.content()).not.toContain('151804051');
    await shot(page, 'xac-thuc-ma');

    // An unknown code: a normal page saying so (a 404 swapped in by htmx like any answer).
    await page.getByLabel('Mã chứng thực').fill('G22.29-010101-999999');
    await page.getByRole('button', { name: 'TRA CỨU' }).click();
    await page.getByText('Không tìm thấy bản sao điện tử có mã chứng thực').waitFor();

    // Upload the tampered copy, then the genuine one.
    await page.locator('input[name=file]').setInputFiles(tamperedFile);
    await page.getByRole('button', { name: 'KIỂM TRA TỆP' }).click();
    await page.getByText('KHÔNG phải là bản sao điện tử hợp lệ').waitFor();
    expect(await page.getByTestId('verdict').getAttribute('data-genuine')).toBe('false');
    expect(await page.getByTestId('signatures').innerText()).toContain('Bị phá vỡ');
    await shot(page, 'xac-thuc-tep-bi-sua');

    await page.locator('input[name=file]').setInputFiles(genuineFile);
    await page.getByRole('button', { name: 'KIỂM TRA TỆP' }).click();
    await page.getByText('«ban-sao-dien-tu.pdf» là bản sao điện tử hợp lệ').waitFor();
    expect(await page.getByTestId('identical').innerText()).toBe('Có');
    expect(await page.getByTestId('intact').innerText()).toBe('Có');
    expect(problems).toEqual([]);
  });
});
