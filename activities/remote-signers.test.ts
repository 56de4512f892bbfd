// A leader who signs through a remote signing service (certomancer-csc-dummy, an independent CSC server, behind a
// token gate): configured over the JSON API (a wrong token refused at once and nothing stored), the e-copy's leader
// signature is by the service's certificate and valid for pdfsig and pyHanko at the default level (B-LTA); the
// service down makes the signature wait (the page says so) and nothing is stored until it answers; credentials that
// stop working refuse the signature at once in Vietnamese and change nothing.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../domain/types.js';
import { wrapKey, keyRingOf } from '../lib/key-encryption.js';
import { startCertomancer, type Certomancer } from '../lib/testing/certomancer.js';
import { startCscDummy, type CscDummy } from '../lib/testing/csc-dummy.js';
import { pdfsig, uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, VIETNAMESE } from '../lib/testing/http.js';
import { judgePdf } from '../lib/testing/pades.js';
import { until } from '../lib/testing/time.js';
import { createFileKeyStore } from './pdf/pki.js';
import { remoteSecretContext } from './remote-signers.js';
import { createLocalStorage } from './storage.js';

let trust: Certomancer;
let csc: CscDummy;
let h: Harness;
let anchors: string;
const { call } = apiClient(() => h.baseUrl);
const HOLDER = 'Tran Van Anh'; // the CN of certomancer's leader certificate

beforeAll(async () => {
  trust = await startCertomancer();
  csc = await startCscDummy(trust);
  anchors = fs.mkdtempSync(path.join(os.tmpdir(), 'anchors-'));
  fs.writeFileSync(path.join(anchors, 'certomancer-root.pem'), trust.rootPem);
  // Four attempts (1 + 2 + 4 s of backoff): the service-down test outlasts one in seconds.
  h = await createHarness({ env: { TRUST_ANCHORS: anchors, PDF_ATTEMPTS: '4' } });
  // The holder's name on the service's certificate is the leader's full name (else refused on save).
  await h.db.updateTable('users').set({ full_name: HOLDER }).where('username', '=', 'lanhdao').execute();
}, 120_000);
afterAll(async () => {
  await h?.close();
  await csc?.stop();
  await trust?.stop();
  if (anchors) fs.rmSync(anchors, { recursive: true, force: true });
});

const filesOf = (code: string) => h.db.selectFrom('dossier_files').select('kind').where('dossier_code', '=', code).execute();
const remoteRows = () => h.db.selectFrom('remote_signers').selectAll().execute();
const service = () => ({ serviceUrl: csc.url, authKind: 'token', token: csc.token });

