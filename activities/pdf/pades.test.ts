// The e-copy as an auditor's validator sees it: pyHanko (lib/testing/pades.ts), not our code, judges each
// signature's integrity, trust, coverage, what was changed after it, and the PAdES baseline level reached.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgePdf } from '../../lib/testing/pades.js';
import { makeScanPdf } from './fixtures.js';
import { createFileKeyStore, type KeyMaterial } from './pki.js';
import type { SubFilter } from './placeholder.js';
import { sealIncremental } from './seal.js';
import { signWithAttestation } from './sign.js';

const LEADER = { username: 'lanhdao', fullName: 'Trần Văn Ánh' };
const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
let leaderKey: KeyMaterial;
let sealKey: KeyMaterial;
let ca: string;
let scan: Buffer;

beforeAll(async () => {
  const store = createFileKeyStore(join(mkdtempSync(join(tmpdir(), 'pades-')), 'pki'));
  [leaderKey, sealKey, ca] = await Promise.all([store.leaderKey(LEADER), store.sealKey(AGENCY), store.caCertPem()]);
  scan = await makeScanPdf({ pages: 2 });
});

async function eCopy(subFilter?: SubFilter) {
  const signed = await signWithAttestation(scan, {
    subFilter, signerName: LEADER.fullName, signerTitle: 'TRƯỞNG PHÒNG', key: leaderKey,
    attestation: { agencyName: AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  });
  return sealIncremental(signed, { subFilter, certificationNumber: '12/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: AGENCY.name, key: sealKey });
}

describe('e-copies judged by pyHanko', () => {
  it('ETSI.CAdES.detached with signing-certificate-v2 and no signing-time attribute: both signatures PAdES B-B, intact and trusted', async () => {
    const j = judgePdf(await eCopy('ETSI.CAdES.detached'), [ca]);
    expect(j.signatures.map((s) => [s.field, s.signer, s.level, s.intact, s.valid, s.trusted])).toEqual([
      ['ChuKyLanhDao', LEADER.fullName, 'B-B', true, true, true],
      ['DauCoQuan', AGENCY.name, 'B-B', true, true, true],
    ]);
    expect(j.signatures[0].signedAttributes).toEqual(expect.arrayContaining(['signing_certificate_v2']));
    expect(j.signatures[0].signedAttributes).not.toContain('signing_time');
    expect(j.signatures[1].coverage).toBe('ENTIRE_FILE');
  });

  it('adbe.pkcs7.detached with a CMS signing-time is not PAdES at all, however valid', async () => {
    const j = judgePdf(await eCopy('adbe.pkcs7.detached'), [ca]);
    expect(j.signatures.map((s) => [s.level, s.valid, s.trusted])).toEqual([['none', true, true], ['none', true, true]]);
  });

  it('a signature from a CA the validator does not trust is intact but not trusted', async () => {
    const other = await createFileKeyStore(join(mkdtempSync(join(tmpdir(), 'pades-other-')), 'pki')).caCertPem();
    const j = judgePdf(await eCopy('ETSI.CAdES.detached'), [other]);
    expect(j.signatures.map((s) => [s.intact, s.trusted, s.bottomLine])).toEqual([[true, false, false], [true, false, false]]);
  });
});
