// verify.ts against real files made by the project's own sign/seal chain (and by node-forge through
// @signpdf), then tampered with: a changed byte, a changed signature value, an appended tail, a foreign CA; and
// what may be appended after the seal: each after-seal tampering, a DSS, pyHanko's LTV update, a qpdf re-save.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignPdf } from '@signpdf/signpdf';
import { Signer } from '@signpdf/utils';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { makeScanPdf } from './fixtures.js';
import { createFileKeyStore, type KeyMaterial } from './pki.js';
import { SEAL_FIELD_NAME, sealIncremental } from './seal.js';
import { LEADER_FIELD_NAME, prepareAttestation, signWithAttestation } from './sign.js';
import { createTimestamper } from './tsa.js';
import { verifyPdfSignatures, type AfterSignatureChange } from './verify.js';
import { startCertomancer, type Certomancer } from '../../lib/testing/certomancer.js';
import { judgePdf, padesVenv } from '../../lib/testing/pades.js';
import { TAMPERINGS, tamper, type Tampering } from '../../lib/testing/tamper.js';

const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const LEADER = { username: 'lanhdao', fullName: 'Trần Văn Ánh' };
const SIGNED_AT = new Date('2025-06-20T03:10:00Z');
const SEALED_AT = new Date('2025-06-20T08:30:00Z');
const attestation = { agencyName: AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: SIGNED_AT };

let ca: string;
let leaderKey: KeyMaterial, sealKey: KeyMaterial;
let otherCa: string;
let forgedLeader: KeyMaterial, forgedSeal: KeyMaterial;
let scan: Buffer;
let sealed: Buffer;
let signed: Buffer;

async function chain(input: Buffer, keys: { leader: KeyMaterial; seal: KeyMaterial }) {
  const s = await signWithAttestation(input, {
    attestation, signerName: LEADER.fullName, signerTitle: 'PHÓ TRƯỞNG PHÒNG', key: keys.leader, signingTime: SIGNED_AT,
  });
  const copy = Buffer.from(s); // sealIncremental appends, the leader-signed bytes stay as they are
  const z = await sealIncremental(copy, {
    certificationNumber: '12/ĐT', registerBookName: '01/2025/ĐT', sealDate: SEALED_AT, agencyName: AGENCY.name, key: keys.seal,
  });
  return { signed: s, sealed: z };
}

/** An independent, ASCII-named PKI and a @signpdf Signer that builds its CMS with node-forge's pkcs7. */
function forgePki() {
  const keys = () => {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    return { pub: forge.pki.publicKeyFromPem(k.publicKey), priv: forge.pki.privateKeyFromPem(k.privateKey) };
  };
  const cert = (cn: string, k: ReturnType<typeof keys>, issuer: forge.pki.Certificate | null, issuerKey: forge.pki.rsa.PrivateKey, serial: string) => {
    const c = forge.pki.createCertificate();
    c.publicKey = k.pub;
    c.serialNumber = serial;
    c.validity.notBefore = new Date(Date.now() - 86_400_000);
    c.validity.notAfter = new Date(Date.now() + 86_400_000 * 365);
    c.setSubject([{ shortName: 'CN', value: cn }]);
    c.setIssuer(issuer ? issuer.subject.attributes : [{ shortName: 'CN', value: cn }]);
    c.setExtensions([{ name: 'basicConstraints', cA: !issuer }, { name: 'keyUsage', keyCertSign: !issuer, digitalSignature: true }]);
    c.sign(issuerKey, forge.md.sha256.create());
    return c;
  };
  const caKeys = keys();
  const caCert = cert('Other Test CA', caKeys, null, caKeys.priv, '01');
  const leafKeys = keys();
  const leaf = cert('Tran Van Anh', leafKeys, caCert, caKeys.priv, '02');
  class ForgeSigner extends Signer {
    async sign(pdf: Buffer, signingTime?: Date): Promise<Buffer> {
      const p7 = forge.pkcs7.createSignedData();
      p7.content = forge.util.createBuffer(pdf.toString('binary'));
      p7.addCertificate(leaf);
      p7.addCertificate(caCert);
      p7.addSigner({
        key: leafKeys.priv, certificate: leaf, digestAlgorithm: forge.pki.oids.sha256,
        authenticatedAttributes: [
          { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
          { type: forge.pki.oids.messageDigest },
          { type: forge.pki.oids.signingTime, value: (signingTime ?? new Date()) as unknown as string },
        ],
      });
      p7.sign({ detached: true });
      return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    }
  }
  return { caPem: forge.pki.certificateToPem(caCert), signer: new ForgeSigner() };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-verify-'));
  const store = createFileKeyStore(join(dir, 'pki'));
  [leaderKey, sealKey, ca] = await Promise.all([store.leaderKey(LEADER), store.sealKey(AGENCY), store.caCertPem()]);
  // A forger's own CA issuing certificates with the very same names.
  const forger = createFileKeyStore(join(dir, 'forger'));
  [forgedLeader, forgedSeal, otherCa] = await Promise.all([forger.leaderKey(LEADER), forger.sealKey(AGENCY), forger.caCertPem()]);
  scan = await makeScanPdf({ pages: 2, imageBytesPerPage: 20_000 });
  ({ signed, sealed } = await chain(scan, { leader: leaderKey, seal: sealKey }));
}, 60_000);

