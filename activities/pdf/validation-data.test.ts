// The verification's reading of the validation data a file carries (validation-data.ts through verify.ts): the
// revocation status of each signer and TSA at the timestamped time, what each signature covers, and whose CA is
// trusted (TRUST_ANCHORS). E-copies made by the project's chain against certomancer (independent) and against
// the demo CA's own trust services (whose list of revoked certificates a test can change).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCSPRequest, Certificate } from 'pkijs';
import { startCertomancer, type Certomancer } from '../../lib/testing/certomancer.js';
import { tamper } from '../../lib/testing/tamper.js';
import { arrayBufferOf, parseDer } from './der.js';
import { addDocumentTimestamp, addValidationData } from './dss.js';
import { makeScanPdf } from './fixtures.js';
import { createFileKeyStore, revokeCertificate, type KeyMaterial } from './pki.js';
import { pointersOf } from './revocation.js';
import { sealIncremental } from './seal.js';
import { signWithAttestation } from './sign.js';
import { startTrustServices, type TrustServices } from './trust-services.js';
import { loadTrustAnchors } from './trust-anchors.js';
import { createTimestamper, type Timestamper } from './tsa.js';
import { verifyPdfSignatures } from './verify.js';

const AGENCY = 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng';
let scan: Buffer;
beforeAll(async () => { scan = await makeScanPdf({ pages: 1 }); });

