// Public verification of e-copies (SPEC §5 "Public", issue 4 part 6) against the real stack: dossiers driven to
// completion by the real workflow (real signing and sealing with the test PKI), the web app on a port, PostgreSQL;
// the issued e-copy extended by LTV updates (ours and pyHanko's), changed after the seal, and re-saved by qpdf.
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyStore } from '../../activities/pdf/pki.js';
import { sealIncremental } from '../../activities/pdf/seal.js';
import { signWithAttestation } from '../../activities/pdf/sign.js';
import { createLocalStorage } from '../../activities/storage.js';
import type { Actor } from '../../domain/types.js';
import { startCertomancer } from '../../lib/testing/certomancer.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { padesVenv } from '../../lib/testing/pades.js';
import { tamper, type Tampering } from '../../lib/testing/tamper.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, multipart, VIETNAMESE, WebClient } from '../../lib/testing/http.js';
import { DEMO_AGENCY } from '../../lib/seed.js';
import { freePort } from '../../lib/testing/certomancer.js';
import { VerificationService } from './service.js';
import type { DossierView } from '../../domain/dossier.js';

let h: Harness;
let canbo: Actor, lanhdao: Actor, vanthu: Actor;
let completed: DossierView;
let scan: Buffer;
let sealed: Buffer;

/** The e-copy as it was right after the seal (its B-T signatures, before the DSS and document timestamp of B-LTA):
 *  the file up to the end of the seal's signed byte range, the second signature's. */
