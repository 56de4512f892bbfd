// The e-copy as an auditor's validator sees it: pyHanko (lib/testing/pades.ts), not our code, judges each
// signature's integrity, trust, coverage, what was changed after it, and the PAdES baseline level reached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCertomancer, type Certomancer } from '../../lib/testing/certomancer.js';
import { judgePdf } from '../../lib/testing/pades.js';
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

async function eCopy(timestamper?: Timestamper) {
  const signed = await signWithAttestation(scan, {
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
