// The e-copy as an auditor's validator sees it: pyHanko (lib/testing/pades.ts), not our code, judges each
// signature's integrity, trust, coverage, what was changed after it, and the PAdES baseline level reached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { startCertomancer, type Certomancer } from '../../lib/testing/certomancer.js';
import { judgePdf } from '../../lib/testing/pades.js';
import { changeFieldValue, formScan, TAMPERINGS, tamper, type Tampering } from '../../lib/testing/tamper.js';
import { makeScanPdf } from './fixtures.js';
import { createFileKeyStore, type KeyMaterial } from './pki.js';
import { sealIncremental } from './seal.js';
import { signWithAttestation } from './sign.js';
import { createTimestamper, type Timestamper } from './tsa.js';

const LEADER = { username: 'lanhdao', fullName: 'Trần Văn Ánh' };
const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
let leaderKey: KeyMaterial;
let sealKey: KeyMaterial;
let ca: string;
let scan: Buffer;
let tsa: Certomancer;

beforeAll(async () => {
  const store = createFileKeyStore(join(mkdtempSync(join(tmpdir(), 'pades-')), 'pki'));
  [leaderKey, sealKey, ca, tsa] = await Promise.all([store.leaderKey(LEADER), store.sealKey(AGENCY), store.caCertPem(), startCertomancer()]);
  scan = await makeScanPdf({ pages: 2 });
}, 60_000);
afterAll(() => tsa?.stop());

async function eCopy(timestamper?: Timestamper, from = scan) {
  const signed = await signWithAttestation(from, {
    timestamper, signerName: LEADER.fullName, signerTitle: 'TRƯỞNG PHÒNG', key: leaderKey,
    attestation: { agencyName: AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  });
  return sealIncremental(Buffer.from(signed), { timestamper, certificationNumber: '12/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: AGENCY.name, key: sealKey });
}

describe('e-copies judged by pyHanko', () => {
  it('without a TSA: ETSI.CAdES.detached with signing-certificate-v2 and no signing-time attribute, both signatures PAdES B-B, intact and trusted', async () => {
    const j = judgePdf(await eCopy(), [ca]);
    expect(j.signatures.map((s) => [s.field, s.signer, s.level, s.intact, s.valid, s.trusted])).toEqual([
      ['ChuKyLanhDao', LEADER.fullName, 'B-B', true, true, true],
      ['DauCoQuan', AGENCY.name, 'B-B', true, true, true],
    ]);
    expect(j.signatures[0].signedAttributes).toEqual(expect.arrayContaining(['signing_certificate_v2']));
    expect(j.signatures[0].signedAttributes).not.toContain('signing_time');
    expect(j.signatures[1].coverage).toBe('ENTIRE_FILE');
  });

  it('with an independent TSA (certomancer): both signatures PAdES B-T, each with a valid timestamp from that TSA', async () => {
    const before = Date.now();
    const pdf = await eCopy(createTimestamper({ url: tsa.tsaUrl }));
    const j = judgePdf(pdf, [ca, tsa.rootPem]);
    expect(j.signatures.map((s) => [s.field, s.level, s.intact, s.trusted, s.unsignedAttributes])).toEqual([
      ['ChuKyLanhDao', 'B-T', true, true, ['signature_time_stamp_token']],
      ['DauCoQuan', 'B-T', true, true, ['signature_time_stamp_token']],
    ]);
    for (const s of j.signatures) {
      expect(s.timestamp).toMatchObject({ intact: true, valid: true, trusted: true });
      expect(s.timestamp!.authority).toMatch(/Certomancer Test TSA/);
      expect(Math.abs(Date.parse(s.timestamp!.time) - before)).toBeLessThan(120_000);
    }
    // The timestamp is only as good as its TSA: not trusting certomancer's root leaves the signatures at B-B at best.
    const untrusted = judgePdf(pdf, [ca]);
    expect(untrusted.signatures.map((s) => s.timestamp?.trusted)).toEqual([false, false]);
  }, 60_000);

  it('a signature from a CA the validator does not trust is intact but not trusted', async () => {
    const other = await createFileKeyStore(join(mkdtempSync(join(tmpdir(), 'pades-other-')), 'pki')).caCertPem();
    const j = judgePdf(await eCopy(), [other]);
    expect(j.signatures.map((s) => [s.intact, s.trusted, s.bottomLine])).toEqual([[true, false, false], [true, false, false]]);
  });
});

describe('locked after the seal (DocMDP on the leader\'s signature, a field lock on the seal)', () => {
  let sealed: Buffer;
  beforeAll(async () => { sealed = await eCopy(); });
  const verdicts = (pdf: Buffer) => judgePdf(pdf, [ca]).signatures.map((s) => ({ field: s.field, ok: s.bottomLine, change: s.modificationLevel ?? s.error }));

  it("the leader's signature certifies the e-copy (forms and signing allowed), the seal locks every field; as issued both are valid", () => {
    const j = judgePdf(sealed, [ca]);
    expect(j.signatures.map((s) => [s.field, s.mdpLevel, s.fieldLock, s.bottomLine])).toEqual([
      ['ChuKyLanhDao', 2, null, true], // certification, P 2
      ['DauCoQuan', 1, '/Include', true], // locks the fields there are (all of them), P 1: nothing after it but LTV data
    ]);
    expect(j.signatures[0].modificationLevel).toBe('FORM_FILLING'); // the seal filled the field made for it
  });

  for (const [kind, what] of Object.entries(TAMPERINGS) as [Exclude<Tampering, 'dss'>, string][]) {
    it(`flags ${what} appended after the seal`, async () => {
      const v = verdicts(await tamper(sealed, kind));
      expect(v[1], 'the seal, the whole-document signature').toEqual({ field: 'DauCoQuan', ok: false, change: 'OTHER' });
    });
  }

  it('flags a changed value of a form field that the original carried', async () => {
    const e = await eCopy(undefined, await formScan());
    expect(verdicts(e).map((v) => v.ok)).toEqual([true, true]);
    const v = verdicts(await changeFieldValue(e));
    expect(v[1]).toEqual({ field: 'DauCoQuan', ok: false, change: 'OTHER' });
  });

  it('allows long-term validation data (a DSS) added after the seal', async () => {
    const v = verdicts(await tamper(sealed, 'dss', [new X509Certificate(ca).raw]));
    expect(v).toEqual([
      { field: 'ChuKyLanhDao', ok: true, change: 'FORM_FILLING' },
      { field: 'DauCoQuan', ok: true, change: 'LTA_UPDATES' },
    ]);
  });

  it('an original that carries a signature already is not certified again (DocMDP must come first); the seal still locks', async () => {
    const e = await eCopy(undefined, sealed);
    const j = judgePdf(e, [ca]);
    // (the original's own signatures no longer hold: its certification forbids the attestation page we add)
    expect(j.signatures.slice(2).map((s) => [s.field, s.mdpLevel, s.fieldLock, s.bottomLine])).toEqual([
      ['ChuKyLanhDao_2', null, null, true], ['DauCoQuan_2', 1, '/Include', true],
    ]);
    expect(verdicts(await tamper(e, 'annotation')).at(-1)).toEqual({ field: 'DauCoQuan_2', ok: false, change: 'OTHER' });
  });
});