it('configures remote signing over the JSON API: a wrong token is refused and nothing stored; the credential is checked and saved', async () => {
  expectRefusal(await call('lanhdao', 'POST', '/certificates/remote/credentials', { json: { ...service(), token: 'sai' } }), 422, 'certificate_refused', /từ chối thông tin đăng nhập/);
  expectRefusal(await call('lanhdao', 'PUT', '/certificates/remote', { json: { ...service(), token: 'sai', credentialId: csc.leaderCredential } }), 422, 'certificate_refused', VIETNAMESE);
  expectRefusal(await call('lanhdao', 'PUT', '/certificates/remote', { json: { ...service(), credentialId: 'trust/khong-co' } }), 422, 'certificate_refused', /không có khóa ký/);
  // Only a leader, for itself.
  expectRefusal(await call('canbo', 'PUT', '/certificates/remote', { json: { ...service(), credentialId: csc.leaderCredential } }), 403, 'forbidden');
  expect(await remoteRows()).toEqual([]);

  const list = await call('lanhdao', 'POST', '/certificates/remote/credentials', { json: service() });
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  expect(list.body.credentialIds).toContain(csc.leaderCredential);

  const saved = await call('lanhdao', 'PUT', '/certificates/remote', { json: { ...service(), credentialId: csc.leaderCredential } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect(saved.body).toMatchObject({ serviceUrl: csc.url, credentialId: csc.leaderCredential, authKind: 'token', commonName: HOLDER, inUse: true });
  expect(JSON.stringify(saved.body)).not.toContain(csc.token);
  const [row] = await remoteRows();
  expect(row!.secret_wrapped!.includes(Buffer.from(csc.token))).toBe(false); // wrapped at rest
  expect((await call('lanhdao', 'GET', '/certificates/remote')).body.remoteSigner).toMatchObject({ fingerprint: saved.body.fingerprint });
}, 60_000);

it('the personal page without JavaScript: list the credentials, a wrong token refused on the form, save, switch off and on', async () => {
  const b = await loginStaff(h.baseUrl, 'lanhdao');
  const page = await b.get('/trang-ca-nhan/chung-thu-so');
  expect(page.html).toContain('Ký từ xa (CSC)');
  const form = { _csrf: csrfOf(page.html), serviceUrl: csc.url, authKind: 'token', token: csc.token, credentialId: '' };
  const listed = await b.post('/trang-ca-nhan/chung-thu-so/ky-tu-xa', { ...form, step: 'list' });
  expect(listed.status).toBe(200);
  expect(listed.html).toContain(`<option value="${csc.leaderCredential}"`);
  const wrong = await b.post('/trang-ca-nhan/chung-thu-so/ky-tu-xa', { ...form, token: 'sai', credentialId: csc.leaderCredential, step: 'save' });
  expect(wrong.status).toBe(422);
  expect(wrong.html).toContain('từ chối thông tin đăng nhập');
  expect(wrong.html).not.toContain('value="sai"'); // a refused secret is not sent back
  // Saved with OAuth2 client credentials this time: the next test signs through them.
  const oauth2 = { authKind: 'oauth2', token: '', tokenUrl: csc.oauth2.tokenUrl, clientId: csc.oauth2.clientId, clientSecret: csc.oauth2.clientSecret };
  const saved = await b.post('/trang-ca-nhan/chung-thu-so/ky-tu-xa', { ...form, ...oauth2, credentialId: csc.leaderCredential, step: 'save' });
  expect(saved.status).toBe(303);
  expect((await remoteRows())[0]).toMatchObject({ auth_kind: 'oauth2' });
  const off = await b.post('/trang-ca-nhan/chung-thu-so/ky-tu-xa/su-dung', { _csrf: form._csrf, inUse: 'false' });
  expect(off.status).toBe(303);
  expect((await remoteRows())[0]!.in_use).toBe(false);
  expect((await b.get('/trang-ca-nhan/chung-thu-so')).html).toContain('không dùng (ký bằng chứng thư số đã tải lên)');
  await b.post('/trang-ca-nhan/chung-thu-so/ky-tu-xa/su-dung', { _csrf: form._csrf, inUse: 'true' });
  expect((await remoteRows())[0]!.in_use).toBe(true);
}, 60_000);

it("signs through the service: the e-copy's leader signature is the service's certificate, valid for pdfsig and pyHanko (B-LTA)", async () => {
  const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'csc@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), 'csc-create');
  const signed = await h.service.act(lanhdao, d.code, 'sign', {}, 'csc-sign');
  expect(signed.status).toBe('awaiting_seal');
  const info = (await remoteRows())[0]!;
  expect(signed.signedPdf?.certificate).toEqual({ fingerprint: info.cert_fingerprint, holder: HOLDER });

  const book = await h.db.selectFrom('register_books').select('id').executeTakeFirstOrThrow();
  const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, 'csc-seal');
  const pdf = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(sealed.sealedPdf!.sha256);
  const ca = await createFileKeyStore(path.join(h.config.dataDir, 'pki')).caCertPem();
  const j = judgePdf(pdf, [ca, trust.rootPem]);
  const leaderSig = j.signatures.find((s) => s.field === 'ChuKyLanhDao')!;
  expect([leaderSig.level, leaderSig.intact, leaderSig.valid, leaderSig.trusted]).toEqual(['B-LTA', true, true, true]);
  expect(leaderSig.signer).toContain(HOLDER);

  const file = path.join(h.config.dataDir, `${d.code}.pdf`);
  fs.writeFileSync(file, pdf);
  const ps = pdfsig(file);
  expect([ps.count, ps.valid]).toEqual([2, 2]);
  expect(ps.out).toContain(`Signer Certificate Common Name: ${HOLDER}`);
  expect(new X509Certificate(info.cert_der).subject).toContain(`CN=${HOLDER}`);
}, 180_000);

it('the service down: the signature waits (the page says so), nothing is stored, and it signs once the service answers', async () => {
  const [canbo, lanhdao] = (await Promise.all(['canbo', 'lanhdao'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'csc2@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), 'csc-create-2');
  csc.down = true;
  csc.refused = 0;
  const signing = h.service.act(lanhdao, d.code, 'sign', {}, 'csc-sign-2');
  try {
    await until('two refused CSC requests', async () => csc.refused >= 2);
    await until('the page says it waits for the remote signing service', async () => (await h.service.get(lanhdao, d.code)).waitingFor === 'remote_signing');
    expect(await h.service.get(lanhdao, d.code)).toMatchObject({ status: 'awaiting_signature', processing: true });
    expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('signed');
  } finally {
    csc.down = false;
  }
  expect((await signing).status).toBe('awaiting_seal');
}, 120_000);

it('credentials that stop working refuse the signature at once in Vietnamese (422), the dossier unchanged', async () => {
  const [canbo, lanhdao] = (await Promise.all(['canbo', 'lanhdao'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'csc3@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), 'csc-create-3');
  // The service revoked the token: what is stored no longer opens the door.
  const wrapped = wrapKey(keyRingOf(h.config), Buffer.from(JSON.stringify({ token: 'thu-hoi' })), remoteSecretContext('lanhdao'));
  await h.db.updateTable('remote_signers').set({ auth_kind: 'token', secret_wrapped: wrapped.blob, kek_id: wrapped.kekId }).where('username', '=', 'lanhdao').execute();
  const started = Date.now();
  const refusal = await h.service.act(lanhdao, d.code, 'sign', {}, 'csc-sign-3').catch((e: Error) => e);
  expect(refusal).toMatchObject({ code: 'signing_key_unusable', message: expect.stringMatching(/từ chối thông tin đăng nhập.*Hồ sơ không thay đổi/) });
  expect(Date.now() - started).toBeLessThan(20_000); // not retried
  expect(await h.service.get(lanhdao, d.code)).toMatchObject({ status: 'awaiting_signature', signedPdf: null });
  expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('signed');
}, 60_000);

it("a credential whose certificate names someone else waits for the administrator's approval, then signs", async () => {
  // A second leader of the agency whose full name is not the certificate's holder.
  const { password_hash } = await h.db.selectFrom('users').select('password_hash').where('username', '=', 'lanhdao').executeTakeFirstOrThrow();
  await h.db.insertInto('users').values({ username: 'lanhdao-xa', full_name: 'Nguyễn Thị Khác', title: 'Phó Chủ tịch', password_hash, agency_code: h.agencyCode }).execute();
  await h.db.insertInto('user_roles').values({ username: 'lanhdao-xa', agency_code: h.agencyCode, role: 'signer' }).execute();

  const saved = await call('lanhdao-xa', 'PUT', '/certificates/remote', { json: { ...service(), credentialId: csc.leaderCredential } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect(saved.body).toMatchObject({ commonName: HOLDER, inUse: false, needsApproval: true, warnings: [expect.objectContaining({ code: 'certificate_holder_name_differs' })] });
  const fp = saved.body.fingerprint as string;
  expectRefusal(await call('lanhdao-xa', 'POST', '/certificates/remote/use', { json: { inUse: true } }), 409, 'wrong_state', /chờ quản trị viên xác nhận/);

  const newDossier = async (n: number) => {
    const canbo = (await h.actor('canbo'))!;
    return (await h.service.create(canbo, { applicantKind: 'no_account', email: `xa${n}@example.vn`, documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), `xa-create-${n}`)).code;
  };
  // Until approved: not used, and not choosable.
  const first = await newDossier(1);
  expectRefusal(await call('lanhdao-xa', 'POST', `/dossiers/${encodeURIComponent(first)}/sign`, { json: { certificate: fp } }), 422, 'certificate_refused', /chờ quản trị viên xác nhận/);
  const signed = await call('lanhdao-xa', 'POST', `/dossiers/${encodeURIComponent(first)}/sign`);
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  expect(signed.body.signedPdf.certificate.fingerprint).not.toBe(fp);

  // The administrator sees it with the uploaded ones and approves it; only an administrator may.
  expectRefusal(await call('lanhdao-xa', 'GET', '/certificates/pending'), 403, 'forbidden');
  const pending = await call('quantri', 'GET', '/certificates/pending');
  expect(pending.status, JSON.stringify(pending.body)).toBe(200);
  expect(pending.body.items).toContainEqual(expect.objectContaining({ fingerprint: fp, owner: 'lanhdao-xa', remote: true, status: 'needs_approval', commonName: HOLDER }));
  const approved = await call('quantri', 'POST', `/certificates/${fp}/approve`);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  expect(approved.body).toMatchObject({ fingerprint: fp, status: 'in_use', remote: true });
  expect((await call('lanhdao-xa', 'GET', '/certificates/remote')).body.remoteSigner).toMatchObject({ inUse: true, needsApproval: false });
  expect((await call('quantri', 'GET', '/certificates/pending')).body.items.map((c: { fingerprint: string }) => c.fingerprint)).not.toContain(fp);

  const second = await newDossier(2);
  const through = await call('lanhdao-xa', 'POST', `/dossiers/${encodeURIComponent(second)}/sign`);
  expect(through.status, JSON.stringify(through.body)).toBe(200);
  expect(through.body.signedPdf.certificate).toEqual({ fingerprint: fp, holder: HOLDER });
}, 120_000);
