// The templates at work on the real stack (web app, worker on the Temporal dev server, PostgreSQL): a dossier signed
// before version 2 of the attestation keeps version 1's text and records 1; after version 2 is published, the leader's
// signature here and the one made with a token outside the server (sign/prepare + sign/complete) both print version
// 2's lines (pdftotext reads the signed PDF) and record 2, shown on the dossier's page; the attestation preview of
// "Xử lý" follows the latest version; the register book's Excel export follows the latest layout and names it.
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentity } from '../../activities/pdf/signer.js';
import { ATTESTATION_SENTENCE } from '../../domain/attestation.js';
import { vnYear } from '../../domain/vn-time.js';
import { pdfsig, poppler } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, loginStaff, multipart, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let tmp: string;
let leader: WebClient;
const { call } = apiClient(() => h.baseUrl);
const YEAR = vnYear(new Date());
const at = (code: string, what = '') => `/dossiers/${encodeURIComponent(code)}${what}`;

const V2 = {
  header: ['{agencyName}', 'LỜI CHỨNG BẢN SAO ĐIỆN TỬ'],
  body: ['Căn cứ Nghị định số 280/2025/NĐ-CP,', ATTESTATION_SENTENCE, 'Giấy tờ được chứng thực: {documentTypeName}', 'Mã chứng thực: {dossierCode}'],
  dateLine: 'Sóc Trăng, {date}',
};

async function newDossier(): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1, 'Scan page'), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.code as string;
}
async function sign(code: string) {
  const signed = await call('lanhdao', 'POST', at(code, '/sign'));
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  return signed.body;
}
/** The text of the dossier's current PDF, as pdftotext reads it (whitespace folded). */
async function pdfText(code: string): Promise<{ text: string; file: string }> {
  const pdf = await call('canbo', 'GET', at(code, '/pdf'));
  expect(pdf.status).toBe(200);
  const file = path.join(tmp, `${code}.pdf`);
  fs.writeFileSync(file, pdf.bytes);
  return { text: poppler('pdftotext', [file, '-']).replace(/\s+/g, ' '), file };
}
async function seal(code: string, bookId: number) {
  const sealed = await call('vanthu', 'POST', at(code, '/seal'), { json: { registerBookId: bookId } });
  expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
}
async function bookSheet(bookId: number) {
  const x = await call('vanthu', 'GET', `/register-books/${bookId}/export.xlsx`);
  expect(x.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.bytes as unknown as ArrayBuffer);
  return wb.getWorksheet('Sổ chứng thực')!;
}

