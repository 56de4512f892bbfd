// The leader's signature made outside the server, over the JSON API as a desktop signing tool would make it:
// sign/prepare with the leader's chain, the signed attributes signed in a SoftHSM2 token by pkcs11-tool
// (CKM_SHA256_RSA_PKCS) with the worker restarted in between, sign/complete; pdfsig and pyHanko judge the result.
// Then the `digest` path (openssl pkeyutl over the precomputed hash) and every refusal, each changing nothing.
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection, type Worker } from '@temporalio/worker';
import bcrypt from 'bcryptjs';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { DossierService } from '../api/dossiers/service.js';
import type { Actor } from '../domain/types.js';
import type { Config } from '../lib/config.js';
import { fetchDecodedHistory } from '../lib/payload-codec.js';
import { pdfsig, uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { apiClient, expectRefusal, multipart } from '../lib/testing/http.js';
import { judgePdf } from '../lib/testing/pades.js';
import { createSoftHsm, type SoftHsm } from '../lib/testing/softhsm.js';
import { createWorker } from '../worker.js';
import { workflowIdFor } from '../workflows/messages.js';
import { loadPrepared, storePrepared } from './external-signing.js';
import { makeScanPdf } from './pdf/fixtures.js';
import { prepareAttestation } from './pdf/sign.js';
import { revokeCertificate, type KeyMaterial } from './pdf/pki.js';
import { cmsSignatureOf, loadIdentity } from './pdf/signer.js';
import { createLocalStorage, type FileStorage } from './storage.js';

let h: Harness;
let config: Config;
let native: NativeConnection;
let worker: Worker | null = null;
let running: Promise<void> | null = null;
let server: http.Server;
let baseUrl = '';
let storage: FileStorage;
let service: DossierService;
let shortLived: DossierService;
let hsm: SoftHsm;
let work: string;
let lanhdaoKey: KeyMaterial;
let caPem: string;
let canbo: Actor;
const { call } = apiClient(() => baseUrl);
const TOKEN = { label: 'lanhdao-token', pin: '246810' };

const pem = (der: Buffer) => new X509Certificate(der).toString();
const chainPem = (k: KeyMaterial) => loadIdentity(k).chainDer.map(pem).join('');

async function startWorker() {
  worker = await createWorker(config, h.db, { connection: native });
  running = worker.run();
}
async function stopWorker() {
  worker?.shutdown();
  await running;
  worker = null;
}

beforeAll(async () => {
  h = await createHarness({ web: false });
  // A worker of this file's own on its own queue, so that the test can stop it and start a new one.
  config = { ...h.config, taskQueue: `${h.config.taskQueue}-ext` };
  native = await NativeConnection.connect({ address: config.temporalAddress });
  await startWorker();
  storage = createLocalStorage(path.join(config.dataDir, 'files'));
  const app = createApp({ config, db: h.db, temporal: h.client, storage });
  server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  service = new DossierService(h.db, h.client, storage, config.taskQueue, config.workflow);
  shortLived = new DossierService(h.db, h.client, storage, config.taskQueue, { ...config.workflow, signPreparationMs: 1500 });

  // The leader's key and certificate (the demo CA's), its key put into a SoftHSM2 token as a CA's enrolment leaves it.
  const pki = h.trustServices.store;
  const lanhdao = (await h.actor('lanhdao'))!;
  lanhdaoKey = await pki.leaderKey({ username: 'lanhdao', fullName: lanhdao.fullName });
  caPem = await pki.caCertPem();
  canbo = (await h.actor('canbo'))!;
  hsm = createSoftHsm();
  hsm.initToken(TOKEN.label, TOKEN.pin);
  hsm.importKey(TOKEN, lanhdaoKey, { label: 'lanhdao', id: '01' });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'external-sign-'));
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  for await (const wf of h.client.workflow.list({ query: `TaskQueue="${config.taskQueue}" AND ExecutionStatus="Running"` })) {
    await h.client.workflow.getHandle(wf.workflowId).terminate('test file finished').catch(() => {});
  }
  await stopWorker();
  await native?.close();
  await h?.close();
  hsm?.remove();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** What a desktop tool does with the token: CKM_SHA256_RSA_PKCS over the signed attributes' DER. */
function tokenSigns(signedAttributes: string): string {
  const input = path.join(work, 'attrs.der');
  const output = path.join(work, 'sig.bin');
  fs.writeFileSync(input, Buffer.from(signedAttributes, 'base64'));
  execFileSync('pkcs11-tool', ['--module', hsm.module, '--token-label', TOKEN.label, '--login', '--pin', TOKEN.pin, '--sign', '--mechanism', 'SHA256-RSA-PKCS', '--id', '01', '--input-file', input, '--output-file', output], {
    env: { ...process.env, SOFTHSM2_CONF: hsm.conf }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return fs.readFileSync(output).toString('base64');
}

/** A tool that signs a precomputed hash: `openssl pkeyutl -sign -pkeyopt digest:sha256` over `digest` (PKCS#1 v1.5 DigestInfo). */
function keyFileSignsDigest(digest: string, k: KeyMaterial = lanhdaoKey): string {
  const keyFile = path.join(work, 'key.pem');
  fs.writeFileSync(keyFile, loadIdentity(k).key.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  const input = path.join(work, 'digest.bin');
  fs.writeFileSync(input, Buffer.from(digest, 'base64'));
  return execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-pkeyopt', 'digest:sha256', '-in', input]).toString('base64');
}

async function newDossier(s = service, label = 'ext') {
  return s.create(canbo, { applicantKind: 'no_account', email: `${label}@example.vn`, documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), `${label}-${Date.now()}`);
}

/** What must not change when a request is refused: status, history, the files of record. */
async function snapshot(code: string) {
  const v = await service.get(canbo, code);
  const files = await h.db.selectFrom('dossier_files').select(['kind', 'sha256']).where('dossier_code', '=', code).execute();
  return { status: v.status, history: v.history.length, signedPdf: v.signedPdf, files };
}

/** RECORD_HISTORIES=1 writes the dossier's history for workflows/replay.test.ts (a new path of the workflow). */
async function recordHistory(code: string, name: string) {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await fetchDecodedHistory(h.client, workflowIdFor(code));
  fs.writeFileSync(path.resolve('workflows/histories', `${name}.json`), `${historyToJSON(history)}\n`);
}

const prepare = (code: string, certificate = chainPem(lanhdaoKey), user = 'lanhdao', key?: string) =>
  call(user, 'POST', `/dossiers/${code}/sign/prepare`, { json: { certificate }, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
const complete = (code: string, preparationId: string, signature: string, user = 'lanhdao') =>
  call(user, 'POST', `/dossiers/${code}/sign/complete`, { json: { preparationId, signature } });

describe('signing with a token outside the server', () => {
  it('prepares, survives a worker restart, completes with the token\'s signature: pdfsig and pyHanko accept it', async () => {
    const d = await newDossier();
    const p = await prepare(d.code);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body).toMatchObject({ digestAlgorithm: 'SHA-256', preparationId: expect.any(String), expiresAt: expect.any(String) });
    const attrs = Buffer.from(p.body.signedAttributes, 'base64');
    expect(attrs[0]).toBe(0x31); // a DER SET, as the CMS carries it
    expect(Buffer.from(p.body.digest, 'base64')).toEqual(createHash('sha256').update(attrs).digest());
    const expires = Date.parse(p.body.expiresAt) - Date.now();
    expect(expires).toBeGreaterThan(9 * 60_000);
    expect(expires).toBeLessThanOrEqual(10 * 60_000);
    // Preparing changes nothing a person sees.
    expect((await service.get(canbo, d.code)).status).toBe('awaiting_signature');

    await stopWorker();
    const signature = tokenSigns(p.body.signedAttributes);
    await startWorker();

    const done = await complete(d.code, p.body.preparationId, signature);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ code: d.code, status: 'awaiting_seal' });
    const fingerprint = createHash('sha256').update(loadIdentity(lanhdaoKey).certDer).digest('hex');
    expect(done.body.signedPdf.certificate).toEqual({ fingerprint, holder: 'Lâm Phước Thọ' });
    expect(done.body.history.at(-1)).toMatchObject({ action: 'sign', actor: 'lanhdao', note: expect.stringContaining(fingerprint) });

    const signed = await storage.get(done.body.signedPdf.sha256);
    const file = path.join(work, 'signed.pdf');
    fs.writeFileSync(file, signed);
    const sig = pdfsig(file);
    expect([sig.count, sig.valid], sig.out).toEqual([1, 1]);
    expect(sig.out).toMatch(/Signer Certificate Common Name: Lâm Phước Thọ/);
    const leader = judgePdf(signed, [caPem]).signatures.find((s) => s.field === 'ChuKyLanhDao')!;
    expect([leader.intact, leader.valid, leader.trusted, leader.level]).toEqual([true, true, true, 'B-T']);

    // The dossier goes on as after a normal signature: sealed, the e-copy is B-LTA throughout.
    const vanthu = (await h.actor('vanthu'))!;
    const book = await h.db.selectFrom('register_books').select('id').executeTakeFirstOrThrow();
    const sealed = await service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, `seal-${d.code}`);
    expect(sealed.status).toBe('completed');
    const j = judgePdf(await storage.get(sealed.sealedPdf!.sha256), [caPem]);
    expect(j.signatures.map((s) => [s.field, s.level ?? null, s.intact, s.trusted])).toEqual([
      ['ChuKyLanhDao', h.config.signature.level, true, true],
      ['DauCoQuan', h.config.signature.level, true, true],
      ...(h.config.signature.level === 'B-LTA' ? [['DauThoiGian', null, true, true]] : []),
    ]);

    // A second complete of the same preparation is refused, and changes nothing.
    const before = await snapshot(d.code);
    expectRefusal(await complete(d.code, p.body.preparationId, signature), 409, 'wrong_state');
    expect(await snapshot(d.code)).toEqual(before);
    await recordHistory(d.code, 'dossier-signed-with-token-sealed');
  }, 180_000);

  it('signs the precomputed digest too (openssl pkeyutl), after refusing a wrong signature that changes nothing', async () => {
    const d = await newDossier();
    const p = await prepare(d.code);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const before = await snapshot(d.code);
    // Signed with the right key over other bytes, then garbage: both refused, the preparation kept.
    const otherBytes = keyFileSignsDigest(createHash('sha256').update('không phải signedAttributes').digest('base64'));
    expectRefusal(await complete(d.code, p.body.preparationId, otherBytes), 422, 'signature_invalid');
    expectRefusal(await complete(d.code, p.body.preparationId, Buffer.alloc(256, 7).toString('base64')), 422, 'signature_invalid');
    expect(await snapshot(d.code)).toEqual(before);

    const done = await complete(d.code, p.body.preparationId, keyFileSignsDigest(p.body.digest));
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe('awaiting_seal');
    const file = path.join(work, 'digest.pdf');
    fs.writeFileSync(file, await storage.get(done.body.signedPdf.sha256));
    expect(pdfsig(file).valid).toBe(1);
    await recordHistory(d.code, 'dossier-token-signature-refused-then-signed');
  }, 120_000);

  it('places the signature as asked at prepare: kept in the dossier and as the leader\'s default; a place off the page refused', async () => {
    const d = await newDossier();
    const certificate = chainPem(lanhdaoKey);
    const saved = () => h.db.selectFrom('signature_placements').select(['x', 'y']).where('username', '=', 'lanhdao').executeTakeFirst();
    const before = await saved();
    const off = await call('lanhdao', 'POST', `/dossiers/${d.code}/sign/prepare`, { json: { certificate, placement: { page: 2, x: 500, y: 80 } } });
    expectRefusal(off, 400, 'validation');
    expect(off.body.field).toBe('placement');
    expect(await saved()).toEqual(before);

    const p = await call('lanhdao', 'POST', `/dossiers/${d.code}/sign/prepare`, { json: { certificate, placement: { page: 2, x: 61, y: 81 } } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(await saved()).toEqual({ x: 61, y: 81 });
    const done = await complete(d.code, p.body.preparationId, keyFileSignsDigest(p.body.digest));
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.signedBy.placement).toEqual({ x: 61, y: 81 });
  }, 120_000);

  it('refuses a certificate that is not the signer\'s, untrusted, or a caller who is no signer: nothing changes', async () => {
    const d = await newDossier();
    const before = await snapshot(d.code);
    // Another person's certificate from the same trusted CA.
    const pki = h.trustServices.store;
    const other = await pki.leaderKey({ username: 'nguoikhac', fullName: 'Trần Văn Khác' });
    expectRefusal(await prepare(d.code, chainPem(other)), 422, 'certificate_refused', /Trần Văn Khác/);
    // A self-made certificate in the leader's own name.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '30', '-subj', '/CN=Lâm Phước Thọ', '-utf8'], { cwd: work, stdio: 'ignore' });
    expectRefusal(await prepare(d.code, fs.readFileSync(path.join(work, 'self.pem'), 'utf8')), 422, 'certificate_refused', /tin cậy/);
    expectRefusal(await prepare(d.code, 'không phải PEM'), 400, 'validation');
    expectRefusal(await prepare(d.code, chainPem(lanhdaoKey), 'canbo'), 403, 'forbidden');
    expect(await snapshot(d.code)).toEqual(before);
  }, 60_000);

  it('takes a certificate in another spelling of the name once it is the leader\'s uploaded one, approved by an administrator', async () => {
    const d = await newDossier(service, 'approved');
    const spelled = await h.trustServices.store.leaderKey({ username: 'lanhdao-spelled', fullName: 'LAM PHUOC THO' });
    expectRefusal(await prepare(d.code, chainPem(spelled)), 422, 'certificate_refused', /LAM PHUOC THO/);
    const up = await call('lanhdao', 'POST', '/certificates', { form: multipart({ passphrase: spelled.passphrase, purpose: 'personal' }, 'file', spelled.p12, 'token.p12', 'application/x-pkcs12') });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expectRefusal(await prepare(d.code, chainPem(spelled)), 422, 'certificate_refused'); // waits for the administrator
    expect((await call('quantri', 'POST', `/certificates/${up.body.fingerprint}/approve`)).status).toBe(200);
    const p = await prepare(d.code, chainPem(spelled));
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const done = await complete(d.code, p.body.preparationId, keyFileSignsDigest(p.body.digest, spelled));
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.signedPdf.certificate).toEqual({ fingerprint: up.body.fingerprint, holder: 'LAM PHUOC THO' });
    const row = await h.db.selectFrom('certificates').select('first_used_at').where('fingerprint', '=', up.body.fingerprint).executeTakeFirstOrThrow();
    expect(row.first_used_at).not.toBeNull();
  }, 120_000);

  it('refuses another leader\'s completion and, at B-LT and above, a certificate revoked since the preparation: nothing changes', async () => {
    // A second leader of the same agency.
    await h.db.insertInto('users').values({ username: 'lanhdao-pho', full_name: 'Phạm Thị Phó', title: 'Phó Trưởng phòng', password_hash: await bcrypt.hash('demo', 4), agency_code: h.agencyCode }).execute();
    await h.db.insertInto('user_roles').values({ username: 'lanhdao-pho', agency_code: h.agencyCode, role: 'signer' }).execute();
    const d = await newDossier(service, 'revoked');
    // Another certificate in the leader's name, from the same CA (a second token), naming the CA's OCSP responder and CRL.
    const second = await h.trustServices.store.leaderKey({ username: 'lanhdao-token-2', fullName: 'Lâm Phước Thọ' });
    const p = await prepare(d.code, chainPem(second));
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const signature = keyFileSignsDigest(p.body.digest, second);
    const before = await snapshot(d.code);
    expectRefusal(await complete(d.code, p.body.preparationId, signature, 'lanhdao-pho'), 403, 'forbidden');
    expect(await snapshot(d.code)).toEqual(before);
    if (h.config.signature.level !== 'B-LT' && h.config.signature.level !== 'B-LTA') return;
    await revokeCertificate(h.trustServices.store.dir, second.certPem);
    expectRefusal(await complete(d.code, p.body.preparationId, signature), 422, 'certificate_revoked', /thu hồi/);
    expect(await snapshot(d.code)).toEqual(before);
  }, 120_000);

  it('refuses an expired preparation, one made before a new scan, one overtaken by a normal signature: nothing changes', async () => {
    const d = await newDossier(shortLived, 'expiry');
    const p = await prepare(d.code);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const signature = tokenSigns(p.body.signedAttributes);
    await new Promise((r) => setTimeout(r, 2000));
    const before = await snapshot(d.code);
    expectRefusal(await complete(d.code, p.body.preparationId, signature), 409, 'wrong_state', /hết hạn/);
    expectRefusal(await complete(d.code, 'khong-co-phien-nay', signature), 409, 'wrong_state');
    expect(await snapshot(d.code)).toEqual(before);

    // Prepared, then returned and resubmitted with another scan: the old preparation cannot sign the new dossier.
    const d3 = await newDossier(service, 'rescanned');
    const p3 = await prepare(d3.code);
    const lanhdao = (await h.actor('lanhdao'))!;
    await service.act(lanhdao, d3.code, 'returnToCreator', { reason: 'Bản scan không rõ' }, `return-${d3.code}`);
    await service.act(canbo, d3.code, 'resubmit', {}, `resubmit-${d3.code}`, uploadedPdf(h, await makePdf(2, 'Bản scan mới')));
    const rescanned = await snapshot(d3.code);
    expectRefusal(await complete(d3.code, p3.body.preparationId, tokenSigns(p3.body.signedAttributes)), 409, 'wrong_state', /scan/);
    expect(await snapshot(d3.code)).toEqual(rescanned);

    const d2 = await newDossier(service, 'overtaken');
    const p2 = await prepare(d2.code);
    expect((await service.act(lanhdao, d2.code, 'sign', {}, `sign-${d2.code}`)).status).toBe('awaiting_seal');
    const after = await snapshot(d2.code);
    expectRefusal(await complete(d2.code, p2.body.preparationId, tokenSigns(p2.body.signedAttributes)), 409, 'wrong_state');
    expect(await snapshot(d2.code)).toEqual(after);
  }, 120_000);
});

describe('a signature made elsewhere, as the CMS carries it', () => {
  it('takes ECDSA as DER or as CKM_ECDSA gives it (r || s), always answering DER; refuses one over other bytes', () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.pem', '-days', '1', '-subj', '/CN=EC'], { cwd: work, stdio: 'ignore' });
    const certDer = new X509Certificate(fs.readFileSync(path.join(work, 'ec.pem'))).raw;
    const key = createPrivateKey(fs.readFileSync(path.join(work, 'ec.key')));
    const data = Buffer.from('signed attributes');
    for (let i = 0; i < 20; i++) { // some r or s with a high bit or a leading zero byte
      const raw = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      const asDer = cmsSignatureOf(certDer, data, raw)!;
      expect(asDer[0]).toBe(0x30);
      expect(verify('sha256', data, new X509Certificate(certDer).publicKey, asDer)).toBe(true);
      const derSig = sign('sha256', data, key);
      expect(cmsSignatureOf(certDer, data, derSig)).toEqual(derSig);
      expect(cmsSignatureOf(certDer, Buffer.from('other bytes'), raw)).toBeNull();
    }
  });
});

describe('the prepared copy in file storage', () => {
  it('keeps only what prepare appended to a classic-xref scan, the whole copy otherwise, and gives back the same bytes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-prepared-'));
    try {
      const files = createLocalStorage(dir);
      const opts = { attestation: { agencyName: 'UBND xã A', documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-011226-010001', date: new Date() }, signerName: 'Lâm Phước Thọ', signerTitle: 'Chủ tịch' };
      for (const objectStreams of [false, true]) {
        const scan = await makeScanPdf({ pages: 2, imageBytesPerPage: 200_000, objectStreams });
        const scanRef = await files.put(scan);
        const pdf = await prepareAttestation(scan, opts);
        const kept = await storePrepared(files, { bytes: scan, ref: scanRef }, pdf);
        if (objectStreams) {
          expect(kept.preparedOn).toBeUndefined();
          expect(kept.prepared.size).toBe(pdf.length);
        } else {
          expect(kept.preparedOn).toEqual(scanRef);
          expect(kept.prepared.size).toBe(pdf.length - scan.length);
          expect(kept.prepared.size).toBeLessThan(200_000);
        }
        expect((await loadPrepared(files, kept)).equals(pdf)).toBe(true);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