async function sealedAtBT(keys: { leader: KeyMaterial; seal: KeyMaterial }, timestamper: Timestamper | null): Promise<Buffer> {
  const signed = await signWithAttestation(scan, {
    timestamper, signerName: 'Trần Văn Ánh', signerTitle: 'TRƯỞNG PHÒNG', key: keys.leader,
    attestation: { agencyName: AGENCY, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  });
  return sealIncremental(Buffer.from(signed), { timestamper, certificationNumber: '12/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: AGENCY, key: keys.seal });
}

describe('revocation from the DSS, certomancer as the CA, TSA, OCSP responder and CRL', () => {
  let pki: Certomancer;
  let timestamper: Timestamper;
  let bt: Buffer, lta: Buffer;
  beforeAll(async () => {
    pki = await startCertomancer();
    timestamper = createTimestamper({ url: pki.tsaUrl });
    bt = await sealedAtBT({ leader: pki.keyOf('leader'), seal: pki.keyOf('seal') }, timestamper);
    lta = await addDocumentTimestamp(await addValidationData(bt), timestamper);
  }, 60_000);
  afterAll(() => pki?.stop());

  it('B-LTA: both signatures and their TSA are good at the timestamp, by an OCSP response made after it; each covers its revision', () => {
    const v = verifyPdfSignatures(lta, { trustedCaPems: [pki.rootPem] });
    const [leader, seal, docTs] = v.signatures;
    for (const s of [leader, seal]) {
      expect(s).toMatchObject({ level: 'B-LTA', valid: true, chainsToTrustedCa: true, coverage: 'entireRevision' });
      expect(s.revocation).toMatchObject({ status: 'good', source: 'ocsp', online: false, at: s.timestamp!.time, reason: null });
      expect(Date.parse(s.revocation.evidenceTime!)).toBeGreaterThanOrEqual(Math.floor(Date.parse(s.timestamp!.time) / 1000) * 1000);
      expect(s.timestamp).toMatchObject({ authority: 'Certomancer Test TSA', intact: true, imprintMatches: true, trusted: true, revocation: { status: 'good', source: 'ocsp' } });
      expect(s.uncoveredBytes).toBe(lta.length - s.revisionEnd);
    }
    // The document timestamp covers the whole file; its own time comes after the DSS, so the file cannot yet
    // say its TSA was good then (the next renewal's DSS will): unknown, and why; unless the DSS's OCSP response was
    // made in the same second (OCSP times are whole seconds), which counts as made at that time.
    expect(docTs).toMatchObject({ kind: 'documentTimestamp', coverage: 'entireFile', uncoveredBytes: 0, valid: true });
    const sameSecond = Math.floor(Date.parse(docTs.timestamp!.time) / 1000) * 1000 <= Date.parse(seal.timestamp!.revocation.evidenceTime!);
    expect(docTs.revocation).toMatchObject(sameSecond ? { status: 'good' } : { status: 'unknown', reason: expect.stringMatching(/trước thời điểm ký/) });
  });

  it('B-T: no validation data in the file, so unknown for signers and TSA, with the reason', () => {
    const v = verifyPdfSignatures(bt, { trustedCaPems: [pki.rootPem] });
    expect(v.signatures.map((s) => [s.revocation.status, s.timestamp?.revocation.status, s.coverage])).toEqual([
      ['unknown', 'unknown', 'entireRevision'], ['unknown', 'unknown', 'entireFile'],
    ]);
    expect(v.signatures[0].revocation.reason).toMatch(/không chứa dữ liệu thu hồi/);
    // The chain for a caller's online look-up: signer and issuer.
    expect(v.signatures[0].chain.map((b) => new X509Certificate(Buffer.from(b, 'base64')).subject)).toEqual([
      expect.stringMatching(/Tran Van Anh|Trần Văn Ánh/), expect.stringMatching(/CA/),
    ]);
  });

  it('a certificate revoked before it signed (certomancer revoked it in 2021): revoked, not after signing, whatever the signature says', async () => {
    const pdf = await addValidationData(await sealedAtBT({ leader: pki.keyOf('leader-revoked'), seal: pki.keyOf('seal') }, timestamper), { revocation: rawRevocation });
    const [leader, seal] = verifyPdfSignatures(pdf, { trustedCaPems: [pki.rootPem] }).signatures;
    expect(leader.valid).toBe(true);
    expect(leader.revocation).toMatchObject({ status: 'revoked', revokedAfterSigning: false, revokedAt: expect.stringMatching(/^2021-01-01/) });
    expect(seal.revocation.status).toBe('good');
  }, 30_000);

  it('a crafted DSS (garbage streams, a bomb, a forged OCSP response) proves nothing and throws nothing', async () => {
    const { inflateSync: _unused, deflateSync } = await import('node:zlib');
    const forged = Buffer.from(bt);
    // A DSS whose OCSP entry is a zip bomb and whose CRL entry is garbage, appended by hand as an incremental update.
    const bomb = deflateSync(Buffer.alloc(64 << 20));
    const tail = `\n900 0 obj\n<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`;
    const tail2 = `\nendstream\nendobj\n901 0 obj\n<< /Length 5 >>\nstream\nhello\nendstream\nendobj\n902 0 obj\n<< /Type /DSS /OCSPs [900 0 R] /CRLs [901 0 R] /Certs [901 0 R] >>\nendobj\n%%EOF\n`;
    const pdf = Buffer.concat([forged, Buffer.from(tail, 'latin1'), bomb, Buffer.from(tail2, 'latin1')]);
    const t0 = Date.now();
    const v = verifyPdfSignatures(pdf, { trustedCaPems: [pki.rootPem] });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(v.signatures.map((s) => [s.valid, s.revocation.status])).toEqual([[true, 'unknown'], [true, 'unknown']]);
  });

  it('after-seal tampering: every signature covers only part of the file, the bytes and the change said', async () => {
    const bad = await tamper(lta, 'pageText');
    const v = verifyPdfSignatures(bad, { trustedCaPems: [pki.rootPem] });
    expect(v.signatures.map((s) => [s.valid, s.coverage])).toEqual([[true, 'partial'], [true, 'partial'], [true, 'partial']]);
    expect(v.signatures[1].uncoveredBytes).toBe(bad.length - v.signatures[1].revisionEnd);
    expect(v).toMatchObject({ modifiedAfterLastSignature: true, changesAfterLastSignature: ['pageContent'] });
  });
});

/** The issuer's OCSP answer and CRL as they are, even when they say "revoked" (revocation.ts refuses to embed those). */
async function rawRevocation(certDer: Buffer, issuerDer: Buffer) {
  const p = pointersOf(certDer);
  const req = new OCSPRequest();
  await req.createForCertificate(new Certificate({ schema: parseDer(certDer) }), { hashAlgorithm: 'SHA-1', issuerCertificate: new Certificate({ schema: parseDer(issuerDer) }) });
  const ocsp = p.ocsp[0] ? Buffer.from(await (await fetch(p.ocsp[0], { method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' }, body: arrayBufferOf(Buffer.from(req.toSchema(true).toBER(false))) })).arrayBuffer()) : null;
  const crl = p.crl[0] ? Buffer.from(await (await fetch(p.crl[0])).arrayBuffer()) : null;
  return { ocsp, crl, responderCerts: [] };
}

describe('revocation after signing, with the demo CA and its trust services', () => {
  let ts: TrustServices;
  let timestamper: Timestamper;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'revoked-after-'));
    ts = await startTrustServices({ pkiDir: join(dir, 'pki') });
    timestamper = createTimestamper({ url: ts.tsaUrl });
  });
  afterAll(() => ts?.close());

  it('the leader certificate revoked after the e-copy was timestamped: revoked, after signing, the signature stays valid', async () => {
    const keys = { leader: await ts.store.leaderKey({ username: 'lanhdao', fullName: 'Trần Văn Ánh' }), seal: await ts.store.sealKey({ code: '000.03.25.H51', name: AGENCY }) };
    const bt = await sealedAtBT(keys, timestamper);
    await new Promise((r) => setTimeout(r, 1100)); // the revocation is in whole seconds, strictly after the timestamps
    const revocation = await revokeCertificate(ts.store.dir, keys.leader.certPem);
    const lt = await addValidationData(bt, { revocation: rawRevocation, issuers: [new X509Certificate(await ts.store.caCertPem()).raw] });
    const ca = await ts.store.caCertPem();
    const v = verifyPdfSignatures(lt, { trustedCaPems: [ca] });
    const [leader, seal] = v.signatures;
    expect(leader).toMatchObject({ valid: true, chainsToTrustedCa: true, level: 'B-LT', coverage: 'entireRevision' });
    expect(leader.revocation).toMatchObject({ status: 'revoked', revokedAt: revocation.revokedAt, revokedAfterSigning: true, at: leader.timestamp!.time });
    expect(Date.parse(revocation.revokedAt)).toBeGreaterThan(Date.parse(leader.timestamp!.time));
    expect(leader.problems).toEqual([]);
    expect(seal.revocation.status).toBe('good');
    expect(seal.timestamp!.revocation.status).toBe('good');
  }, 60_000);
});

describe('trusted: the CAs of TRUST_ANCHORS', () => {
  it('a file signed by a CA the verification does not know is untrusted; trusted once its CA is in the TRUST_ANCHORS folder', async () => {
    // Another demo CA, in a folder of its own: not the system's.
    const foreign = createFileKeyStore(mkdtempSync(join(tmpdir(), 'foreign-ca-')));
    const system = createFileKeyStore(mkdtempSync(join(tmpdir(), 'system-ca-')));
    const pdf = await sealedAtBT({ leader: await foreign.leaderKey({ username: 'x', fullName: 'Trần Văn Ánh' }), seal: await foreign.sealKey({ code: '1', name: AGENCY }) }, null);
    const anchors = mkdtempSync(join(tmpdir(), 'anchors-'));
    writeFileSync(join(anchors, 'system.pem'), await system.caCertPem());
    const before = verifyPdfSignatures(pdf, { trustedCaPems: loadTrustAnchors(anchors) });
    expect(before.signatures.map((s) => [s.valid, s.chainsToTrustedCa])).toEqual([[true, false], [true, false]]);
    writeFileSync(join(anchors, 'foreign.der'), new X509Certificate(await foreign.caCertPem()).raw);
    const after = verifyPdfSignatures(pdf, { trustedCaPems: loadTrustAnchors(anchors) });
    expect(after.signatures.map((s) => [s.valid, s.chainsToTrustedCa])).toEqual([[true, true], [true, true]]);
  }, 60_000);
});
