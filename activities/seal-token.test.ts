// A dossier's whole life with the agency seal's key in a PKCS#11 token (SoftHSM2), through the worker as configured
// (PKCS11_MODULE, SEAL_PKCS11, the PIN in the environment): while the token is absent the seal waits and says so;
// a token without the configured key refuses at once and stores nothing; with the key there the e-copy is sealed
// by it at the default level (B-LTA), as pyHanko and pdfsig judge. An agency whose token refuses the configured PIN
// gets a clear refusal, tried once, with nothing changed.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRegisterBook } from '../api/register/service.js';
import { HTTP_STATUS, type DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { DEMO_AGENCY } from '../lib/seed.js';
import { pdfsig, uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { judgePdf } from '../lib/testing/pades.js';
import { createSoftHsm, type SoftHsm } from '../lib/testing/softhsm.js';
import { until } from '../lib/testing/time.js';
import { workflowIdFor } from '../workflows/messages.js';
import { pkcs11Module } from './pdf/pkcs11.js';
import { createLocalStorage } from './storage.js';

const PIN = '5791';
const TOKEN = { label: 'con-dau-hsm', pin: PIN };
/** The organisation certificate put in the token: issued by the same test CA as the file seal, under a name of its own. */
const TOKEN_SEAL_NAME = 'Con dấu trong HSM - Phòng Tư pháp Châu Thành';
/** A second agency, whose token's PIN is not the one configured. */
const OTHER = '000.00.88.X02';
const OTHER_TOKEN = { label: 'con-dau-xa', pin: '8642' };
let hsm: SoftHsm;
let h: Harness;

beforeAll(async () => {
  hsm = createSoftHsm();
  h = await createHarness({
    web: false,
    env: {
      PKCS11_MODULE: hsm.module,
      SEAL_PKCS11: JSON.stringify({
        [DEMO_AGENCY.code]: { token: TOKEN.label, key: 'con-dau', pinEnv: 'TEST_SEAL_PIN' },
        [OTHER]: { token: OTHER_TOKEN.label, key: 'con-dau', pinEnv: 'TEST_SEAL_PIN_XA' },
      }),
      TEST_SEAL_PIN: PIN,
      TEST_SEAL_PIN_XA: '1111',
      PDF_ATTEMPTS: '6',
    },
  });
  await h.addAgency(OTHER, [{ username: 'canbo9', roles: ['creator'] }, { username: 'lanhdao9', roles: ['signer'] }, { username: 'vanthu9', roles: ['sealer'] }]);
  const year = new Date().getFullYear();
  await createRegisterBook(h.db, { agencyCode: OTHER, name: `Sổ thử ${year}`, openDate: `${year}-01-01`, closeDate: `${year}-12-31`, createdBy: 'vanthu9' });
  hsm.initToken(OTHER_TOKEN.label, OTHER_TOKEN.pin);
  hsm.importKey(OTHER_TOKEN, await h.trustServices.store.sealKey({ code: OTHER, name: 'UBND xã thử nghiệm' }), { label: 'con-dau', id: '0c' });
}, 90_000);
afterAll(async () => {
  await h?.close();
  await pkcs11Module(hsm.module).close().catch(() => {});
  hsm?.remove();
});

const filesOf = (code: string) => h.db.selectFrom('dossier_files').select('kind').where('dossier_code', '=', code).execute();

it('the seal waits while the token is absent, is refused (nothing stored) while the key is not on it, and is made in the token once it is', async () => {
  expect(h.config.signature.level).toBe('B-LTA');
  const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'hsm@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
  // The leader's signature does not touch the token.
  expect((await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID())).status).toBe('awaiting_seal');
  const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', DEMO_AGENCY.code).executeTakeFirstOrThrow();

  // No token yet: the attempt fails as temporary, the page says what it waits for, nothing is stored.
  const sealing = h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID()).catch((e: Error) => e);
  await until('the page waits for the token', async () => (await h.service.get(vanthu, d.code)).waitingFor === 'token');
  expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('sealed');
  // The token appears, but the key on it has another label: refused at once (not retried), the dossier unchanged.
  hsm.initToken(TOKEN.label, PIN);
  const sealKey = await h.trustServices.store.sealKey({ code: DEMO_AGENCY.code, name: TOKEN_SEAL_NAME });
  hsm.importKey(TOKEN, sealKey, { label: 'khoa-khac', id: 'a1' });
  const refusal = await sealing;
  expect(refusal).toMatchObject({ name: 'DomainError', code: 'signing_key_unusable', message: expect.stringMatching(/^Không tìm thấy khóa con dấu.*Hồ sơ không thay đổi\.$/) });
  expect(HTTP_STATUS[(refusal as DomainError).code]).toBe(422);
  expect(await h.service.get(vanthu, d.code)).toMatchObject({ status: 'awaiting_seal', sealedPdf: null });
  expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('sealed');

  // The administrator puts the configured key in: the seal is made by it.
  hsm.importKey(TOKEN, sealKey, { label: 'con-dau', id: 'b2' });
  const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
  expect(sealed).toMatchObject({ status: 'completed', sealedPdf: expect.anything() });
  const pdf = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(sealed.sealedPdf!.sha256);
  const ca = await h.trustServices.store.caCertPem();
  const j = judgePdf(pdf, [ca]);
  expect(j.signatures.map((s) => [s.field, s.signer ?? null, s.level ?? null, s.intact, s.trusted])).toEqual([
    ['ChuKyLanhDao', lanhdao.fullName, 'B-LTA', true, true],
    ['DauCoQuan', TOKEN_SEAL_NAME, 'B-LTA', true, true],
    ['DauThoiGian', expect.anything(), null, true, true],
  ]);
  const file = path.join(h.config.dataDir, 'sealed-hsm.pdf');
  fs.writeFileSync(file, pdf);
  const sig = pdfsig(file);
  expect([sig.count, sig.valid]).toEqual([2, 2]);
  expect(sig.out).toContain(`Signer Certificate Common Name: ${TOKEN_SEAL_NAME}`);
  expect(new X509Certificate(sealKey.certPem).subject).toContain(`CN=${TOKEN_SEAL_NAME}`);
}, 180_000);

it('a PIN the token refuses: the seal is refused at once in Vietnamese (one attempt, never retried), the dossier unchanged', async () => {
  const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo9', 'lanhdao9', 'vanthu9'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'pin@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
  expect((await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID())).status).toBe('awaiting_seal');
  const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', OTHER).executeTakeFirstOrThrow();
  for (let i = 0; i < 2; i++) {
    const refusal = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID()).catch((e: Error) => e);
    expect(refusal).toMatchObject({ name: 'DomainError', code: 'signing_key_unusable', message: expect.stringMatching(/^Thiết bị lưu khóa con dấu \(token\/HSM\) từ chối mã PIN.*không thử lại.*Hồ sơ không thay đổi\.$/) });
    expect(await h.service.get(vanthu, d.code)).toMatchObject({ status: 'awaiting_seal', sealedPdf: null, certificationNumber: null });
  }
  expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('sealed');
  // Each seal action ran its activity once: no retry presented the PIN again.
  const events = (await h.client.workflow.getHandle(workflowIdFor(d.code)).fetchHistory()).events ?? [];
  const attempts = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
  expect(attempts.every((a) => a === 1)).toBe(true);
  expect(events.filter((e) => e.activityTaskFailedEventAttributes)).toHaveLength(2);
}, 120_000);
