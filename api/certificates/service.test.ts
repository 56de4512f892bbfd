// Uploading a certificate as a leader and a seal keeper would: every check refuses with a Vietnamese message and
// stores nothing; an accepted one is stored with its key wrapped under the KEK and put in use. The PKI is the demo
// CA with its OCSP responder and CRL on loopback; untrusted and odd files are made with openssl.
import { execFileSync } from 'node:child_process';
import crypto, { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closePdfPool } from '../../activities/pdf/pool.js';
import { revokeCertificate } from '../../activities/pdf/pki.js';
import { startTrustServices, type TrustServices } from '../../activities/pdf/trust-services.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { createDb, migrateToLatest, type Db } from '../../lib/db.js';
import { keyRing, unwrapKey, wrapKey, type KeyRing } from '../../lib/key-encryption.js';
import { createTestDatabase } from '../../lib/testing/database.js';
import { CertificateService } from './service.js';

const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const leader: Actor = { username: 'lanhdao', fullName: 'Lâm Phước Thọ', agencyCode: AGENCY.code, roles: ['signer'] };
const sealer: Actor = { username: 'vanthu', fullName: 'Trần Thị Bích', agencyCode: AGENCY.code, roles: ['sealer'] };
const admin: Actor = { username: 'quantri', fullName: 'Quản trị hệ thống', agencyCode: AGENCY.code, roles: ['admin'] };
const creator: Actor = { username: 'canbo', fullName: 'Nguyễn Văn An', agencyCode: AGENCY.code, roles: ['creator'] };

