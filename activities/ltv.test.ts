// PAdES B-LT and B-LTA judged independently: certomancer (not our code) issues the leader's and the seal's
// certificates with OCSP and CRL pointers, runs the TSA, the OCSP responder and the CRL; pyHanko says which level
// each signature reaches, validates it offline from the DSS alone, and says what the seal's lock saw come after it.
// The seal activity adds the data itself; a revoked leader certificate and an OCSP/CRL outage fail it cleanly.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DossierView } from '../domain/dossier.js';
import { REVOCATION_UNAVAILABLE } from '../domain/errors.js';
import type { SignatureLevel } from '../lib/config.js';
import { startCertomancer, type Certomancer } from '../lib/testing/certomancer.js';
import { judgePdf, padesVenv } from '../lib/testing/pades.js';
import type { ActivityDeps } from './deps.js';
import { addValidationData, archiveTimestamp } from './pdf/dss.js';
import { makeScanPdf } from './pdf/fixtures.js';
import type { KeyMaterial } from './pdf/pki.js';
import { assertNotRevoked, CertificateRevokedError, fetchCrl, fetchOcsp, RevocationUnavailableError } from './pdf/revocation.js';
import { sealIncremental } from './pdf/seal.js';
import { loadIdentity } from './pdf/signer.js';
import { signWithAttestation } from './pdf/sign.js';
import { createTimestamper, type Timestamper } from './pdf/tsa.js';
import { signingActivities } from './signing.js';

let pki: Certomancer;
let timestamper: Timestamper;
let scan: Buffer;
const AGENCY = 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng';

beforeAll(async () => {
  pki = await startCertomancer();
  timestamper = createTimestamper({ url: pki.tsaUrl });
  scan = await makeScanPdf({ pages: 2 });
}, 60_000);
afterAll(() => pki?.stop());

