import { describe, expect, it } from 'vitest';
import { foldName, judgeCertificate, type CertificateFactsLike } from './certificate.js';

const now = new Date('2026-12-02T05:00:00Z');
const personal: CertificateFactsLike = {
  notBefore: '2026-01-01T00:00:00Z', notAfter: '2028-01-01T00:00:00Z', keyUsage: ['digitalSignature', 'nonRepudiation'],
  commonName: 'Lâm Phước Thọ', organization: null, organizationalUnits: [], subject: 'C=VN, CN=Lâm Phước Thọ', isCa: false,
};
const codes = (j: ReturnType<typeof judgeCertificate>) => ({ refusals: j.refusals.map((f) => f.code), warnings: j.warnings.map((f) => f.code) });

describe('the rules an uploaded certificate meets before it may sign', () => {
  it('accepts a current signing certificate that names its holder, however the name is typed', () => {
    expect(codes(judgeCertificate(personal, { purpose: 'personal', now, holder: { fullName: '  lâm  PHƯỚC thọ ' } }))).toEqual({ refusals: [], warnings: [] });
    // NFD (as macOS sends it) is the same name
    expect(foldName('Lâm Phước Thọ'.normalize('NFD'))).toBe(foldName('Lâm Phước Thọ'));
  });

  it('refuses an expired or not yet valid certificate, naming the date in Vietnamese', () => {
    const expired = judgeCertificate({ ...personal, notAfter: '2026-06-30T17:00:00Z' }, { purpose: 'personal', now });
    expect(expired.refusals[0]).toMatchObject({ code: 'certificate_expired', message: expect.stringContaining('01/07/2026') });
    expect(codes(judgeCertificate({ ...personal, notBefore: '2027-01-01T00:00:00Z' }, { purpose: 'personal', now })).refusals).toEqual(['certificate_not_yet_valid']);
  });

  it('refuses a key that may not sign, and a CA certificate', () => {
    expect(codes(judgeCertificate({ ...personal, keyUsage: ['keyEncipherment'] }, { purpose: 'personal', now })).refusals).toEqual(['certificate_key_usage']);
    expect(codes(judgeCertificate({ ...personal, keyUsage: ['nonRepudiation'] }, { purpose: 'personal', now })).refusals).toEqual([]);
    expect(codes(judgeCertificate({ ...personal, keyUsage: null }, { purpose: 'personal', now })).refusals).toEqual([]);
    expect(codes(judgeCertificate({ ...personal, isCa: true }, { purpose: 'personal', now })).refusals).toEqual(['certificate_is_ca']);
  });

  it('warns when the holder is someone else by name (diacritics count)', () => {
    const j = judgeCertificate(personal, { purpose: 'personal', now, holder: { fullName: 'Lâm Phước Thổ' } });
    expect(codes(j)).toEqual({ refusals: [], warnings: ['certificate_holder_name_differs'] });
    expect(j.warnings[0].message).toContain('quản trị viên cần xác nhận');
  });

  it('wants a seal certificate to name the agency, by name or by code', () => {
    const agency = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành' };
    const org = { ...personal, commonName: 'Phòng Tư pháp - UBND Huyện Châu Thành', organization: 'UBND Huyện Châu Thành', subject: 'CN=Phòng Tư pháp - UBND Huyện Châu Thành' };
    expect(codes(judgeCertificate(org, { purpose: 'seal', now, agency })).refusals).toEqual([]);
    expect(codes(judgeCertificate({ ...org, commonName: 'X', subject: 'CN=X, OU=000.03.25.H51' }, { purpose: 'seal', now, agency })).refusals).toEqual([]);
    const other = judgeCertificate({ ...org, commonName: 'Phòng Tư pháp - UBND Huyện Khác', subject: 'CN=Phòng Tư pháp - UBND Huyện Khác' }, { purpose: 'seal', now, agency });
    expect(codes(other).refusals).toEqual(['certificate_agency_not_named']);
  });
});
