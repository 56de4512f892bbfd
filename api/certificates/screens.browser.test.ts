// The certificate screens in a real browser (Debian's Chromium driven by playwright-core, lib/testing/browser.ts) on
// the real app, worker, Temporal dev server and PostgreSQL: the leader uploads a PKCS#12 made with openssl (issued by
// the demo test CA) on "Trang cá nhân → Chứng thư số" and the seal keeper the agency's on "Quản lý con dấu → Chứng thư
// số", each sees the certificate's facts and that it is in use, a wrong passphrase is refused on screen and stores
// nothing; then the dossier the leader signs and the seal keeper seals names those certificates in pdfsig.
// With UPDATE_SCREENSHOTS=1 it also saves docs/screenshots/17-chung-thu-so-ca-nhan.png and 18-chung-thu-so-co-quan.png.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDate } from '../../domain/vn-time.js';
import {
  brokenImages, click, flash, login, openMenu, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld,
} from '../../lib/testing/browser.js';
import { pdfsig, uploadedPdf } from '../../lib/testing/files.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';
import { OPENSSL_O, opensslP12, type OpensslP12 } from '../../lib/testing/openssl-p12.js';

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-certificates-browser-');
  if (world) ({ h, tmp } = world);
});

afterAll(async () => {
  await world?.close();
});

const storedFingerprints = async () => (await h.db.selectFrom('certificates').select('fingerprint').orderBy('fingerprint').execute()).map((r) => r.fingerprint);