let before: string; // signed with version 1
let book: { id: number };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-templates-'));
  h = await createHarness();
  leader = await loginStaff(h.baseUrl, 'lanhdao');
  const books = await call('vanthu', 'GET', '/register-books');
  book = books.body.find((b: { name: string }) => b.name === `01/${YEAR}/ĐT`);
  expect(book).toBeTruthy();
});
afterAll(async () => {
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the attestation template at signing time', () => {
  it('a dossier signed before version 2 prints version 1 and records 1; after publishing, signatures print version 2 and record 2', async () => {
    before = await newDossier();
    const a = await sign(before);
    expect(a.signedPdf.templateVersion).toBe(1);
    const oldText = (await pdfText(before)).text;
    expect(oldText).toContain(ATTESTATION_SENTENCE);
    expect(oldText).toContain('Loại giấy tờ: Giấy khai sinh');
    expect(oldText).toContain('Số bản sao: 1');

    // The preview of "Xử lý" for a dossier waiting for the signature, before and after the publication.
    const later = await newDossier();
    const png1 = await leader.get(`/ho-so/${encodeURIComponent(later)}/trang-loi-chung.png`);
    expect(png1.status).toBe(200);

    const published = await call('quantri', 'POST', '/admin/templates/attestation', { json: V2 });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.version).toBe(2);

    const png2 = await leader.get(`/ho-so/${encodeURIComponent(later)}/trang-loi-chung.png`);
    expect(png2.status).toBe(200);
    expect(png2.type).toBe('image/png');
    expect(png2.bytes.equals(png1.bytes)).toBe(false); // drawn from version 2, not the cached version 1 page

    const b = await sign(later);
    expect(b.signedPdf.templateVersion).toBe(2);
    const { text, file } = await pdfText(later);
    expect(text).toContain('LỜI CHỨNG BẢN SAO ĐIỆN TỬ');
    expect(text).toContain('Căn cứ Nghị định số 280/2025/NĐ-CP,');
    expect(text).toContain(ATTESTATION_SENTENCE);
    expect(text).toContain('Giấy tờ được chứng thực: Giấy khai sinh');
    expect(text).toContain(`Mã chứng thực: ${later}`);
    expect(text).toMatch(/Sóc Trăng, ngày \d{2} tháng \d{2} năm \d{4}/);
    expect(text).not.toContain('Loại giấy tờ:');
    expect(text).not.toContain('Số bản sao:'); // version 2 has no such line
    expect(pdfsig(file).valid).toBe(1);

    // The first dossier keeps what it was signed with.
    expect((await call('canbo', 'GET', at(before))).body.signedPdf.templateVersion).toBe(1);
    expect((await pdfText(before)).text).toContain('Loại giấy tờ: Giấy khai sinh');

    // The dossier's page says which version each e-copy used.
    const pageA = await leader.get(`/ho-so/${encodeURIComponent(before)}`);
    expect(pageA.html).toMatch(/data-testid="template-version">Mẫu lời chứng: phiên bản 1</);
    const pageB = await leader.get(`/ho-so/${encodeURIComponent(later)}`);
    expect(pageB.html).toMatch(/data-testid="template-version">Mẫu lời chứng: phiên bản 2</);

    // Sealing keeps the record (the e-copy's signed file is the one that names the version).
    await seal(later, book.id);
    expect((await call('canbo', 'GET', at(later))).body.signedPdf.templateVersion).toBe(2);
    expect((await pdfText(later)).text).toContain('Căn cứ Nghị định số 280/2025/NĐ-CP,');
  }, 180_000);

  it('a signature made with a token outside the server uses the same template and records its version', async () => {
    const code = await newDossier();
    const lanhdao = (await h.actor('lanhdao'))!;
    const key = await h.trustServices.store.leaderKey({ username: 'lanhdao', fullName: lanhdao.fullName });
    const chain = loadIdentity(key).chainDer.map((d) => new X509Certificate(d).toString()).join('');
    const p = await call('lanhdao', 'POST', at(code, '/sign/prepare'), { json: { certificate: chain } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    // What a tool that signs a precomputed hash does (PKCS#1 v1.5 over the digest).
    const keyFile = path.join(tmp, 'key.pem');
    fs.writeFileSync(keyFile, loadIdentity(key).key.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const digestFile = path.join(tmp, 'digest.bin');
    fs.writeFileSync(digestFile, Buffer.from(p.body.digest, 'base64'));
    const signature = execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-pkeyopt', 'digest:sha256', '-in', digestFile]).toString('base64');
    const done = await call('lanhdao', 'POST', at(code, '/sign/complete'), { json: { preparationId: p.body.preparationId, signature } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.signedPdf.templateVersion).toBe(2);
    const { text, file } = await pdfText(code);
    expect(text).toContain('Giấy tờ được chứng thực: Giấy khai sinh');
    expect(text).not.toContain('Loại giấy tờ:');
    expect(pdfsig(file).valid).toBe(1);
  }, 120_000);
});

describe('the register layout at export time', () => {
  it('exports in version 1 until a new layout is published, then in the new one, naming its version', async () => {
    await seal(before, book.id);
    const v1 = await bookSheet(book.id);
    expect(v1.getCell('A2').value).toBe('Mẫu sổ: phiên bản 1');
    expect(v1.getRow(10).values).toEqual([undefined, 'STT', 'Số chứng thực', 'Ngày chứng thực', 'Họ tên người yêu cầu', 'Tên bản chính giấy tờ', 'Người ký chứng thực', 'Số bản sao', 'Lệ phí (đồng)', 'Mã chứng thực']);

    const layout = { columns: [
      { field: 'dossierCode', header: 'Mã hồ sơ', width: 26 },
      { field: 'certificationNumber', header: 'Số CT', width: 11 },
      { field: 'signerCertificate', header: 'Chứng thư số người ký', width: 66 },
    ] };
    const published = await call('quantri', 'POST', '/admin/templates/register_book', { json: layout });
    expect(published.status, JSON.stringify(published.body)).toBe(201);

    const v2 = await bookSheet(book.id);
    expect(v2.getCell('A2').value).toBe('Mẫu sổ: phiên bản 2');
    expect(v2.getRow(10).values).toEqual([undefined, 'Mã hồ sơ', 'Số CT', 'Chứng thư số người ký']);
    expect([1, 2, 3].map((i) => v2.getColumn(i).width)).toEqual([26, 11, 66]);
    const rows = [11, 12].map((r) => v2.getRow(r).values as unknown[]);
    const entries = await h.db.selectFrom('register_entries').select(['dossier_code', 'certification_number', 'signer_certificate']).where('register_book_id', '=', book.id).orderBy('number').execute();
    expect(entries).toHaveLength(2);
    expect(rows).toEqual(entries.map((e) => [undefined, e.dossier_code, e.certification_number, e.signer_certificate]));
    expect(entries.every((e) => /^[0-9a-f]{64}$/.test(e.signer_certificate ?? ''))).toBe(true);
  }, 120_000);
});
