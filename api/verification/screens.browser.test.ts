// The public verification page in a real browser (Debian's Chromium via playwright-core), as an anonymous
// visitor: from the login page's link, look up a code, then upload the delivered e-copy and a tampered one.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import { problemsOf, requireChromium, shot, startBrowserWorld, type BrowserWorld } from '../../lib/testing/browser.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';
import { DEMO_AGENCY } from '../../lib/seed.js';
import type { DossierView } from '../../domain/dossier.js';

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;
let done: DossierView;
let genuineFile: string;
let tamperedFile: string;

beforeAll(async () => {
  // Without Chromium nothing is set up (null); the test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-verify-browser-');
  if (!world) return;
  ({ h, tmp } = world);
  const [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  const d = await h.service.create(canbo, { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' },
    uploadedPdf(h, await makePdf(2)), crypto.randomUUID());
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
  await world?.close();
});

describe('Xác thực bản sao điện tử, in a browser', () => {
  it('an anonymous visitor checks a code and uploads the genuine and a tampered copy', async () => {
    requireChromium();
    const page = await world!.newPage();
    const problems = problemsOf(page);
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
    expect(await page.getByTestId('contains-issued').innerText()).toBe('Có');
    // As issued at B-LTA (the default): after the seal, the DSS, the document timestamp, the DSS of its chain.
    expect(await page.getByTestId('ltv-updates').innerText()).toBe('3');
    const table = await page.getByTestId('signatures').innerText();
    for (const s of ['Lãnh đạo ký', 'Dấu cơ quan', 'Dấu thời gian tài liệu', 'PAdES B-LTA', 'Nguyên vẹn', 'Tin cậy', 'Chưa bị thu hồi tại thời điểm ký']) expect(table).toContain(s);
    await shot(page, 'xac-thuc-tep-hop-le');
    expect(problems).toEqual([]);
  });
});
