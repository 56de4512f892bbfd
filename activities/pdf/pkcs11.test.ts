// The agency seal's key in a real PKCS#11 token (SoftHSM2 via graphene-pk11): the e-copy sealed there is judged by
// pyHanko and pdfsig; a wrong PIN, a key that is not there, a token that is absent and a missing library each
// fail clearly, and only the absent token is retried.
import { execFileSync } from 'node:child_process';
import { verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_UNAVAILABLE } from '../../domain/errors.js';
import type { TokenSealConfig } from '../../lib/config.js';
import { loadConfig } from '../../lib/config.js';
import { pdfsig } from '../../lib/testing/files.js';
import { judgePdf } from '../../lib/testing/pades.js';
import { createSoftHsm, type SoftHsm } from '../../lib/testing/softhsm.js';
import { createWorker } from '../../worker.js';
import { withSealToken } from '../signing.js';
import { makeScanPdf } from './fixtures.js';
import { createFileKeyStore, type FileKeyStore, type KeyMaterial } from './pki.js';
import { Pkcs11Module, pkcs11Module, TokenError, withTokenSeals } from './pkcs11.js';
import { sealIncremental } from './seal.js';
import { signWithAttestation } from './sign.js';
import type { SigningIdentity } from './signer.js';

const LEADER = { username: 'lanhdao', fullName: 'Trần Văn Ánh' };
const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const PIN = '2468';
let hsm: SoftHsm;
let mod: Pkcs11Module;
let store: FileKeyStore;
let leaderKey: KeyMaterial;
let sealKey: KeyMaterial;
let ca: string;
let scan: Buffer;
let work: string;

const seal = (o: Partial<TokenSealConfig> = {}): TokenSealConfig => ({ token: 'seal-hsm', key: 'seal', pin: PIN, pinEnv: 'SEAL_PIN', ...o });

beforeAll(async () => {
  hsm = createSoftHsm();
  work = mkdtempSync(join(tmpdir(), 'pkcs11-'));
  store = createFileKeyStore(join(work, 'pki'));
  [leaderKey, sealKey, ca] = await Promise.all([store.leaderKey(LEADER), store.sealKey(AGENCY), store.caCertPem()]);
  hsm.initToken('seal-hsm', PIN);
  hsm.importKey({ label: 'seal-hsm', pin: PIN }, sealKey, { label: 'seal', id: '01' });
  // A token holding the key alone: its certificate and CA come from a PEM file.
  hsm.initToken('seal-bare', PIN);
  hsm.importKey({ label: 'seal-bare', pin: PIN }, sealKey, { label: 'seal', id: '02', withCertificate: false });
  hsm.initToken('seal-wrong-pin', PIN);
  hsm.importKey({ label: 'seal-wrong-pin', pin: PIN }, sealKey, { label: 'seal', id: '03' });
  mod = pkcs11Module(hsm.module); // after the tokens: SoftHSM lists the tokens it found at C_Initialize
  scan = await makeScanPdf({ pages: 1 });
}, 60_000);
afterAll(async () => {
  await mod?.close();
  hsm?.remove();
});