function sealedRevisionOf(pdf: Buffer): Buffer {
  const ranges = [...pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map((m) => m.slice(1).map(Number));
  const seal = ranges[1];
  return pdf.subarray(0, seal[2] + seal[3]);
}
let ltaUpdated: Buffer;

/** What must never show: the applicant (demo citizen) and the staff who are not printed as signers. */
const PERSONAL = ['151804051', 'nguyenthithu@example.vn', '0942077843', 'Nguyễn Thị Thu', 'congdan', 'Trần Thị Bích', 'vanthu', 'Nguyễn Văn An'];

function expectNothingPersonal(text: string) {
  for (const p of PERSONAL) expect(text, `"${p}" must not be shown`).not.toContain(p);
}

// Each request comes "through the proxy" from its own address, so the per-address limits stay out of the way
// (trust proxy is 'loopback'); the rate-limit test uses one fixed address.
let n = 0;
const freshIp = () => { n += 1; return `10.9.${Math.floor(n / 250)}.${(n % 250) + 1}`; };

async function api(method: string, p: string, opts: { form?: FormData; ip?: string; token?: string } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': opts.ip ?? freshIp() };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${h.baseUrl}/api/v1${p}`, { method, headers, body: opts.form });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null;
  return { status: res.status, headers: res.headers, text, body: json };
}

const fileForm = (bytes: Buffer, name = 'ban-sao.pdf', type = 'application/pdf', field = 'file', extra: Record<string, string> = {}) =>
  multipart(extra, field, bytes, name, type);

/** An anonymous visitor with a cookie jar, coming from an address of its own. */
class Visitor extends WebClient {
  constructor(ip = freshIp()) {
    super(h.baseUrl, { 'x-forwarded-for': ip });
  }
  /** Opens the page and uploads a file with the form's CSRF token. */
  async upload(bytes: Buffer, name = 'ban-sao.pdf', type = 'application/pdf') {
    const page = await this.get('/xac-thuc');
    expect(page.status).toBe(200);
    return this.post('/xac-thuc', fileForm(bytes, name, type, 'file', { _csrf: csrfOf(page.html) }));
  }
}

const verdictOf = (html: string) => /data-testid="verdict" data-genuine="(true|false)"/.exec(html)?.[1] ?? null;

async function newDossier(pdf: Buffer) {
  return h.service.create(canbo, { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, uploadedPdf(h, pdf), crypto.randomUUID());
}

/** One byte changed inside the original scan's bytes (a content stream of the scan). */
function tamperScanPart(pdf: Buffer, scanLength: number): Buffer {
  const bad = Buffer.from(pdf);
  const at = bad.indexOf('stream\n') + 'stream\n'.length + 3;
  expect(at).toBeGreaterThan(20);
  expect(at).toBeLessThan(scanLength);
  bad[at] ^= 0x20;
  return bad;
}

beforeAll(async () => {
  // The default level: the issued e-copy already carries its LTV updates (DSS, document timestamp, its DSS);
  // these tests append more (ours, pyHanko's ltaupdate) and other changes after them.
  h = await createHarness({ env: { SIGNATURE_LEVEL: 'B-LTA' } });
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  scan = await makePdf(2);
  const d = await newDossier(scan);
  await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
  const book = await h.db.selectFrom('register_books').selectAll().where('agency_code', '=', DEMO_AGENCY.code).executeTakeFirstOrThrow();
  completed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
  expect(completed.status).toBe('completed');
  sealed = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(completed.sealedPdf!.sha256);
  // pyHanko's LTV update is made here, before any request: several idle seconds between two requests on one
  // keep-alive connection race the server's keep-alive timeout (ECONNRESET).
  const tsa = await startCertomancer();
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltaupdate-'));
    const file = path.join(dir, 'ban-sao.pdf');
    fs.writeFileSync(file, sealed);
    fs.writeFileSync(path.join(dir, 'ca.pem'), await createFileKeyStore(path.join(h.config.dataDir, 'pki')).caCertPem());
    fs.writeFileSync(path.join(dir, 'tsa.pem'), tsa.rootPem);
    // Not execFileSync: pyHanko fetches the demo TSA's OCSP from the trust services in this process, which a
    // blocked event loop could not answer (the old 'Generic processing error' of ltaupdate on our B-LTA e-copies).
    await promisify(execFile)(path.join(padesVenv(), 'bin/pyhanko'), ['sign', 'ltaupdate', '--timestamp-url', tsa.tsaUrl, '--trust', path.join(dir, 'ca.pem'), '--trust', path.join(dir, 'tsa.pem'), file]);
    ltaUpdated = fs.readFileSync(file);
  } finally {
    await tsa.stop();
  }
}, 120_000);
afterAll(async () => { await h?.close(); });

describe('verification by dossier code', () => {
  it('JSON: a completed dossier is genuine and shows only what the copy prints (no token needed)', async () => {
    const r = await api('GET', `/verify/${encodeURIComponent(completed.code)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      code: completed.code,
      genuine: true,
      status: 'completed',
      statusLabel: 'Hoàn thành',
      agency: { code: DEMO_AGENCY.code, name: DEMO_AGENCY.name },
      documentType: 'Giấy khai sinh',
      certificationNumber: completed.certificationNumber,
      certifiedAt: completed.sealedBy!.at,
      registerBook: completed.registerBook!.name,
      signers: [
        { role: 'leader', name: 'Lâm Phước Thọ', title: 'Trưởng phòng Tư pháp', signedAt: completed.signedBy!.at },
        { role: 'agency', name: DEMO_AGENCY.name, title: null, signedAt: completed.sealedBy!.at },
      ],
    });
    expectNothingPersonal(r.text);
  });

  it('screen: /xac-thuc?code= says genuine, shows the printed details, no menu and nothing personal', async () => {
    const v = new Visitor();
    const page = await v.get(`/xac-thuc?code=${encodeURIComponent(completed.code)}`);
    expect(page.status).toBe(200);
    expect(verdictOf(page.html)).toBe('true');
    for (const s of [DEMO_AGENCY.name, 'Giấy khai sinh', completed.certificationNumber!, completed.registerBook!.name, 'Lâm Phước Thọ', 'Trưởng phòng Tư pháp', 'hợp lệ']) {
      expect(page.html).toContain(s);
    }
    expect(page.html).not.toContain('class="menu"'); // an anonymous visitor sees no staff menu
    expectNothingPersonal(page.html);
  });

  it('an unknown or forged code: 404 JSON {error: not_found} and a normal 404 page saying so', async () => {
    const forged = completed.code.replace(/\d{4}$/, (s) => String((Number(s) + 7) % 10000).padStart(4, '0'));
    for (const code of [forged, 'G22.29-010101-999999', 'KHONG-CO']) {
      const r = await api('GET', `/verify/${encodeURIComponent(code)}`);
      expect(r.status).toBe(404);
      expect(r.body.error).toBe('not_found');
      expect(r.body.message).toMatch(VIETNAMESE);
      const page = await new Visitor().get(`/xac-thuc?code=${encodeURIComponent(code)}`);
      expect(page.status).toBe(404);
      expect(verdictOf(page.html)).toBe('false');
      expect(page.html).toContain('Không tìm thấy bản sao điện tử');
      expect(page.html).toContain('name="code"'); // the form is there to try again
    }
    // HTML in the code is shown escaped, never run.
    const xss = await new Visitor().get(`/xac-thuc?code=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(xss.status).toBe(404);
    expect(xss.html).not.toContain('<script>alert(1)</script>');
    expect(xss.html).toContain('&lt;script&gt;');
    // An empty code asks for one.
    const empty = await new Visitor().get('/xac-thuc?code=+');
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('Vui lòng nhập mã chứng thực');
  });

  it('a dossier not issued (waiting, returned, cancelled) gets exactly the answer of an unknown code, API and screen', async () => {
    const unknown = 'G22.29-010101-999999';
    // What an unknown code gets: the reference, the code typed in its place.
    const apiAnswer = async (code: string) => {
      const r = await api('GET', `/verify/${encodeURIComponent(code)}`);
      return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), body: r.body, text: r.text };
    };
    const verdictSection = (html: string, code: string) => {
      const m = /<section class="card verdict[\s\S]*?<\/section>/.exec(html);
      return m ? m[0].replaceAll(code, 'MA') : null;
    };
    const screen = async (code: string) => {
      const page = await new Visitor().get(`/xac-thuc?code=${encodeURIComponent(code)}`);
      return { status: page.status, verdict: verdictSection(page.html, code), html: page.html };
    };
    const refApi = await apiAnswer(unknown);
    const refScreen = await screen(unknown);
    expect(refApi.status).toBe(404);
    expect(refApi.body).toEqual({ error: 'not_found', message: expect.stringMatching(VIETNAMESE) });
    expect(refScreen.status).toBe(404);
    expect(refScreen.verdict).toContain('Không tìm thấy bản sao điện tử');

    const expectNotFound = async (code: string, what: string) => {
      const a = await apiAnswer(code);
      expect({ ...a, text: undefined }, what).toEqual({ ...refApi, text: undefined });
      expect(a.text, what).not.toContain(code);
      const p = await screen(code);
      expect([p.status, p.verdict], what).toEqual([refScreen.status, refScreen.verdict]);
      for (const s of ['Giấy khai sinh', DEMO_AGENCY.name, 'Chờ', 'chưa hoàn thành', 'Trạng thái']) expect(p.verdict, `${what}: "${s}"`).not.toContain(s);
      expectNothingPersonal(p.html);
    };
    const waiting = await newDossier(await makePdf(1));
    await expectNotFound(waiting.code, 'awaiting signature');
    const returned = await newDossier(await makePdf(1));
    await h.service.act(lanhdao, returned.code, 'returnToCreator', { reason: 'Bản chính bị tẩy xóa, sửa chữa nội dung' }, crypto.randomUUID());
    expect((await h.service.get(lanhdao, returned.code)).status).toBe('returned');
    await expectNotFound(returned.code, 'returned');
    await h.service.act(canbo, returned.code, 'cancel', { reason: 'Người yêu cầu không bổ sung' }, crypto.randomUUID());
    await expectNotFound(returned.code, 'cancelled');
    await h.service.act(lanhdao, waiting.code, 'sign', {}, crypto.randomUUID());
    await expectNotFound(waiting.code, 'signed, awaiting the seal');
    // The issued copy still answers, genuine.
    expect((await apiAnswer(completed.code)).body).toMatchObject({ code: completed.code, genuine: true });
  });
});