let db: Db;
let dropDb: () => Promise<void>;
let dir: string;
let ts: TrustServices;
let ring: KeyRing;
const service = (o: Partial<ConstructorParameters<typeof CertificateService>[1]> = {}) => new CertificateService(db, {
  mode: 'demo', keyRing: ring, trustAnchors: async () => [new X509Certificate(await ts.store.caCertPem()).raw], ...o,
});

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try { await p; } catch (e) { if (e instanceof DomainError) return e; throw e; }
  throw new Error('not refused');
}
const count = async () => Number((await db.selectFrom('certificates').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  const t = await createTestDatabase(inject('pgAdminUrl'), `t_cert_${crypto.randomBytes(4).toString('hex')}`);
  dropDb = t.drop;
  db = createDb(t.url, 2);
  await migrateToLatest(db);
  await db.insertInto('agencies').values({ code: AGENCY.code, name: AGENCY.name, portal_code: 'G22' }).execute();
  await db.insertInto('users').values([leader, sealer, admin, creator].map((u) => ({ username: u.username, full_name: u.fullName, password_hash: 'x', agency_code: AGENCY.code }))).execute();
  dir = mkdtempSync(path.join(os.tmpdir(), 'certs-'));
  ts = await startTrustServices({ pkiDir: path.join(dir, 'pki') });
  ring = keyRing(crypto.randomBytes(32));
});
afterAll(async () => {
  await ts?.close();
  await closePdfPool();
  await db?.destroy();
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('a leader uploads a personal certificate', () => {
  it('is stored with its key wrapped under the KEK, and put in use', async () => {
    const k = await ts.store.leaderKey({ username: 'lanhdao', fullName: leader.fullName });
    const v = await service().upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name });
    expect(v).toMatchObject({ purpose: 'personal', owner: 'lanhdao', commonName: leader.fullName, status: 'in_use', warnings: [] });
    expect(v.fingerprint).toBe(crypto.createHash('sha256').update(new X509Certificate(k.certPem).raw).digest('hex'));
    const row = await db.selectFrom('certificates').selectAll().where('fingerprint', '=', v.fingerprint).executeTakeFirstOrThrow();
    const key = unwrapKey(ring, { kekId: row.kek_id, blob: row.key_wrapped }, v.fingerprint);
    expect(new X509Certificate(row.cert_der).checkPrivateKey(createPrivateKey({ key, format: 'der', type: 'pkcs8' }))).toBe(true);
    expect(row.key_wrapped.includes(key.subarray(0, 64))).toBe(false);
    expect(row.chain_der).toHaveLength(2); // the certificate and the test CA
    expect((await service().list(leader)).personal.map((c) => c.fingerprint)).toEqual([v.fingerprint]);
    // the same file again
    const again = await refusal(service().upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name }));
    expect(again).toMatchObject({ code: 'conflict', message: expect.stringContaining('đã được tải lên') });
  });

  it('refuses a wrong passphrase on the passphrase field, and stores nothing', async () => {
    const k = await ts.store.leaderKey({ username: 'lanhdao2', fullName: leader.fullName });
    const before = await count();
    const e = await refusal(service().upload(leader, { file: k.p12, passphrase: 'sai mật khẩu', purpose: 'personal', agencyName: AGENCY.name }));
    expect(e).toMatchObject({ code: 'validation', field: 'passphrase', message: 'Mật khẩu của tệp chứng thư số không đúng.' });
    expect(await count()).toBe(before);
  });

  it('refuses a certificate of a CA not trusted here, naming why', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30', '-utf8', '-subj', `/CN=${leader.fullName}`], { cwd: dir, stdio: 'ignore' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-out', 'self.p12', '-passout', 'pass:x'], { cwd: dir });
    const before = await count();
    const e = await refusal(service().upload(leader, { file: readFileSync(path.join(dir, 'self.p12')), passphrase: 'x', purpose: 'personal', agencyName: AGENCY.name }));
    expect(e.code).toBe('certificate_refused');
    expect(e.message).toMatch(/không dẫn tới chứng thư gốc nào trong danh sách tin cậy/);
    expect(await count()).toBe(before);
  });

  it('refuses an expired certificate', async () => {
    const k = await ts.store.leaderKey({ username: 'lanhdao3', fullName: leader.fullName });
    const e = await refusal(service({ now: () => new Date('2045-01-01T00:00:00Z') }).upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name }));
    expect(e).toMatchObject({ code: 'certificate_refused', message: expect.stringContaining('đã hết hạn') });
  });

  it('refuses a revoked certificate', async () => {
    const k = await ts.store.leaderKey({ username: 'lanhdao4', fullName: leader.fullName });
    await revokeCertificate(ts.store.dir, k.certPem, { reason: 'keyCompromise' });
    const e = await refusal(service().upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name }));
    expect(e).toMatchObject({ code: 'certificate_refused', message: expect.stringMatching(/đã bị thu hồi từ ngày \d\d\/\d\d\/\d{4}/) });
  });

  it('when the status cannot be learned: refused in production, accepted with a visible warning in demo', async () => {
    const k = await ts.store.leaderKey({ username: 'lanhdao5', fullName: leader.fullName });
    const down = async () => { throw new (await import('../../activities/pdf/revocation.js')).RevocationUnavailableError('unreachable', 'down'); };
    const p = await refusal(service({ mode: 'production', revocation: down }).upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name }));
    expect(p).toMatchObject({ code: 'certificate_refused', message: expect.stringContaining('dịch vụ OCSP/CRL không trả lời') });
    const v = await service({ revocation: down }).upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name });
    expect(v.warnings.map((w) => w.code)).toEqual(['certificate_status_unknown']);
    expect(v.status).toBe('in_use');
  });

  it('keeps a certificate with another holder name out of use until an administrator approves it', async () => {
    const k = await ts.store.leaderKey({ username: 'other', fullName: 'Nguyễn Văn Khác' });
    const previous = (await service().list(leader)).personal.find((c) => c.status === 'in_use')!;
    const v = await service().upload(leader, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name });
    expect(v).toMatchObject({ status: 'needs_approval', warnings: [expect.objectContaining({ code: 'certificate_holder_name_differs' })] });
    expect((await service().list(leader)).personal.find((c) => c.status === 'in_use')!.fingerprint).toBe(previous.fingerprint);
    expect((await refusal(service().use(leader, v.fingerprint))).code).toBe('wrong_state');
    expect((await refusal(service().approve(leader, v.fingerprint))).code).toBe('forbidden');
    expect((await service().pending(admin)).map((c) => c.fingerprint)).toEqual([v.fingerprint]);
    expect((await refusal(service().approve({ ...admin, agencyCode: 'OTHER' }, v.fingerprint))).code).toBe('wrong_agency');
    expect((await service().approve(admin, v.fingerprint)).status).toBe('in_use');
    expect(await service().pending(admin)).toEqual([]);
    const list = (await service().list(leader)).personal;
    expect(list.filter((c) => c.status === 'in_use').map((c) => c.fingerprint)).toEqual([v.fingerprint]);
    // the leader may go back to the previous one; both stay listed
    expect((await service().use(leader, previous.fingerprint)).status).toBe('in_use');
    expect((await service().list(leader)).personal.length).toBe(list.length);
  });

  it('is for leaders only: a clerk may not upload one', async () => {
    const k = await ts.store.leaderKey({ username: 'canbo', fullName: creator.fullName });
    expect((await refusal(service().upload(creator, { file: k.p12, passphrase: k.passphrase, purpose: 'personal', agencyName: AGENCY.name }))).code).toBe('forbidden');
  });
});