/** Signed and sealed at B-T (or at B-B with `ts` null). */
async function sealedAtBT(leader = pki.keyOf('leader'), ts: Timestamper | null = timestamper): Promise<Buffer> {
  const timestamper = ts;
  const signed = await signWithAttestation(scan, {
    timestamper, signerName: 'Trần Văn Ánh', signerTitle: 'TRƯỞNG PHÒNG', key: leader,
    attestation: { agencyName: AGENCY, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  });
  return sealIncremental(Buffer.from(signed), { timestamper, certificationNumber: '12/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: AGENCY, key: pki.keyOf('seal') });
}

describe('validation data after the seal, judged by pyHanko', () => {
  let bt: Buffer;
  let lt: Buffer;
  let lta: Buffer;
  beforeAll(async () => {
    bt = await sealedAtBT();
    lt = await addValidationData(bt);
    lta = await archiveTimestamp(lt, timestamper);
    // The e-copy's growth (reported): the signature timestamps, the DSS, the document timestamp and its DSS, a renewal.
    const bb = await sealedAtBT(pki.keyOf('leader'), null);
    const renewed = await archiveTimestamp(lta, timestamper);
    console.info(`e-copy bytes: B-B ${bb.length}, B-T ${bt.length} (+${bt.length - bb.length}), B-LT ${lt.length} (+${lt.length - bb.length}), `
      + `B-LTA ${lta.length} (+${lta.length - bb.length} over B-B), one renewal ${renewed.length} (+${renewed.length - lta.length})`);
    expect(lta.length - bb.length).toBeLessThanOrEqual(64 * 1024); // the budget for all validation data
  }, 60_000);

  it('B-LT: a DSS with every certificate and an OCSP response and the CRL for each one that points at them; both signatures validate offline from it', () => {
    const j = judgePdf(lt, [pki.rootPem], { ltv: true });
    expect(j.signatures.map((s) => [s.field, s.level, s.bottomLine, s.ltv])).toEqual([
      ['ChuKyLanhDao', 'B-LT', true, 'ok'],
      ['DauCoQuan', 'B-LT', true, 'ok'],
    ]);
    // leader, seal, TSA, OCSP responder, root; OCSP for leader, seal and TSA (the responder is no-check, the
    // root a trust anchor); one CRL, the root's, stored once; one VRI entry per signature.
    expect(j.dss).toEqual({ certs: 5, ocsps: 3, crls: 1, vri: 2 });
    expect(j.signatures[1].modificationLevel).toBe('LTA_UPDATES'); // all the seal's lock allows after it
  });

  it('B-LTA: a document timestamp after the DSS, then its own chain\'s data; pyHanko\'s strict AdES-LTA validation passes offline', () => {
    const j = judgePdf(lta, [pki.rootPem], { ltv: true, ades: true });
    expect(j.signatures.map((s) => [s.field, s.type, s.level ?? null, s.bottomLine, s.ltv ?? null, s.ades ?? null, s.vri])).toEqual([
      ['ChuKyLanhDao', 'Sig', 'B-LTA', true, 'ok', 'PASSED', true],
      ['DauCoQuan', 'Sig', 'B-LTA', true, 'ok', 'PASSED', true],
      // the document timestamp's TSA certificate: its revocation data in the DSS after it (VRI), offline hard-fail ok
      ['DauThoiGian', 'DocTimeStamp', null, true, 'ok', null, true],
    ]);
    expect(j.dss).toMatchObject({ certs: 5, crls: 1, vri: 3 });
    expect(j.signatures[2].subFilter).toBe('/ETSI.RFC3161');
    expect(j.signatures[1]).toMatchObject({ modificationLevel: 'LTA_UPDATES', docmdpOk: true });
    expect(j.signatures[0]).toMatchObject({ modificationLevel: 'FORM_FILLING', docmdpOk: true });
  });

  it("pyHanko's own archival renewal (sign ltaupdate) accepts our B-LTA e-copy, and the result still passes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltaupdate-'));
    try {
      const file = path.join(dir, 'e-copy.pdf');
      fs.writeFileSync(file, lta);
      fs.writeFileSync(path.join(dir, 'root.pem'), pki.rootPem);
      execFileSync(path.join(padesVenv(), 'bin/pyhanko'), ['sign', 'ltaupdate', '--timestamp-url', pki.tsaUrl, '--trust', path.join(dir, 'root.pem'), '--trust-replace', file], { stdio: 'pipe' });
      const j = judgePdf(fs.readFileSync(file), [pki.rootPem], { ltv: true, ades: true });
      expect(j.signatures.map((s) => [s.type, s.bottomLine, s.ltv ?? null, s.ades ?? null])).toEqual([
        ['Sig', true, 'ok', 'PASSED'], ['Sig', true, 'ok', 'PASSED'], ['DocTimeStamp', true, 'ok', null], ['DocTimeStamp', true, 'ok', null],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('at B-T the file alone does not validate offline (no DSS): what B-LT adds is what a validator needs', () => {
    const j = judgePdf(bt, [pki.rootPem], { ltv: true });
    expect(j.signatures.map((s) => [s.level, s.ltv === 'ok'])).toEqual([['B-T', false], ['B-T', false]]);
  });
});

describe('revocation before signing', () => {
  it('a revoked leader certificate is refused with a Vietnamese message', async () => {
    const e = await assertNotRevoked(loadIdentity(pki.keyOf('leader-revoked')).chainDer).catch((x: Error) => x);
    expect(e).toBeInstanceOf(CertificateRevokedError);
    expect((e as Error).message).toMatch(/^Chứng thư số của "Le Thi Bich" đã bị thu hồi từ 2021-01-01; không thể ký/);
    await expect(assertNotRevoked(loadIdentity(pki.keyOf('leader')).chainDer)).resolves.toBeUndefined();
  });

  it("refuses another CA's CRL (same names, other key) and its responder's refusal", async () => {
    const other = await startCertomancer();
    try {
      const [certDer, issuerDer] = loadIdentity(pki.keyOf('leader')).chainDer;
      // (the other responder does not know our issuer: it answers 'unauthorized', refused like any non-answer)
      await expect(fetchOcsp(other.ocspUrl, certDer, issuerDer)).rejects.toMatchObject({ reason: 'invalid', message: expect.stringMatching(/status 6/) });
      await expect(fetchCrl(other.crlUrl, certDer, issuerDer)).rejects.toMatchObject({ reason: 'invalid', message: expect.stringMatching(/signature does not verify/) });
      await expect(fetchCrl(pki.crlUrl, certDer, issuerDer)).resolves.toBeInstanceOf(Buffer);
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('refuses an OCSP response whose responder certificate was not issued by the certificate\'s issuer (forged)', async () => {
    // Our responder's genuine answer with the last byte flipped: that is the delegated responder certificate's signature.
    const forger = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const up = Buffer.from(await (await fetch(pki.ocspUrl, { method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' }, body: new Uint8Array(Buffer.concat(chunks)) })).arrayBuffer());
      up[up.length - 1] ^= 0x01;
      res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(up);
    });
    await new Promise<void>((r) => forger.listen(0, '127.0.0.1', r));
    try {
      const [certDer, issuerDer] = loadIdentity(pki.keyOf('leader')).chainDer;
      const url = `http://127.0.0.1:${(forger.address() as { port: number }).port}/ocsp`;
      await expect(fetchOcsp(url, certDer, issuerDer)).rejects.toMatchObject({ reason: 'invalid', message: expect.stringMatching(/not signed by the issuer or its delegated responder/) });
      await expect(fetchOcsp(pki.ocspUrl, certDer, issuerDer)).resolves.toMatchObject({ der: expect.any(Buffer) });
    } finally {
      await new Promise((r) => forger.close(r));
    }
  });

  it('OCSP responder and CRL down: a retryable failure', async () => {
    const gone = await startCertomancer();
    const key = gone.keyOf('leader');
    await gone.stop();
    const e = await assertNotRevoked(loadIdentity(key).chainDer).catch((x: Error) => x);
    expect(e).toBeInstanceOf(RevocationUnavailableError);
    expect((e as RevocationUnavailableError).reason).toBe('unreachable');
  }, 60_000);
});

/** Activities over in-memory storage and a db that only remembers what `once` stores. */
function depsWith(level: SignatureLevel, keys: { leader: KeyMaterial; seal: KeyMaterial }, files: Map<string, Buffer>) {
  const rows = new Map<string, { sha256: string; size: number }>();
  let key = '';
  const chain = {
    select: () => chain, selectAll: () => chain, orderBy: () => chain, limit: () => chain,
    where: (col: string, _op: string, v: string) => { if (col === 'key') key = v; return chain; },
    executeTakeFirst: async () => rows.get(key),
    executeTakeFirstOrThrow: async () => rows.get(key)!,
  };
  const db = {
    // A read of anything but a file by key (the attestation template) finds nothing: version 1 applies.
    selectFrom: () => { key = ''; return chain; },
    // The register entry's certificates: no register here.
    updateTable: () => ({ set: () => ({ where: () => ({ execute: async () => [] }) }) }),
    insertInto: () => ({ values: (v: { key: string; sha256: string; size: number }) => ({ onConflict: () => ({ execute: async () => { rows.set(v.key, v); } }) }) }),
  };
  const storage = {
    async put(b: Buffer) { const sha256 = String(files.size); files.set(sha256, Buffer.from(b)); return { sha256, size: b.length }; },
    async get(sha256: string) { return files.get(sha256)!; },
  };
  const deps = {
    db, storage, signing: { level, timestamper },
    keys: { leaderKey: async () => keys.leader, sealKey: async () => keys.seal, caCertPem: async () => pki.rootPem },
  } as unknown as ActivityDeps;
  return { activities: signingActivities(deps), rows };
}

describe('the signing activities at B-LT / B-LTA', () => {
  const dossier = (scanSha: string) => ({
    code: 'G22.29-250620-010009', agencyCode: '000.03.25.H51', agencyName: AGENCY, copies: 1,
    documentType: { name: 'Giấy khai sinh' }, scan: { sha256: scanSha },
  }) as unknown as DossierView;
  const signer = { username: 'lanhdao', fullName: 'Trần Văn Ánh', title: 'TRƯỞNG PHÒNG' };

  it('B-LTA: the sealed e-copy carries the DSS and a document timestamp; a retried seal returns the same file', async () => {
    const files = new Map([['scan', scan]]);
    const { activities } = depsWith('B-LTA', { leader: pki.keyOf('leader'), seal: pki.keyOf('seal') }, files);
    const at = new Date().toISOString();
    const signed = await activities.signDossier({ dossier: dossier('scan'), signer, at });
    const d = { ...dossier('scan'), signedPdf: signed, certificationNumber: '12/ĐT', registerBook: { name: '01/2026/ĐT' } } as unknown as DossierView;
    const sealed = await activities.sealDossier({ dossier: d, at });
    expect(await activities.sealDossier({ dossier: d, at })).toEqual(sealed); // remembered: nothing appended twice
    const j = judgePdf(files.get(sealed.sha256)!, [pki.rootPem], { ltv: true });
    expect(j.signatures.map((s) => [s.field, s.level ?? s.type, s.bottomLine])).toEqual([
      ['ChuKyLanhDao', 'B-LTA', true], ['DauCoQuan', 'B-LTA', true], ['DauThoiGian', 'DocTimeStamp', true],
    ]);
    expect(j.signatures[1].modificationLevel).toBe('LTA_UPDATES');
  }, 90_000);

  it('a revoked leader certificate: signing refused for good with the Vietnamese reason, nothing stored', async () => {
    const files = new Map([['scan', scan]]);
    const { activities, rows } = depsWith('B-LT', { leader: pki.keyOf('leader-revoked'), seal: pki.keyOf('seal') }, files);
    const e = await activities.signDossier({ dossier: dossier('scan'), signer, at: new Date().toISOString() }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect(e).toMatchObject({ nonRetryable: true, type: 'certificate_revoked', message: expect.stringMatching(/đã bị thu hồi.*Hồ sơ không thay đổi/) });
    expect([files.size, rows.size]).toEqual([1, 0]);
  });

  it('OCSP responder and CRL down: a retryable trust-service failure, nothing stored', async () => {
    const gone = await startCertomancer();
    const leader = gone.keyOf('leader');
    await gone.stop();
    const files = new Map([['scan', scan]]);
    const { activities, rows } = depsWith('B-LT', { leader, seal: pki.keyOf('seal') }, files);
    const e = await activities.signDossier({ dossier: dossier('scan'), signer, at: new Date().toISOString() }).catch((x: Error) => x);
    expect(e).toMatchObject({ nonRetryable: false, type: REVOCATION_UNAVAILABLE, message: expect.stringMatching(/^Chưa kiểm tra được tình trạng thu hồi.*hồ sơ không thay đổi/) });
    expect([files.size, rows.size]).toEqual([1, 0]);
  }, 60_000);
});
