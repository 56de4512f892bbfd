// Signing with the certificates people uploaded, through the real stack: a leader's PKCS#12 made with openssl
// (its key never the test PKI's) and the agency seal uploaded by the seal keeper sign the e-copy, as pdfsig and
// pyHanko see it (B-LTA), with RSA keys and with ECDSA P-256 ones; a certificate in use that has expired stops the
// signature with a Vietnamese message and nothing changes; production without ALLOW_TEST_PKI signs nothing with the
// test PKI.
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HTTP_STATUS, type DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { DEMO_AGENCY } from '../lib/seed.js';
import { pdfsig, uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { apiClient, multipart } from '../lib/testing/http.js';
import { OPENSSL_O, opensslP12 } from '../lib/testing/openssl-p12.js';
import { judgePdf } from '../lib/testing/pades.js';
import { CertificateUnusableError, refusingTestPki } from './certificates.js';
import { verifyPdfSignatures } from './pdf/verify.js';
import { createLocalStorage } from './storage.js';

let h: Harness;
let dir: string;
const { call } = apiClient(() => h.baseUrl);
beforeAll(async () => {
  h = await createHarness();
  dir = fs.mkdtempSync(path.join(h.config.dataDir, 'openssl-'));
}, 90_000);
afterAll(async () => { await h?.close(); });

const actors = async () => (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
const newDossier = async (canbo: Actor) =>
  h.service.create(canbo, { applicantKind: 'no_account', email: 'upload@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());

/** A new dossier signed by the leader and sealed by the seal keeper; the e-copy written to `fileName` and pdfsig's verdict. */
async function signAndSeal(canbo: Actor, lanhdao: Actor, vanthu: Actor, fileName: string) {
  const d = await newDossier(canbo);
  expect((await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID())).status).toBe('awaiting_seal');
  const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', DEMO_AGENCY.code).executeTakeFirstOrThrow();
  const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
  expect(sealed.status).toBe('completed');
  const pdf = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(sealed.sealedPdf!.sha256);
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, pdf);
  return { d, sealed, pdf, sig: pdfsig(file) };
}

it("signs with the leader's uploaded certificate and seals with the agency's uploaded one", async () => {
  const [canbo, lanhdao, vanthu] = await actors();
  const leaderP12 = await opensslP12(h, dir, { cn: lanhdao.fullName, passphrase: 'mật-khẩu 1' });
  const up = await call('lanhdao', 'POST', '/certificates', { form: multipart({ purpose: 'personal', passphrase: 'mật-khẩu 1' }, 'file', leaderP12.p12, 'ky-so.p12', 'application/x-pkcs12') });
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const seal = await h.trustServices.store.sealKey({ code: DEMO_AGENCY.code, name: DEMO_AGENCY.name });
  const upSeal = await call('vanthu', 'POST', '/certificates', { form: multipart({ purpose: 'seal', passphrase: seal.passphrase }, 'file', seal.p12, 'con-dau.p12', 'application/x-pkcs12') });
  expect(upSeal.status, JSON.stringify(upSeal.body)).toBe(201);

  const { d, sealed, pdf, sig } = await signAndSeal(canbo, lanhdao, vanthu, 'ecopy.pdf');
  expect([sig.count, sig.valid]).toEqual([2, 2]);
  expect(sig.out).toContain(`Signer Certificate Common Name: ${lanhdao.fullName}`);
  expect(sig.out).toContain(`O=${OPENSSL_O}`); // the openssl-made certificate, not the test PKI's
  const j = judgePdf(pdf, [await h.trustServices.store.caCertPem()]);
  expect(j.signatures.map((s) => [s.field, s.level ?? null, s.intact, s.trusted])).toEqual([
    ['ChuKyLanhDao', 'B-LTA', true, true], ['DauCoQuan', 'B-LTA', true, true], ['DauThoiGian', null, true, true],
  ]);
  // Both are now marked as used: never deleted.
  const used = await h.db.selectFrom('certificates').select(['fingerprint', 'first_used_at']).execute();
  expect(used.filter((c) => c.first_used_at).map((c) => c.fingerprint).sort()).toEqual([up.body.fingerprint, upSeal.body.fingerprint].sort());
  expect(up.body.fingerprint).toBe(crypto.createHash('sha256').update(new X509Certificate(leaderP12.certPem).raw).digest('hex'));
  // The register entry and the dossier's history name both certificates.
  const entry = await h.db.selectFrom('register_entries').select(['signer_certificate', 'seal_certificate']).where('dossier_code', '=', d.code).executeTakeFirstOrThrow();
  expect(entry).toEqual({ signer_certificate: up.body.fingerprint, seal_certificate: upSeal.body.fingerprint });
  const history = (await h.service.get(vanthu, d.code)).history;
  expect(history.find((e) => e.action === 'sign')?.note).toBe(`chứng thư số của ${lanhdao.fullName}, SHA-256 ${up.body.fingerprint}`);
  expect(history.find((e) => e.action === 'seal')?.note).toContain(`chứng thư số của ${DEMO_AGENCY.name}, SHA-256 ${upSeal.body.fingerprint}`);
}, 180_000);

it('a certificate in use that has expired stops the signature in Vietnamese, once, and changes nothing', async () => {
  const [canbo, lanhdao] = await actors();
  await h.db.updateTable('certificates').set({ not_after: new Date('2026-01-01T00:00:00Z') }).where('purpose', '=', 'personal').where('owner', '=', 'lanhdao').where('in_use', '=', true).execute();
  const d = await newDossier(canbo);
  const refusal = await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID()).catch((e: Error) => e);
  expect(refusal).toMatchObject({ name: 'DomainError', code: 'signing_key_unusable', message: expect.stringMatching(/^Chứng thư số cá nhân đang dùng đã hết hạn ngày 01\/01\/2026.*Trang cá nhân → Chứng thư số\. Hồ sơ không thay đổi\.$/) });
  expect(HTTP_STATUS[(refusal as DomainError).code]).toBe(422);
  expect(await h.service.get(lanhdao, d.code)).toMatchObject({ status: 'awaiting_signature', signedPdf: null });
  expect(await h.db.selectFrom('dossier_files').select('kind').where('dossier_code', '=', d.code).where('kind', '=', 'signed').execute()).toEqual([]);
}, 120_000);

it('production without ALLOW_TEST_PKI: the test PKI signs nothing, and says where to upload a certificate', async () => {
  const store = refusingTestPki(h.trustServices.store);
  await expect(store.leaderKey({ username: 'lanhdao', fullName: 'x' })).rejects.toThrow(CertificateUnusableError);
  await expect(store.leaderKey({ username: 'lanhdao', fullName: 'x' })).rejects.toThrow(/Trang cá nhân → Chứng thư số/);
  await expect(store.sealKey(DEMO_AGENCY)).rejects.toThrow(/Quản lý con dấu → Chứng thư số/);
});

it('ECDSA P-256 end to end: the leader signs and the seal keeper seals with openssl-made EC certificates; pdfsig and pyHanko accept both', async () => {
  const [canbo, lanhdao, vanthu] = await actors();
  // Their own O, so the signer DN pdfsig prints names these EC certificates, not the RSA ones uploaded above.
  const EC_O = 'Chứng thư ECDSA P-256 (openssl)';
  const leaderEc = await opensslP12(h, dir, { cn: lanhdao.fullName, passphrase: 'khóa EC 1', key: 'ec', org: EC_O });
  const sealEc = await opensslP12(h, dir, { cn: DEMO_AGENCY.name, passphrase: 'khóa EC 2', key: 'ec', org: EC_O });
  for (const k of [leaderEc, sealEc]) expect(new X509Certificate(k.certPem).publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  const up = await call('lanhdao', 'POST', '/certificates', { form: multipart({ purpose: 'personal', passphrase: 'khóa EC 1' }, 'file', leaderEc.p12, 'ky-so-ec.p12', 'application/x-pkcs12') });
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  expect(up.body).toMatchObject({ fingerprint: leaderEc.fingerprint, status: 'in_use', commonName: lanhdao.fullName });
  const upSeal = await call('vanthu', 'POST', '/certificates', { form: multipart({ purpose: 'seal', passphrase: 'khóa EC 2' }, 'file', sealEc.p12, 'con-dau-ec.p12', 'application/x-pkcs12') });
  expect(upSeal.status, JSON.stringify(upSeal.body)).toBe(201);
  expect(upSeal.body).toMatchObject({ fingerprint: sealEc.fingerprint, status: 'in_use' });

  const { d, sealed, pdf, sig } = await signAndSeal(canbo, lanhdao, vanthu, 'ecopy-ec.pdf');
  expect([sig.count, sig.valid], sig.out).toEqual([2, 2]);
  // The signer DN of each signature pdfsig lists, the document timestamp's (an unknown type to pdfsig) left out.
  const signers = sig.out.split(/^Signature #\d+:$/m).filter((b) => !/Signature Type: (unknown|ETSI\.RFC3161)/.test(b))
    .flatMap((b) => /Signer full Distinguished Name: (.*)/.exec(b)?.[1] ?? []);
  expect(signers, sig.out).toHaveLength(2);
  expect(signers[0]).toContain(`CN=${lanhdao.fullName}`);
  expect(signers[1]).toContain(`CN=${DEMO_AGENCY.name}`);
  for (const s of signers) expect(s).toContain(`O=${EC_O}`);
  // pyHanko: intact, valid, trusted, B-LTA; and offline from the file's DSS alone (hard-fail revocation, AdES-LTA).
  const j = judgePdf(pdf, [await h.trustServices.store.caCertPem()], { ltv: true, ades: true });
  expect(j.signatures.map((s) => [s.field, s.level ?? null, s.intact, s.valid, s.trusted, s.bottomLine, s.ltv, s.ades ?? null])).toEqual([
    ['ChuKyLanhDao', 'B-LTA', true, true, true, true, 'ok', 'PASSED'], ['DauCoQuan', 'B-LTA', true, true, true, true, 'ok', 'PASSED'],
    ['DauThoiGian', null, true, true, true, true, 'ok', null],
  ]);
  // Our own reading of the file (the public verification's) agrees: both EC signatures valid, trusted, B-LTA.
  const ours = verifyPdfSignatures(pdf, { trustedCaPems: [await h.trustServices.store.caCertPem()] });
  expect(ours.signatures.map((s) => [s.field, s.valid, s.chainsToTrustedCa, s.level, s.problems])).toEqual([
    ['ChuKyLanhDao', true, true, 'B-LTA', []], ['DauCoQuan', true, true, 'B-LTA', []], ['DauThoiGian', true, true, null, []],
  ]);
  const entry = await h.db.selectFrom('register_entries').select(['signer_certificate', 'seal_certificate']).where('dossier_code', '=', d.code).executeTakeFirstOrThrow();
  expect(entry).toEqual({ signer_certificate: leaderEc.fingerprint, seal_certificate: sealEc.fingerprint });
}, 180_000);