describe('verification by uploading the PDF', () => {
  it('JSON: the delivered e-copy is genuine, identical and intact', async () => {
    const r = await api('POST', '/verify', { form: fileForm(sealed) });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ genuine: true, identical: true, intact: true, matchedBy: 'file', modifiedAfterLastSignature: false, reasons: [] });
    expect(r.body.sha256).toBe(completed.sealedPdf!.sha256);
    expect(r.body.signatures.map((s: any) => [s.field, s.signerCommonName, s.valid, s.coversWholeDocument, s.chainsToTrustedCa])).toEqual([
      ['ChuKyLanhDao', 'Lâm Phước Thọ', true, false, true],
      ['DauCoQuan', DEMO_AGENCY.name, true, false, true],
      ['DauThoiGian', 'TSA thử nghiệm - Chứng thực bản sao điện tử', true, false, true],
    ]);
    expect(r.body.dossier).toMatchObject({ code: completed.code, genuine: true, certificationNumber: completed.certificationNumber });
    expectNothingPersonal(r.text);
    // Nothing uploaded for verification is kept.
    expect(fs.readdirSync(path.join(h.config.dataDir, 'files', 'tmp'))).toEqual([]);
  });

  it('screen: uploading the delivered e-copy says it is genuine', async () => {
    const page = await new Visitor().upload(sealed, 'ban-sao-dien-tu.pdf');
    expect(page.status).toBe(200);
    expect(verdictOf(page.html)).toBe('true');
    expect(page.html).toContain('ban-sao-dien-tu.pdf');
    expect(page.html).toContain('Nguyên vẹn');
    expect(page.html).toContain(completed.code);
    expectNothingPersonal(page.html);
  });

  it('a tampered copy (one byte changed in the scan): signatures broken, not identical, not genuine, on a normal 200 page', async () => {
    const bad = tamperScanPart(sealed, scan.length);
    const r = await api('POST', '/verify', { form: fileForm(bad) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ genuine: false, identical: false, intact: false });
    expect(r.body.signatures).toHaveLength(3);
    expect(r.body.signatures.map((s: any) => s.valid)).toEqual([false, false, false]);
    // Found by the details its seal carries, and said not to match the delivered file.
    expect(r.body.matchedBy).toBe('details');
    expect(r.body.dossier.code).toBe(completed.code);
    expect(r.body.reasons.join(' ')).toMatch(/bị thay đổi/);
    expect(r.body.reasons.join(' ')).toMatch(/không trùng khớp/i);
    expectNothingPersonal(r.text);

    const page = await new Visitor().upload(bad);
    expect(page.status).toBe(200);
    expect(verdictOf(page.html)).toBe('false');
    expect(page.html).toContain('KHÔNG phải là bản sao điện tử hợp lệ');
    expect(page.html).toContain('Bị phá vỡ');
    expect(page.html).not.toContain('Lỗi hệ thống');
  });

  it('a copy with bytes appended after the seal is not genuine (signatures intact but the seal no longer covers the file)', async () => {
    const r = await api('POST', '/verify', { form: fileForm(Buffer.concat([sealed, Buffer.from('\n%%EOF\n')])) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ genuine: false, identical: false, intact: false, modifiedAfterLastSignature: true });
    expect(r.body.signatures.map((s: any) => s.valid)).toEqual([true, true, true]);
  });

  it('JSON: each signature says its role, signer, intact, trusted, timestamp and level; the verdict its level and the seal timestamp', async () => {
    const r = await api('POST', '/verify', { form: fileForm(sealed) });
    expect(r.body.signatures.map((s: any) => [s.role, s.signer, s.intact, s.trusted])).toEqual([
      ['leader', 'Lâm Phước Thọ', true, true],
      ['seal', DEMO_AGENCY.name, true, true],
      ['documentTimestamp', expect.any(String), true, true],
    ]);
    for (const s of r.body.signatures) expect(s).toHaveProperty('timestamp');
    expect(r.body.signatures.map((s: any) => s.level)).toEqual([r.body.level, r.body.level, null]);
    expect(r.body.level).toBe('B-LTA');
    // The LTV updates of the issued e-copy: DSS, document timestamp, the DSS of its chain.
    expect(r.body).toMatchObject({ containsIssuedRevision: true, ltvUpdates: 3 });
    expect(r.body).toHaveProperty('timestamp');
  });

  it('JSON at B-T: revocation unknown for both signatures and the TSA (no data in the file, no online look-up), coverage per signature; the screen says so', async () => {
    const sealedBT = sealedRevisionOf(sealed);
    const r = await api('POST', '/verify', { form: fileForm(sealedBT) });
    expect(r.body.signatures.map((s: any) => [s.role, s.revocation.status, s.revocation.online, s.coverage, s.timestamp?.revocation.status])).toEqual([
      ['leader', 'unknown', false, 'entireRevision', 'unknown'],
      ['seal', 'unknown', false, 'entireFile', 'unknown'],
    ]);
    expect(r.body.signatures[0].revocation.reason).toMatch(/không chứa dữ liệu thu hồi/);
    expect(r.body.signatures.map((s: any) => s.uncoveredBytes > 0)).toEqual([true, false]); // the seal's revision follows the leader's
    expect(r.body.timestamp).toMatchObject({ trusted: true, intact: true, imprintMatches: true, revocation: { status: 'unknown' } });
    expect(r.body.signatures[0]).not.toHaveProperty('chain'); // the certificates stay inside
    const page = await new Visitor().upload(sealedBT);
    expect(page.html).toMatch(/data-role="leader" data-revocation="unknown" data-coverage="entireRevision"/);
    expect(page.html).toContain('Lãnh đạo ký');
    expect(page.html).toContain('Chưa xác định được: Tệp không chứa dữ liệu thu hồi');
  });

  it('online look-up on: the issuer says good for both signers and the TSA, within seconds; an unreachable one leaves unknown with the reason', async () => {
    const keys = createFileKeyStore(path.join(h.config.dataDir, 'pki'));
    const online = new VerificationService(h.db, keys, { onlineRevocation: { timeoutMs: 1500 } });
    const v = await online.byFile(sealedRevisionOf(sealed)); // B-T: no revocation data in the file
    expect(v.signatures.map((s) => s.intact)).toEqual([true, true]);
    expect(v.signatures.map((s) => [s.revocation.status, s.revocation.online, s.timestamp?.revocation.status])).toEqual([['good', true, 'good'], ['good', true, 'good']]);
    expect(v.signatures[0].revocation).toMatchObject({ source: 'ocsp', reason: null });
    // A CA whose certificates point at services that are down: unknown, said why, answered in seconds.
    const dead = createFileKeyStore(fs.mkdtempSync(path.join(os.tmpdir(), 'dead-ca-')), { trustServicesUrl: `http://127.0.0.1:${await freePort()}` });
    const signedByDead = await sealIncremental(Buffer.from(await signWithAttestation(scan, {
      signerName: 'Lâm Phước Thọ', signerTitle: 'TRƯỞNG PHÒNG', key: await dead.leaderKey({ username: 'x', fullName: 'Lâm Phước Thọ' }),
      attestation: { agencyName: DEMO_AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'X', date: new Date() },
    })), { certificationNumber: '1/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: DEMO_AGENCY.name, key: await dead.sealKey({ code: DEMO_AGENCY.code, name: DEMO_AGENCY.name }) });
    const deadCa = await dead.caCertPem();
    const t0 = Date.now();
    const w = await new VerificationService(h.db, keys, { trustAnchors: [deadCa], onlineRevocation: { timeoutMs: 1500 } }).byFile(signedByDead);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(w.signatures.map((s) => [s.trusted, s.revocation.status, s.revocation.online])).toEqual([[true, 'unknown', true], [true, 'unknown', true]]);
    expect(w.signatures[0].revocation.reason).toMatch(/^Tệp không chứa dữ liệu thu hồi cho chứng thư số này\. Dịch vụ tra cứu của tổ chức cấp không kết nối được\.$/);
    // Untrusted (the dead CA not an anchor): the server never fetches the addresses an uploader's certificate names.
    const u = await online.byFile(signedByDead);
    expect(u.signatures.map((s) => [s.trusted, s.revocation.status, s.revocation.online])).toEqual([[false, 'unknown', false], [false, 'unknown', false]]);
  }, 60_000);

  it('trusted follows TRUST_ANCHORS: another CA untrusted by default, trusted once it is an anchor; the test CA only when the system CA is trusted (demo)', async () => {
    const keys = createFileKeyStore(path.join(h.config.dataDir, 'pki'));
    const other = createFileKeyStore(fs.mkdtempSync(path.join(os.tmpdir(), 'other-ca-')));
    const pdf = await sealIncremental(Buffer.from(await signWithAttestation(scan, {
      signerName: 'Lâm Phước Thọ', signerTitle: 'TRƯỞNG PHÒNG', key: await other.leaderKey({ username: 'x', fullName: 'Lâm Phước Thọ' }),
      attestation: { agencyName: DEMO_AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'X', date: new Date() },
    })), { certificationNumber: '1/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: DEMO_AGENCY.name, key: await other.sealKey({ code: DEMO_AGENCY.code, name: DEMO_AGENCY.name }) });
    expect((await new VerificationService(h.db, keys).byFile(pdf)).signatures.map((s) => s.trusted)).toEqual([false, false]);
    const anchored = new VerificationService(h.db, keys, { trustAnchors: [await other.caCertPem()] });
    expect((await anchored.byFile(pdf)).signatures.map((s) => s.trusted)).toEqual([true, true]);
    // Production: only the anchors, not the key store's own CA.
    const production = new VerificationService(h.db, keys, { trustAnchors: [await other.caCertPem()], trustSystemCa: false });
    expect((await production.byFile(sealed)).signatures.map((s) => s.trusted)).toEqual([false, false, false]); // and the document timestamp's TSA
  }, 60_000);

  it('the issued e-copy with a DSS appended (long-term validation) is still genuine: not identical, contains the issued revision, one LTV update', async () => {
    const ca = await createFileKeyStore(path.join(h.config.dataDir, 'pki')).caCertPem();
    const updated = await tamper(sealed, 'dss', [new crypto.X509Certificate(ca).raw]);
    const r = await api('POST', '/verify', { form: fileForm(updated) });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      genuine: true, identical: false, containsIssuedRevision: true, intact: true, matchedBy: 'issuedRevision', ltvUpdates: 4,
      modifiedAfterLastSignature: false, reasons: [],
    });
    expect(r.body.dossier).toMatchObject({ code: completed.code, genuine: true });
    const page = await new Visitor().upload(updated);
    expect(verdictOf(page.html)).toBe('true');
    expect(page.html).toMatch(/data-testid="contains-issued">Có</);
    expect(page.html).toMatch(/data-testid="ltv-updates">4</);
    expectNothingPersonal(page.html);
  });

  it("pyHanko's LTV update (a document timestamp from an independent TSA and a DSS) keeps the e-copy genuine", async () => {
    const r = await api('POST', '/verify', { form: fileForm(ltaUpdated) });
    expect(r.body).toMatchObject({ genuine: true, identical: false, containsIssuedRevision: true, matchedBy: 'issuedRevision', ltvUpdates: 5, reasons: [] });
    expect(r.body.signatures.map((s: any) => [s.role, s.intact])).toEqual([['leader', true], ['seal', true], ['documentTimestamp', true], ['documentTimestamp', true]]);
    expect(r.body.signatures[3].timestamp).toMatchObject({ authority: 'Certomancer Test TSA' });
  });

  const CHANGE_WORDS: Record<Exclude<Tampering, 'dss'>, RegExp> = {
    pageText: /Có thay đổi sau khi đóng dấu: nội dung trang/,
    certificationNumber: /Có thay đổi sau khi đóng dấu: nội dung trang/,
    annotation: /Có thay đổi sau khi đóng dấu: chú thích/,
    fieldAppearance: /Có thay đổi sau khi đóng dấu: trường biểu mẫu/,
    formField: /Có thay đổi sau khi đóng dấu: .*trường biểu mẫu/,
  };
  it('each change appended after the seal (page text, a number, an annotation, the seal appearance, a form field): not genuine, the change named', async () => {
    for (const [kind, words] of Object.entries(CHANGE_WORDS) as [Exclude<Tampering, 'dss'>, RegExp][]) {
      const r = await api('POST', '/verify', { form: fileForm(await tamper(sealed, kind)) });
      expect(r.body, kind).toMatchObject({ genuine: false, identical: false, containsIssuedRevision: true, intact: false, modifiedAfterLastSignature: true, ltvUpdates: 0 });
      expect(r.body.reasons.join(' '), kind).toMatch(words);
      expect(r.body.signatures.map((s: any) => s.intact), kind).toEqual([true, true, true]);
    }
  });

  it('a copy re-saved by other software (qpdf): the true reason, never "not made by the system CA"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resave-'));
    fs.writeFileSync(path.join(dir, 'in.pdf'), sealed);
    execFileSync('qpdf', [path.join(dir, 'in.pdf'), path.join(dir, 'out.pdf')]);
    const r = await api('POST', '/verify', { form: fileForm(fs.readFileSync(path.join(dir, 'out.pdf'))) });
    expect(r.body).toMatchObject({ genuine: false, identical: false, intact: false });
    expect(r.body.reasons.join(' ')).toMatch(/đã được lưu lại bằng phần mềm khác/);
    expect(r.body.reasons.join(' ')).not.toMatch(/chứng thư số của cơ quan chứng thực/);
    expect(r.body.signatures.slice(0, 2).map((s: any) => [s.signer, s.intact, s.trusted])).toEqual([['Lâm Phước Thọ', false, true], [DEMO_AGENCY.name, false, true]]);
  });

  it('a forged copy re-signed by a self-made CA with the same names is not chained, not genuine', async () => {
    const forger = createFileKeyStore(fs.mkdtempSync(path.join(os.tmpdir(), 'forger-')));
    const signed = await signWithAttestation(scan, {
      attestation: { agencyName: DEMO_AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: completed.code, date: new Date(completed.signedBy!.at), copies: 1 },
      signerName: 'Lâm Phước Thọ', signerTitle: 'Trưởng phòng Tư pháp', key: await forger.leaderKey({ username: 'lanhdao', fullName: 'Lâm Phước Thọ' }),
      signingTime: new Date(completed.signedBy!.at), reason: 'Chứng thực bản sao đúng với bản chính',
    });
    const forged = await sealIncremental(signed, {
      certificationNumber: completed.certificationNumber!, registerBookName: completed.registerBook!.name, sealDate: new Date(completed.sealedBy!.at),
      agencyName: DEMO_AGENCY.name, key: await forger.sealKey({ code: DEMO_AGENCY.code, name: DEMO_AGENCY.name }),
    });
    const r = await api('POST', '/verify', { form: fileForm(forged) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ genuine: false, identical: false, intact: false, matchedBy: 'details' });
    expect(r.body.signatures.map((s: any) => [s.signerCommonName, s.valid, s.chainsToTrustedCa])).toEqual([
      ['Lâm Phước Thọ', true, false],
      [DEMO_AGENCY.name, true, false],
    ]);
    expect(r.body.reasons.join(' ')).toMatch(/chứng thư số của cơ quan chứng thực/);

    const page = await new Visitor().upload(forged);
    expect(page.status).toBe(200);
    expect(verdictOf(page.html)).toBe('false');
    expect(page.html).toContain('Không tin cậy');
  });

  it('a PDF with no signatures, and a non-PDF upload', async () => {
    const plain = await api('POST', '/verify', { form: fileForm(scan) });
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ genuine: false, identical: false, intact: false, matchedBy: null, signatures: [], dossier: null });
    expect(plain.body.reasons.join(' ')).toMatch(/không có chữ ký số/);

    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const r = await api('POST', '/verify', { form: fileForm(png, 'anh.pdf', 'application/pdf') });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_file', field: 'file' });
    expect(r.body.message).toMatch(/không phải là tệp PDF/);
    const page = await new Visitor().upload(png, 'anh.pdf');
    expect(page.status).toBe(400);
    expect(page.html).toContain('không phải là tệp PDF');
    expect(page.html).toContain('data-testid="upload-form"');

    const noFile = await api('POST', '/verify', { form: (() => { const f = new FormData(); f.append('x', 'y'); return f; })() });
    expect(noFile.status).toBe(400);
    expect(noFile.body.error).toBe('validation');
    const notMultipart = await fetch(`${h.baseUrl}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() }, body: '{}' });
    expect(notMultipart.status).toBe(400);
    expect(fs.readdirSync(path.join(h.config.dataDir, 'files', 'tmp'))).toEqual([]);
  });

  it('the upload form checks CSRF like every other form (the anonymous session has a token)', async () => {
    const v = new Visitor();
    await v.get('/xac-thuc');
    const noToken = await v.post('/xac-thuc', fileForm(sealed));
    expect(noToken.status).toBe(403);
    expect(verdictOf(noToken.html)).toBeNull();
    const wrong = await v.post('/xac-thuc', fileForm(sealed, 'a.pdf', 'application/pdf', 'file', { _csrf: 'x'.repeat(32) }));
    expect(wrong.status).toBe(403);
  });
});

describe('the public page and its limits', () => {
  it('the login page links to /xac-thuc, which needs no login', async () => {
    const v = new Visitor();
    const login = await v.get('/dang-nhap');
    expect(login.html).toContain('href="/xac-thuc"');
    const page = await v.get('/xac-thuc');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Xác thực bản sao điện tử');
    expect(page.html).toContain('data-testid="code-form"');
    expect(page.html).toContain('enctype="multipart/form-data"');
  });

  it('code look-ups are rate-limited per address (429 with Retry-After), other addresses are not affected', async () => {
    const ip = '10.200.0.1';
    let last = 0;
    for (let i = 0; i < 30; i++) {
      last = (await api('GET', '/verify/KHONG-CO-HO-SO', { ip })).status;
      expect(last).toBe(404);
    }
    const blocked = await api('GET', `/verify/${encodeURIComponent(completed.code)}`, { ip });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('throttled');
    expect(blocked.body.message).toMatch(VIETNAMESE);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The screens share the limit.
    const page = await new Visitor(ip).get(`/xac-thuc?code=${encodeURIComponent(completed.code)}`);
    expect(page.status).toBe(429);
    expect(page.html).toContain('quá nhiều lần');
    expect((await api('GET', `/verify/${encodeURIComponent(completed.code)}`)).status).toBe(200);
  });

  it('the OpenAPI document lists both routes as public', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    expect(doc.paths['/verify/{dossierCode}'].get.security).toEqual([]);
    expect(doc.paths['/verify'].post.security).toEqual([]);
    expect(doc.components.schemas.VerifiedUpload).toBeTruthy();
  });
});
