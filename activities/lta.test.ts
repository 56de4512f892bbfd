// B-LT and B-LTA through the whole stack with our own demo CA and trust services (not certomancer's): a dossier
// created, signed and sealed over the service; pyHanko says B-LTA with an offline LTV check from the file's DSS,
// the product's own upload verification says genuine; a revoked leader certificate is refused and changes nothing.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS, type DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { multipart } from '../lib/testing/http.js';
import { judgePdf, padesVenv } from '../lib/testing/pades.js';
import { until } from '../lib/testing/time.js';
import { revokeCertificate } from './pdf/pki.js';
import { startTrustServices, type TrustServices } from './pdf/trust-services.js';
import { createLocalStorage } from './storage.js';

const filesOf = (h: Harness, code: string) => h.db.selectFrom('dossier_files').select('kind').where('dossier_code', '=', code).execute();

describe('B-LTA with the demo CA and trust services', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ env: { SIGNATURE_LEVEL: 'B-LTA' } }); }, 90_000);
  afterAll(async () => { await h?.close(); });

  it('create → sign → seal: pyHanko says B-LTA, LTV and AdES-LTA ok offline, the DSS covers leader, seal and TSA (also after the document timestamp); ltaupdate accepts it; the upload check says genuine', async () => {
    expect(h.config.signature.level).toBe('B-LTA');
    const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'lta@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    expect((await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID())).status).toBe('awaiting_seal');
    const book = await h.db.selectFrom('register_books').select('id').executeTakeFirstOrThrow();
    const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
    expect(sealed.status).toBe('completed');

    const pdf = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(sealed.sealedPdf!.sha256);
    const ca = await h.trustServices.store.caCertPem();
    const j = judgePdf(pdf, [ca], { ltv: true, ades: true });
    // pyHanko's strict profile (AdES-LTA, revocation data required, nothing fetched) and the document timestamp's
    // own LTV check: the DSS after it holds its TSA certificate's OCSP response (VRI).
    expect(j.signatures.map((s) => [s.field, s.type, s.level ?? null, s.bottomLine, s.ltv ?? null, s.ades ?? null, s.vri])).toEqual([
      ['ChuKyLanhDao', 'Sig', 'B-LTA', true, 'ok', 'PASSED', true],
      ['DauCoQuan', 'Sig', 'B-LTA', true, 'ok', 'PASSED', true],
      ['DauThoiGian', 'DocTimeStamp', null, true, 'ok', null, true],
    ]);
    expect(j.signatures[1]).toMatchObject({ modificationLevel: 'LTA_UPDATES', docmdpOk: true });
    // leader, seal, TSA, OCSP responder, CA, each once; an OCSP response for leader, seal and TSA certificates (the
    // responder is no-check, the CA a trust anchor), and the TSA's again after the document timestamp unless the
    // same second gave the same bytes; the CA's CRL; one VRI entry per signature and document timestamp.
    expect(j.dss).toMatchObject({ crls: 1, vri: 3 });
    expect(j.dss!.ocsps).toBeGreaterThanOrEqual(3);
    expect(j.dss!.certs).toBeGreaterThanOrEqual(4);

    // pyHanko's own archival renewal accepts it. (Not execFileSync: pyHanko asks the trust services in this process.)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltaupdate-'));
    const file = path.join(dir, 'e-copy.pdf');
    fs.writeFileSync(file, pdf);
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca);
    await promisify(execFile)(path.join(padesVenv(), 'bin/pyhanko'), ['sign', 'ltaupdate', '--timestamp-url', h.trustServices.tsaUrl, '--trust', path.join(dir, 'ca.pem'), '--trust-replace', file]);
    const updated = fs.readFileSync(file);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(updated.length).toBeGreaterThan(pdf.length);

    const res = await fetch(`${h.baseUrl}/api/v1/verify`, { method: 'POST', headers: { 'x-forwarded-for': '10.8.0.1' }, body: multipart({}, 'file', pdf, 'ban-sao.pdf', 'application/pdf') });
    const body = await res.json() as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ genuine: true, identical: true, intact: true, level: 'B-LTA', reasons: [] });
    expect(body.signatures.map((s: any) => [s.role, s.intact, s.trusted, s.level])).toEqual([
      ['leader', true, true, 'B-LTA'],
      ['seal', true, true, 'B-LTA'],
      ['documentTimestamp', true, true, null],
    ]);
  }, 120_000);
});

describe('B-LT: the OCSP responder and CRL down, then a revoked leader certificate', () => {
  let h: Harness;
  let restarted: TrustServices | null = null;
  beforeAll(async () => { h = await createHarness({ web: false, env: { SIGNATURE_LEVEL: 'B-LT' } }); }, 90_000);
  afterAll(async () => { await h?.close(); await restarted?.close(); });

  it('while the trust services are down the page says it waits for the certificate status service; it signs once they are back', async () => {
    const [canbo, lanhdao] = (await Promise.all(['canbo', 'lanhdao'].map((u) => h.actor(u)))) as Actor[];
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'ocsp@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    await h.trustServices.close();
    const signing = h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
    await until('the page waits for the revocation service', async () => (await h.service.get(lanhdao, d.code)).waitingFor === 'revocation');
    expect((await filesOf(h, d.code)).map((f) => f.kind)).not.toContain('signed');
    // Back on the same address (the certificates point at it), the same CA.
    restarted = await startTrustServices({ pkiDir: h.trustServices.store.dir, port: Number(new URL(h.trustServices.url).port), url: h.trustServices.url });
    expect((await signing).status).toBe('awaiting_seal');
    expect((await h.service.get(lanhdao, d.code)).waitingFor).toBeUndefined();
  }, 120_000);

  it('the signature is refused as certificate_revoked, in Vietnamese; the dossier is unchanged, nothing stored', async () => {
    const [canbo, lanhdao] = (await Promise.all(['canbo', 'lanhdao'].map((u) => h.actor(u)))) as Actor[];
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'revoked@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    // The worker's key store and the trust services' share the pki folder: the leader's certificate, revoked.
    const key = await h.trustServices.store.leaderKey({ username: lanhdao.username, fullName: lanhdao.fullName });
    await revokeCertificate(h.trustServices.store.dir, key.certPem);
    const refusal = await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID()).catch((e: Error) => e);
    expect(refusal).toMatchObject({ name: 'DomainError', code: 'certificate_revoked', message: expect.stringMatching(/^Chứng thư số của .* đã bị thu hồi.*Hồ sơ không thay đổi/) });
    expect(HTTP_STATUS[(refusal as DomainError).code]).toBe(422);
    expect(await h.service.get(lanhdao, d.code)).toMatchObject({ status: 'awaiting_signature', signedPdf: null });
    expect((await filesOf(h, d.code)).map((f) => f.kind)).not.toContain('signed');
  }, 120_000);
});