async function eCopy(sealWith: SigningIdentity | KeyMaterial): Promise<Buffer> {
  const signed = await signWithAttestation(scan, {
    signerName: LEADER.fullName, signerTitle: 'TRƯỞNG PHÒNG', key: leaderKey,
    attestation: { agencyName: AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  });
  return sealIncremental(Buffer.from(signed), { certificationNumber: '12/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: AGENCY.name, key: sealWith });
}

describe('the seal signed in SoftHSM2', () => {
  it('the agency configured with a token seals there: pyHanko and pdfsig find the seal valid, with the certificate the token holds', async () => {
    const keys = withTokenSeals(store, mod, { [AGENCY.code]: seal() });
    const id = await keys.sealKey(AGENCY) as SigningIdentity;
    expect('sign' in id && !('p12' in id)).toBe(true);
    // The certificate as pkcs11-tool reads it from the token, not as we wrote it.
    const read = join(work, 'token-cert.der');
    hsm.tool(['--token-label', 'seal-hsm', '--read-object', '--type', 'cert', '--id', '01', '--output-file', read]);
    expect(id.certDer.equals(readFileSync(read))).toBe(true);
    expect(id.chainDer.map((d) => new X509Certificate(d).subject)).toEqual([new X509Certificate(sealKey.certPem).subject, new X509Certificate(ca).subject]);

    const pdf = await eCopy(id);
    const j = judgePdf(pdf, [ca]);
    expect(j.signatures.map((s) => [s.field, s.signer, s.level, s.intact, s.valid, s.trusted])).toEqual([
      ['ChuKyLanhDao', LEADER.fullName, 'B-B', true, true, true],
      ['DauCoQuan', AGENCY.name, 'B-B', true, true, true],
    ]);
    const file = join(work, 'sealed.pdf');
    writeFileSync(file, pdf);
    const sig = pdfsig(file);
    expect([sig.count, sig.valid]).toEqual([2, 2]);
    expect(sig.out).toContain(`Signer Certificate Common Name: ${AGENCY.name}`);
    // The leader's key stays in the file store; an agency not configured keeps its file seal.
    expect(await keys.leaderKey(LEADER)).toMatchObject({ p12: expect.any(Buffer) });
    expect(await keys.sealKey({ code: 'OTHER', name: 'Khác' })).toMatchObject({ p12: expect.any(Buffer) });
  });

  it('concurrent seals share the one session in turn, and a session the token dropped is opened again', async () => {
    const id = await mod.identity(seal());
    const pub = new X509Certificate(id.certDer).publicKey;
    const data = Array.from({ length: 8 }, (_, i) => Buffer.from(`signed attributes ${i}`));
    const sigs = await Promise.all(data.map((d) => id.sign(d)));
    expect(sigs.map((s, i) => verify('sha256', data[i], pub, s))).toEqual(data.map(() => true));
    // The session closed under the module's feet (as when a token is pulled and put back): CKR_SESSION_HANDLE_INVALID, reopened once.
    (mod as unknown as { tokens: Map<string, { session: { close(): void } }> }).tokens.get('seal-hsm')!.session.close();
    expect(verify('sha256', data[0], pub, await id.sign(data[0]))).toBe(true);
  });

  it('a token holding the key alone takes its certificate and chain from the configured PEM file', async () => {
    const pem = join(work, 'seal-chain.pem');
    writeFileSync(pem, `${sealKey.certPem}\n${ca}`);
    const id = await mod.identity(seal({ token: 'seal-bare', certificates: pem }));
    expect(id.chainDer).toHaveLength(2);
    const j = judgePdf(await eCopy(id), [ca]);
    expect(j.signatures.map((s) => [s.field, s.valid, s.trusted])).toContainEqual(['DauCoQuan', true, true]);
    // Without the file there is no certificate to embed: refused, clearly.
    await expect(mod.identity(seal({ token: 'seal-bare' }))).rejects.toMatchObject({ reason: 'certificate_not_found', retryable: false });
  });

  it('an EC key signs with ECDSA (CKM_ECDSA on the hash, DER-encoded): pyHanko validates the seal', async () => {
    const dir = mkdtempSync(join(work, 'ec-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-subj', '/CN=Con dau EC/O=Thu nghiem', '-days', '2', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'], { stdio: 'ignore' });
    const certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
    hsm.initToken('seal-ec', PIN);
    hsm.importKeyPem({ label: 'seal-ec', pin: PIN }, { keyPem: readFileSync(join(dir, 'k.pem'), 'utf8'), certificates: [new X509Certificate(certPem).raw], label: 'seal', id: '0e' });
    const id = await mod.identity(seal({ token: 'seal-ec' }));
    expect(id.keyType).toBe('ec');
    const j = judgePdf(await eCopy(id), [ca, certPem]);
    expect(j.signatures.map((s) => [s.field, s.signer, s.intact, s.valid, s.trusted])).toContainEqual(['DauCoQuan', 'Con dau EC', true, true, true]);
  });
});

describe('a token that refuses', () => {
  it('a wrong PIN is a clear, final refusal: presented once, never again by this process; the token still opens with its PIN', async () => {
    const wrong = seal({ token: 'seal-wrong-pin', pin: '0000' });
    await expect(mod.identity(wrong)).rejects.toMatchObject({ name: 'TokenError', reason: 'pin_incorrect', retryable: false, message: expect.stringMatching(/CKR_PIN_INCORRECT/) });
    // The second time the token is not asked (each wrong PIN counts towards locking it).
    await expect(mod.identity(wrong)).rejects.toMatchObject({ reason: 'pin_incorrect', message: expect.stringMatching(/refused this PIN before; not presented again/) });
    const failure = await withSealToken(() => withTokenSeals(store, mod, { [AGENCY.code]: wrong }).sealKey(AGENCY)).catch((e) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'signing_key_unusable', nonRetryable: true, message: expect.stringMatching(/^Thiết bị lưu khóa con dấu .* từ chối mã PIN.*không thử lại.*Hồ sơ không thay đổi\.$/) });
    // Nothing changed on the token: pkcs11-tool logs in with the real PIN and finds the key.
    expect(hsm.tool(['--token-label', 'seal-wrong-pin', '--login', '--pin', PIN, '--list-objects', '--type', 'privkey'])).toMatch(/label:\s+seal/);
  });

  it('a key label not on the token: key_not_found, not retried, in Vietnamese', async () => {
    const missing = seal({ key: 'khong-co' });
    await expect(mod.identity(missing)).rejects.toMatchObject({ reason: 'key_not_found', retryable: false, message: expect.stringContaining('No private key labelled "khong-co"') });
    const failure = await withSealToken(() => mod.identity(missing)).catch((e) => e);
    expect(failure).toMatchObject({ type: 'signing_key_unusable', nonRetryable: true, message: expect.stringMatching(/^Không tìm thấy khóa con dấu/) });
  });

  it('a token that is absent is retried as the TSA is (token_unavailable)', async () => {
    const absent = seal({ token: 'khong-cam' });
    await expect(mod.identity(absent)).rejects.toMatchObject({ reason: 'token_absent', retryable: true });
    const failure = await withSealToken(() => mod.identity(absent)).catch((e) => e);
    expect(failure).toMatchObject({ type: TOKEN_UNAVAILABLE, nonRetryable: false, message: expect.stringMatching(/^Chưa kết nối được thiết bị lưu khóa con dấu.*hệ thống tự thử lại/) });
  });

  it('a PKCS#11 library that is not there stops the worker at start, naming PKCS11_MODULE', async () => {
    expect(() => Pkcs11Module.open('/nonexistent/libpkcs11.so')).toThrow(TokenError);
    const config = loadConfig({ DATA_DIR: work, PKCS11_MODULE: '/nonexistent/libpkcs11.so', SEAL_PKCS11: JSON.stringify({ [AGENCY.code]: { token: 'seal-hsm', key: 'seal', pinEnv: 'SEAL_PIN' } }), SEAL_PIN: PIN });
    await expect(createWorker(config, null as never, { connection: {} as never })).rejects.toThrow(/^Refusing to start: Cannot load the PKCS#11 module PKCS11_MODULE=\/nonexistent\/libpkcs11.so/);
    // Nor does it start without the PIN (the web server, which reads the same settings, does not need it).
    const noPin = loadConfig({ DATA_DIR: work, PKCS11_MODULE: hsm.module, SEAL_PKCS11: JSON.stringify({ [AGENCY.code]: { token: 'seal-hsm', key: 'seal', pinEnv: 'SEAL_PIN' } }) });
    await expect(createWorker(noPin, null as never, { connection: {} as never })).rejects.toThrow('Refusing to start: SEAL_PKCS11 names PIN variables that are not set: SEAL_PIN.');
  });
});