describe('verifyPdfSignatures', () => {
  it('a genuine sealed copy: two valid signatures chained to the CA, the seal covering the whole file', () => {
    const v = verifyPdfSignatures(sealed, { trustedCaPems: [ca] });
    expect(v.isPdf).toBe(true);
    expect(v.size).toBe(sealed.length);
    expect(v.signatures).toHaveLength(2);
    const [leader, seal] = v.signatures;
    expect(leader).toMatchObject({
      field: LEADER_FIELD_NAME, signerCommonName: LEADER.fullName, signingTime: SIGNED_AT.toISOString(),
      valid: true, coversWholeDocument: false, chainsToTrustedCa: true, certificateValidAtSigningTime: false, subFilter: 'ETSI.CAdES.detached',
      name: LEADER.fullName,
    });
    // The test certificates start "yesterday", so a 2025 signing time is before their validity: said so.
    expect(leader.problems.join(' ')).toMatch(/hiệu lực/);
    expect(seal).toMatchObject({
      field: SEAL_FIELD_NAME, signerCommonName: AGENCY.name, signingTime: SEALED_AT.toISOString(),
      valid: true, coversWholeDocument: true, chainsToTrustedCa: true, location: AGENCY.name,
    });
    expect(seal.reason).toBe('Đóng dấu chứng thực, số 12/ĐT, quyển số 01/2025/ĐT');
    expect(seal.certificate).toMatchObject({ commonName: AGENCY.name, organizationalUnit: AGENCY.code, issuerCommonName: 'CA thử nghiệm - Chứng thực bản sao điện tử' });
    expect(leader.revisionEnd).toBe(signed.length); // the leader signed exactly the first revision
    expect(seal.byteRange[0]).toBe(0);
    expect(v.modifiedAfterLastSignature).toBe(false);
    expect(v.bytesAfterLastSignature).toBe(0);
  });

  it('signed now, the certificates are valid at the signing time and nothing is flagged', async () => {
    const now = new Date();
    const s = await signWithAttestation(scan, { attestation, signerName: LEADER.fullName, signerTitle: 'TRƯỞNG PHÒNG', key: leaderKey, signingTime: now });
    const v = verifyPdfSignatures(s, { trustedCaPems: [ca] });
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0]).toMatchObject({ valid: true, coversWholeDocument: true, chainsToTrustedCa: true, certificateValidAtSigningTime: true, problems: [] });
  });

  it('without a trusted CA the signatures are valid but not chained', () => {
    const v = verifyPdfSignatures(sealed);
    expect(v.signatures.map((s) => [s.valid, s.chainsToTrustedCa])).toEqual([[true, false], [true, false]]);
  });

  it('one byte changed inside the scan breaks both signatures', () => {
    const bad = Buffer.from(sealed);
    const stream = bad.indexOf('stream\n', bad.indexOf('/Subtype /Image'));
    expect(stream).toBeGreaterThan(0);
    expect(stream).toBeLessThan(scan.length);
    bad[stream + 100] ^= 0x01;
    const v = verifyPdfSignatures(bad, { trustedCaPems: [ca] });
    expect(v.signatures).toHaveLength(2);
    for (const s of v.signatures) {
      expect(s.valid).toBe(false);
      expect(s.chainsToTrustedCa).toBe(true); // the certificates themselves are fine
      expect(s.problems.join(' ')).toMatch(/bị thay đổi/);
    }
    expect(v.sha256).not.toBe(verifyPdfSignatures(sealed).sha256);
  });

  it('one byte changed inside the seal update breaks only the seal', () => {
    const bad = Buffer.from(sealed);
    const at = bad.indexOf('/Reason', signed.length); // the seal's dictionary, after the leader's revision
    expect(at).toBeGreaterThan(signed.length);
    bad[at + 1] = 'r'.charCodeAt(0);
    const v = verifyPdfSignatures(bad, { trustedCaPems: [ca] });
    expect(v.signatures.map((s) => s.valid)).toEqual([true, false]);
  });

  it('a changed signature value fails the signature check while the digest still matches', () => {
    const bad = Buffer.from(sealed);
    const seal = verifyPdfSignatures(sealed).signatures[1];
    const lt = seal.byteRange[1];
    // The DER's length from its header (30 82 hh ll), then a hex digit near its end: inside the RSA signature.
    const derLen = 4 + parseInt(bad.subarray(lt + 5, lt + 9).toString('latin1'), 16);
    const pos = lt + 1 + 2 * (derLen - 20);
    bad[pos] = bad[pos] === 0x30 ? 0x31 : 0x30;
    const v = verifyPdfSignatures(bad, { trustedCaPems: [ca] });
    expect(v.signatures[0].valid).toBe(true);
    expect(v.signatures[1].valid).toBe(false);
    expect(v.signatures[1].problems.join(' ')).toMatch(/không khớp với chứng thư/);
  });

  it('an appended tail: signatures stay valid, but the seal no longer covers the file and the tail is reported', () => {
    const tail = Buffer.from('\n% garbage appended after signing\n1 0 obj (x) endobj\n');
    const v = verifyPdfSignatures(Buffer.concat([sealed, tail]), { trustedCaPems: [ca] });
    expect(v.signatures.map((s) => s.valid)).toEqual([true, true]);
    expect(v.signatures.map((s) => s.coversWholeDocument)).toEqual([false, false]);
    expect(v.modifiedAfterLastSignature).toBe(true);
    expect(v.bytesAfterLastSignature).toBe(tail.length);
  });

  it('a file with no signatures, not a PDF, and broken input are reported, never thrown', () => {
    const none = verifyPdfSignatures(scan, { trustedCaPems: [ca] });
    expect(none).toMatchObject({ isPdf: true, signatures: [], modifiedAfterLastSignature: false });
    expect(verifyPdfSignatures(Buffer.from('\x89PNG\r\n\x1a\n not a pdf'), { trustedCaPems: [ca] })).toMatchObject({ isPdf: false, signatures: [] });
    expect(verifyPdfSignatures(Buffer.alloc(0))).toMatchObject({ isPdf: false, signatures: [] });
    // Truncated in the middle of the seal's CMS.
    const cut = verifyPdfSignatures(sealed.subarray(0, signed.length + 800), { trustedCaPems: [ca] });
    expect(cut.signatures.length).toBeGreaterThanOrEqual(1);
    expect(cut.signatures[0].valid).toBe(true);
    expect(cut.signatures.slice(1).every((s) => !s.valid)).toBe(true);
    // A hand-made dictionary with a lying ByteRange and garbage contents.
    const fake = Buffer.concat([scan, Buffer.from(`\n99 0 obj\n<< /Type /Sig /ByteRange [0 10 20 ${scan.length}] /Contents <3082FFFF00> >>\nendobj\n`)]);
    const f = verifyPdfSignatures(fake, { trustedCaPems: [ca] });
    expect(f.signatures).toHaveLength(1);
    expect(f.signatures[0].valid).toBe(false);
    expect(f.signatures[0].problems.length).toBeGreaterThan(0);
  });

  it('a crafted file full of signature dictionaries is bounded: ten checked, the rest counted, quickly', () => {
    const junk = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i + 100} 0 obj\n<< /ByteRange [0 5 9 ${i}] /Contents <00> >>\nendobj\n`).join(''));
    const crafted = Buffer.concat([sealed, junk, Buffer.alloc(8 * 1024 * 1024, 0x20), Buffer.from('/ByteRange [0 1 2 3]\n'.repeat(2000))]);
    const t = performance.now();
    const v = verifyPdfSignatures(crafted, { trustedCaPems: [ca] });
    expect(performance.now() - t).toBeLessThan(5000);
    expect(v.signatures).toHaveLength(10);
    expect(v.signatures.slice(0, 2).map((s) => s.valid)).toEqual([true, true]);
    expect(v.signatures.slice(2).every((s) => !s.valid)).toBe(true);
    expect(v.uncheckedSignatures).toBe(5000 + 2000 + 2 - 10);
  });

  // Hardening #1: public verification is anonymous, so a look-up per reference must not rescan the file.
  it('a crafted file with 30,000 references to a signature (/V n 0 R) verifies in milliseconds, fields intact', () => {
    const n = /\/V (\d+) 0 R/.exec(sealed.toString('latin1'))![1];
    const flood = `\n999 0 obj\n<< /Kids [${` /V ${n} 0 R`.repeat(30_000)} ] >>\nendobj\n`;
    const crafted = Buffer.concat([sealed, Buffer.from(flood)]);
    expect(crafted.length - sealed.length).toBeGreaterThan(270_000);
    const t = performance.now();
    const v = verifyPdfSignatures(crafted, { trustedCaPems: [ca] });
    expect(performance.now() - t).toBeLessThan(2000); // was 10-23 s
    expect(v.signatures.map((s) => [s.field, s.valid, s.chainsToTrustedCa])).toEqual([
      [LEADER_FIELD_NAME, true, true],
      [SEAL_FIELD_NAME, true, true],
    ]);
    expect(v.modifiedAfterLastSignature).toBe(true);
  });

  it('unterminated strings and objects without endobj do not make the look-ups quadratic either', () => {
    const text = sealed.toString('latin1');
    const n = /\/V (\d+) 0 R/.exec(text)![1];
    // One field whose /T is followed by 20,000 unterminated strings, then 20,000 headers that never end.
    const strings = `\n998 0 obj\n<< /V ${n} 0 R ${'/T ( /T <0a '.repeat(20_000)}>>\nendobj\n`;
    const headers = Array.from({ length: 20_000 }, (_, i) => `${1000 + i} 0 obj << /V ${n} 0 R /T `).join('');
    const crafted = Buffer.concat([sealed, Buffer.from(strings), Buffer.from(headers)]);
    const t = performance.now();
    const v = verifyPdfSignatures(crafted, { trustedCaPems: [ca] });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(v.signatures.map((s) => [s.field, s.valid])).toEqual([[LEADER_FIELD_NAME, true], [SEAL_FIELD_NAME, true]]);
  });

  it('a copy re-signed by a forger\'s own CA (same names) is valid but not chained to our CA', async () => {
    const { sealed: forged } = await chain(scan, { leader: forgedLeader, seal: forgedSeal });
    const v = verifyPdfSignatures(forged, { trustedCaPems: [ca] });
    expect(v.signatures.map((s) => [s.field, s.signerCommonName, s.valid, s.chainsToTrustedCa])).toEqual([
      [LEADER_FIELD_NAME, LEADER.fullName, true, false],
      [SEAL_FIELD_NAME, AGENCY.name, true, false],
    ]);
    expect(v.signatures[1].problems.join(' ')).toMatch(/tin cậy/);
    // ...and chained when the forger's CA is the one trusted.
    expect(verifyPdfSignatures(forged, { trustedCaPems: [otherCa] }).signatures.every((s) => s.chainsToTrustedCa)).toBe(true);
  });

  it('PAdES baseline (ETSI.CAdES.detached): no CMS signing-time, the time comes from /M', () => {
    const v = verifyPdfSignatures(sealed, { trustedCaPems: [ca] });
    expect(v.signatures.map((s) => [s.subFilter, s.valid, s.signingTime])).toEqual([
      ['ETSI.CAdES.detached', true, SIGNED_AT.toISOString()],
      ['ETSI.CAdES.detached', true, SEALED_AT.toISOString()],
    ]);
  });

  it('a CMS made by another producer (node-forge pkcs7, through @signpdf) verifies too', async () => {
    // forge garbles UTF-8 names of certificates it re-encodes (see pki.ts), so this PKI is ASCII-named.
    const { caPem, signer } = forgePki();
    const prepared = await prepareAttestation(scan, { attestation, signerName: 'Tran Van Anh', signerTitle: 'TRƯỞNG PHÒNG', signingTime: new Date() });
    const out = await new SignPdf().sign(prepared, signer);
    const v = verifyPdfSignatures(out, { trustedCaPems: [caPem] });
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0]).toMatchObject({ field: LEADER_FIELD_NAME, signerCommonName: 'Tran Van Anh', valid: true, chainsToTrustedCa: true, coversWholeDocument: true });
    expect(verifyPdfSignatures(out, { trustedCaPems: [ca] }).signatures[0]).toMatchObject({ valid: true, chainsToTrustedCa: false });
  });
});

describe('what was appended after the seal, read as a validator reads it', () => {
  let tsa: Certomancer;
  let stamped: Buffer; // signed and sealed with a signature timestamp from an independent TSA
  const trust = () => ({ trustedCaPems: [ca, tsa.rootPem] });
  beforeAll(async () => {
    tsa = await startCertomancer();
    const timestamper = createTimestamper({ url: tsa.tsaUrl });
    const s = await signWithAttestation(scan, { attestation, signerName: LEADER.fullName, signerTitle: 'TRƯỞNG PHÒNG', key: leaderKey, timestamper });
    stamped = await sealIncremental(Buffer.from(s), { timestamper, certificationNumber: '12/ĐT', registerBookName: '01/2025/ĐT', sealDate: new Date(), agencyName: AGENCY.name, key: sealKey });
  }, 60_000);
  afterAll(() => tsa?.stop());

  it('as issued with a TSA: both signatures B-T, each timestamp with its time and authority; nothing appended', () => {
    const v = verifyPdfSignatures(stamped, trust());
    expect(v.signatures.map((s) => [s.kind, s.field, s.valid, s.level, s.timestamp?.authority, s.timestamp?.intact, s.timestamp?.trusted])).toEqual([
      ['signature', LEADER_FIELD_NAME, true, 'B-T', 'Certomancer Test TSA', true, true],
      ['signature', SEAL_FIELD_NAME, true, 'B-T', 'Certomancer Test TSA', true, true],
    ]);
    expect(Math.abs(Date.parse(v.signatures[1].timestamp!.time) - Date.now())).toBeLessThan(120_000);
    expect(v).toMatchObject({ ltvUpdates: 0, changesAfterLastSignature: [], modifiedAfterLastSignature: false, signedRevisionSha256: null, resaved: false });
    // Without the TSA's root the timestamp is intact but not trusted; the signatures are as before.
    expect(verifyPdfSignatures(stamped, { trustedCaPems: [ca] }).signatures.map((s) => [s.chainsToTrustedCa, s.timestamp?.trusted])).toEqual([[true, false], [true, false]]);
  });

  const expected: Record<Exclude<Tampering, 'dss'>, AfterSignatureChange[]> = {
    pageText: ['pageContent'],
    certificationNumber: ['pageContent'],
    annotation: ['annotation'],
    fieldAppearance: ['formField'],
    formField: ['formField', 'pageContent'],
  };
  for (const [kind, what] of Object.entries(TAMPERINGS) as [Exclude<Tampering, 'dss'>, string][]) {
    it(`${what}: the signatures stay valid, the change after the seal is named`, async () => {
      const v = verifyPdfSignatures(await tamper(stamped, kind), trust());
      expect(v.signatures.map((s) => s.valid)).toEqual([true, true]);
      expect(v).toMatchObject({ modifiedAfterLastSignature: true, ltvUpdates: 0 });
      expect(v.changesAfterLastSignature.sort()).toEqual(expected[kind]);
      expect(v.signedRevisionSha256).toBe(createHash('sha256').update(stamped).digest('hex'));
    });
  }

  it('a DSS appended after the seal is one LTV update: not a modification, the issued revision still hashed, B-LT', async () => {
    const v = verifyPdfSignatures(await tamper(stamped, 'dss', [new X509Certificate(ca).raw]), trust());
    expect(v).toMatchObject({ modifiedAfterLastSignature: false, ltvUpdates: 1, changesAfterLastSignature: [], signedRevisionSha256: createHash('sha256').update(stamped).digest('hex') });
    expect(v.signatures.map((s) => [s.valid, s.level])).toEqual([[true, 'B-LT'], [true, 'B-LT']]);
  });

  it("pyHanko's own LTV update (sign ltaupdate: a document timestamp and a DSS) is counted, its document timestamp checked", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltaupdate-'));
    const file = join(dir, 'e-copy.pdf');
    writeFileSync(file, stamped);
    writeFileSync(join(dir, 'ca.pem'), ca);
    writeFileSync(join(dir, 'tsa.pem'), tsa.rootPem);
    execFileSync(join(padesVenv(), 'bin/pyhanko'), ['sign', 'ltaupdate', '--timestamp-url', tsa.tsaUrl, '--trust', join(dir, 'ca.pem'), '--trust', join(dir, 'tsa.pem'), file], { stdio: 'ignore' });
    const updated = readFileSync(file);
    expect(updated.subarray(0, stamped.length).equals(stamped)).toBe(true);
    const v = verifyPdfSignatures(updated, trust());
    expect(v).toMatchObject({ modifiedAfterLastSignature: false, ltvUpdates: 2, changesAfterLastSignature: [], signedRevisionSha256: createHash('sha256').update(stamped).digest('hex') });
    expect(v.signatures.map((s) => [s.kind, s.valid])).toEqual([['signature', true], ['signature', true], ['documentTimestamp', true]]);
    expect(v.signatures[2]).toMatchObject({ subFilter: 'ETSI.RFC3161', chainsToTrustedCa: true, level: null, timestamp: { authority: 'Certomancer Test TSA', intact: true, trusted: true } });
    // The levels are pyHanko's: B-LT (its update stamps the file, then adds the DSS, which no timestamp covers yet).
    expect(v.signatures.slice(0, 2).map((s) => s.level)).toEqual(['B-LT', 'B-LT']);
    expect(judgePdf(updated, [ca, tsa.rootPem]).signatures.slice(0, 2).map((s) => s.level)).toEqual(['B-LT', 'B-LT']);
    // A byte changed inside the document timestamp's range: the update no longer counts.
    const bad = Buffer.from(updated);
    const at = bad.indexOf('/ModDate', stamped.length);
    bad[at + 1] = 'm'.charCodeAt(0);
    const w = verifyPdfSignatures(bad, trust());
    expect(w.signatures[2].valid).toBe(false);
    expect(w.modifiedAfterLastSignature).toBe(true);
  }, 60_000);

  it('a full re-save (qpdf) moves the signed bytes: the signatures say so, and whose they are is still read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resave-'));
    writeFileSync(join(dir, 'in.pdf'), stamped);
    execFileSync('qpdf', [join(dir, 'in.pdf'), join(dir, 'out.pdf')]);
    const v = verifyPdfSignatures(readFileSync(join(dir, 'out.pdf')), trust());
    expect(v.resaved).toBe(true);
    expect(v.signatures.map((s) => [s.valid, s.byteRangeIntact, s.signerCommonName, s.chainsToTrustedCa])).toEqual([
      [false, false, LEADER.fullName, true], [false, false, AGENCY.name, true],
    ]);
    expect(v.signatures.flatMap((s) => s.problems).join(' ')).not.toMatch(/tin cậy/);
  });
});