function writeFile(name: string, bytes: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Chooses the PKCS#12 file, types its passphrase and presses TẢI LÊN, as a person does. */
async function upload(page: Page, file: string, passphrase: string) {
  const form = page.getByTestId('certificate-upload');
  await form.getByLabel('Tệp chứng thư số kèm khóa bí mật').setInputFiles(file);
  await form.getByLabel('Mật khẩu của tệp').fill(passphrase);
  await click(form.getByRole('button', { name: 'TẢI LÊN', exact: true }));
}

/** The list's row of the certificate shows its facts as a person reads them, and that it is in use. */
async function seeCertificateRow(page: Page, k: OpensslP12) {
  const x = new X509Certificate(k.certPem);
  const row = page.locator(`[data-testid="certificate-list"] tr[data-fingerprint="${k.fingerprint}"]`);
  const cn = /CN=(.*)/.exec(x.subject)![1];
  await seeText(row, cn, // the subject's CN; the whole subject on hover
    x.issuer.split('\n').join(', '),
    x.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    `${vnDate(new Date(x.validFrom))} – ${vnDate(new Date(x.validTo))}`,
    'Ký số, Chống chối bỏ',
    k.fingerprint.toUpperCase().match(/.{2}/g)!.join(':'));
  await seeText(row.getByTestId('certificate-status'), 'Đang dùng');
  expect(await row.locator('td[title]').first().getAttribute('title')).toBe(x.subject.split('\n').join(', '));
  expect(await page.locator('[data-testid="certificate-list"] tbody tr').count(), 'one certificate listed').toBe(1);
}

/** The wrong passphrase: refused on screen in Vietnamese, nothing stored, the list as it was. */
async function wrongPassphraseRefused(page: Page, file: string, listed: OpensslP12) {
  const before = await storedFingerprints();
  await upload(page, file, 'không phải mật khẩu');
  await seeText(page.getByTestId('error'), 'Mật khẩu của tệp chứng thư số không đúng.');
  expect(await storedFingerprints()).toEqual(before);
  const rows = page.locator('[data-testid="certificate-list"] tbody tr');
  expect(await rows.count()).toBe(1);
  expect(await rows.first().getAttribute('data-fingerprint')).toBe(listed.fingerprint);
}

/** The signer DN of each signature pdfsig lists in the file (document timestamps, of a type unknown to pdfsig, left out). */
function signerDns(file: string): { dns: string[]; count: number; valid: number; out: string } {
  const sig = pdfsig(file);
  const dns = sig.out.split(/^Signature #\d+:$/m).filter((b) => !/Signature Type: (unknown|ETSI\.RFC3161)/.test(b))
    .flatMap((b) => /Signer full Distinguished Name: (.*)/.exec(b)?.[1] ?? []);
  return { dns, count: sig.count, valid: sig.valid, out: sig.out };
}

/** The e-copy as the page's PDF link serves it to `page`'s user, written to a file for pdfsig. */
async function downloadPdf(page: Page, code: string, name: string): Promise<string> {
  const res = await page.context().request.get(`/ho-so/${encodeURIComponent(code)}/pdf`);
  expect(res.status()).toBe(200);
  return writeFile(name, await res.body());
}

describe('certificate screens in Chromium', () => {
  it('the leader and the seal keeper upload their PKCS#12, see its facts and that it is in use; a wrong passphrase stores nothing; the e-copy names both in pdfsig', async () => {
    requireChromium();
    const [canbo, leader] = await Promise.all([h.actor('canbo'), h.actor('lanhdao')]);
    const agencyName = (await h.db.selectFrom('agencies').select('name').where('code', '=', h.agencyCode).executeTakeFirstOrThrow()).name;
    const leaderP12 = await opensslP12(h, tmp, { cn: leader.fullName, passphrase: 'mật khẩu lãnh đạo' });
    const sealP12 = await opensslP12(h, tmp, { cn: agencyName, passphrase: 'mật khẩu con dấu' });
    expect(await storedFingerprints()).toEqual([]);

    // 1. The leader: Trang cá nhân → Chứng thư số.
    const lanhdao = await world!.newPage();
    await login(lanhdao, 'lanhdao');
    await lanhdao.locator('header').getByRole('link', { name: 'Trang cá nhân', exact: true }).click();
    await click(lanhdao.getByTestId('certificates-link'));
    await seeText(lanhdao.locator('.breadcrumb'), 'Chứng thư số cá nhân');
    await seeText(lanhdao.getByTestId('no-certificate'), 'Chưa có chứng thư số nào được tải lên');
    await upload(lanhdao, writeFile('lanh-dao.p12', leaderP12.p12), 'mật khẩu lãnh đạo');
    await flash(lanhdao, `Đã tải lên chứng thư số của “${leader.fullName}”; từ nay dùng chứng thư này để ký.`);
    await seeCertificateRow(lanhdao, leaderP12);
    expect(await storedFingerprints()).toEqual([leaderP12.fingerprint]);
    const another = await opensslP12(h, tmp, { cn: leader.fullName, passphrase: 'đúng' });
    await wrongPassphraseRefused(lanhdao, writeFile('lanh-dao-2.p12', another.p12), leaderP12);
    await shot(lanhdao, '17-chung-thu-so-ca-nhan');
    expect(await brokenImages(lanhdao)).toEqual([]);

    // 2. The seal keeper: Quản lý con dấu → Chứng thư số.
    const vanthu = await world!.newPage();
    await login(vanthu, 'vanthu');
    await openMenu(vanthu, 'Quản lý con dấu');
    await click(vanthu.getByTestId('certificates-link'));
    await seeText(vanthu.locator('.breadcrumb'), 'Chứng thư số của cơ quan (con dấu)');
    await seeText(vanthu.getByTestId('no-certificate'), 'Chưa có chứng thư số nào được tải lên');
    await upload(vanthu, writeFile('con-dau.p12', sealP12.p12), 'mật khẩu con dấu');
    await flash(vanthu, `Đã tải lên chứng thư số của “${agencyName}”; từ nay dùng chứng thư này để ký.`);
    await seeCertificateRow(vanthu, sealP12);
    await wrongPassphraseRefused(vanthu, writeFile('con-dau-2.p12', sealP12.p12), sealP12);
    expect((await storedFingerprints()).sort()).toEqual([leaderP12.fingerprint, sealP12.fingerprint].sort());
    await shot(vanthu, '18-chung-thu-so-co-quan');
    expect(await brokenImages(vanthu)).toEqual([]);

    // 3. A dossier to sign (made through the service, as a clerk would on "Thêm mới"); the leader signs it on screen.
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'chung-thu@example.vn', documentType: 'KHAC' },
      uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    await openMenu(lanhdao, 'Bản sao chờ ký');
    await lanhdao.locator(`tr[data-code="${d.code}"]`).getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(lanhdao.getByTestId('dossier-code'), d.code);
    await click(lanhdao.getByTestId('sign'));
    await flash(lanhdao, `Đã ký số hồ sơ ${d.code}`);
    const signed = signerDns(await downloadPdf(lanhdao, d.code, 'da-ky.pdf'));
    expect([signed.count, signed.valid], signed.out).toEqual([1, 1]);
    expect(signed.out).toContain(`Signer Certificate Common Name: ${leader.fullName}`);
    expect(signed.dns[0]).toContain(`O=${OPENSSL_O}`); // the uploaded certificate, not the test PKI's of the same name

    // 4. The seal keeper seals it on screen: the e-copy names both uploaded certificates.
    await openMenu(vanthu, 'Bản sao chờ đóng dấu');
    await vanthu.locator(`tr[data-code="${d.code}"]`).getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(vanthu.getByTestId('dossier-code'), d.code);
    await click(vanthu.getByTestId('seal'));
    await flash(vanthu, `và đóng dấu hồ sơ ${d.code}`);
    await seeText(vanthu.getByTestId('status'), 'Hoàn thành');
    const sealed = signerDns(await downloadPdf(vanthu, d.code, 'da-dong-dau.pdf'));
    expect([sealed.count, sealed.valid], sealed.out).toEqual([2, 2]);
    expect(sealed.dns.map((dn) => [/CN=([^,]*)/.exec(dn)?.[1], dn.includes(`O=${OPENSSL_O}`)])).toEqual([[leader.fullName, true], [agencyName, true]]);

    for (const p of [lanhdao, vanthu]) expect(problemsOf(p)).toEqual([]);
  });
});