describe('a seal keeper uploads the agency seal', () => {
  it("accepts the agency's own organisation certificate", async () => {
    const k = await ts.store.sealKey(AGENCY);
    const v = await service().upload(sealer, { file: k.p12, passphrase: k.passphrase, purpose: 'seal', agencyName: AGENCY.name });
    expect(v).toMatchObject({ purpose: 'seal', owner: AGENCY.code, status: 'in_use' });
    expect((await service().list(sealer)).seal.map((c) => c.fingerprint)).toEqual([v.fingerprint]);
    expect((await service().list(sealer)).personal).toEqual([]);
    // every member of the agency sees its seal certificates (GET /certificates), only the seal keeper changes them
    expect((await service().list(leader)).seal.map((c) => c.fingerprint)).toEqual([v.fingerprint]);
    // a leader may not use or replace it
    expect((await refusal(service().use(leader, v.fingerprint))).code).toBe('forbidden');
  });

  it("refuses another agency's certificate", async () => {
    const k = await ts.store.sealKey({ code: '000.00.00.X99', name: 'UBND Xã Khác' });
    const e = await refusal(service().upload(sealer, { file: k.p12, passphrase: k.passphrase, purpose: 'seal', agencyName: AGENCY.name }));
    expect(e).toMatchObject({ code: 'certificate_refused', message: expect.stringContaining(`không mang tên cơ quan “${AGENCY.name}”`) });
  });
});

describe('rotating the key-encryption key', () => {
  let rotated: KeyRing; // what the certificates are wrapped under after the first rotation
  it('re-wraps every stored key under the new KEK, once; the keys still open and sign', async () => {
    const { rewrapAll } = await import('../../scripts/rewrap-keys.js');
    rotated = keyRing(crypto.randomBytes(32), [ring.keys.get(ring.currentId)!]);
    const stored = await db.selectFrom('certificates').select(['fingerprint', 'kek_id', 'key_wrapped', 'cert_der']).execute();
    expect(stored.length).toBeGreaterThan(0);
    expect((await rewrapAll(db, rotated))).toEqual({ rewrapped: stored.length, current: 0 });
    expect((await rewrapAll(db, rotated))).toEqual({ rewrapped: 0, current: stored.length });
    const onlyNew = keyRing(rotated.keys.get(rotated.currentId)!);
    for (const r of await db.selectFrom('certificates').select(['fingerprint', 'kek_id', 'key_wrapped', 'cert_der']).execute()) {
      expect(r.kek_id).toBe(onlyNew.currentId);
      const key = createPrivateKey({ key: unwrapKey(onlyNew, { kekId: r.kek_id, blob: r.key_wrapped }, r.fingerprint), format: 'der', type: 'pkcs8' });
      expect(new X509Certificate(r.cert_der).checkPrivateKey(key)).toBe(true);
    }
  });

  it("re-wraps a remote signer's secrets too, bound to its user", async () => {
    const { rewrapAll } = await import('../../scripts/rewrap-keys.js');
    const { remoteSecretContext } = await import('../../activities/remote-signers.js');
    const old = keyRing(crypto.randomBytes(32));
    const secret = Buffer.from(JSON.stringify({ token: 'bí mật' }));
    const w = wrapKey(old, secret, remoteSecretContext('lanhdao'));
    const cert = (await db.selectFrom('certificates').select(['cert_der']).executeTakeFirstOrThrow()).cert_der;
    await db.insertInto('remote_signers').values({
      username: 'lanhdao', service_url: 'https://csc.example.vn/csc/v2', credential_id: 'c1', auth_kind: 'token', secret_wrapped: w.blob, kek_id: w.kekId,
      cert_fingerprint: 'f'.repeat(64), cert_der: cert, chain_der: '[]', subject: 'CN=x', not_after: new Date('2100-01-01'), updated_by: 'lanhdao',
    }).execute();
    const next = keyRing(crypto.randomBytes(32), [old.keys.get(old.currentId)!, rotated.keys.get(rotated.currentId)!]);
    await rewrapAll(db, next);
    const row = await db.selectFrom('remote_signers').select(['kek_id', 'secret_wrapped']).executeTakeFirstOrThrow();
    expect(row.kek_id).toBe(next.currentId);
    expect(unwrapKey(keyRing(next.keys.get(next.currentId)!), { kekId: row.kek_id!, blob: row.secret_wrapped! }, remoteSecretContext('lanhdao'))).toEqual(secret);
    await db.deleteFrom('remote_signers').execute();
  });
});
