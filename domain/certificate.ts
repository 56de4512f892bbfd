// Uploaded certificates (the leader's personal one, the agency's seal): the rules a certificate must meet to sign,
// as pure functions over its facts. Chain and revocation need the network and the trust anchors: the service
// checks them and reports them in the same shape.
import { vnDate } from './vn-time.js';

export type CertificatePurpose = 'personal' | 'seal';
export const CERTIFICATE_PURPOSES: readonly CertificatePurpose[] = ['personal', 'seal'];

/** What the checks read of a certificate (activities/pdf/pkcs12.ts `certificateFacts` makes it). */
export interface CertificateFactsLike {
  notBefore: string;
  notAfter: string;
  keyUsage: string[] | null;
  commonName: string | null;
  organization: string | null;
  organizationalUnits: string[];
  subject: string;
  isCa: boolean;
}

export type CertificateRefusal =
  | 'certificate_not_yet_valid' | 'certificate_expired' | 'certificate_key_usage' | 'certificate_is_ca'
  | 'certificate_agency_not_named' | 'certificate_untrusted' | 'certificate_revoked' | 'certificate_status_unknown';
export type CertificateWarning = 'certificate_holder_name_differs' | 'certificate_status_unknown';

export interface Finding<C extends string> {
  code: C;
  message: string;
}

export interface CertificateJudgement {
  refusals: Finding<CertificateRefusal>[];
  warnings: Finding<CertificateWarning>[];
}

/** Names compared as people read them: Unicode NFC, case and spacing folded (not the diacritics: "Thọ" ≠ "Thổ"). */
export const foldName = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();

/**
 * The rules that need no network: validity at `now`, a key usage that allows signing, not a CA, and whose it is:
 * a personal certificate should name its holder as the user's full name (a warning an administrator may
 * override: names on certificates are sometimes written differently), a seal certificate must name the agency
 * (by name in O or CN, or by its code in any attribute).
 */
export function judgeCertificate(
  facts: CertificateFactsLike,
  o: { purpose: CertificatePurpose; now: Date; holder?: { fullName: string }; agency?: { code: string; name: string } },
): CertificateJudgement {
  const refusals: Finding<CertificateRefusal>[] = [];
  const warnings: Finding<CertificateWarning>[] = [];
  const now = o.now.getTime();
  if (new Date(facts.notBefore).getTime() > now) {
    refusals.push({ code: 'certificate_not_yet_valid', message: `Chứng thư số chưa có hiệu lực (hiệu lực từ ngày ${vnDate(facts.notBefore)}).` });
  }
  if (new Date(facts.notAfter).getTime() < now) {
    refusals.push({ code: 'certificate_expired', message: `Chứng thư số đã hết hạn ngày ${vnDate(facts.notAfter)}: cần chứng thư số còn hiệu lực.` });
  }
  if (facts.keyUsage && !facts.keyUsage.includes('digitalSignature') && !facts.keyUsage.includes('nonRepudiation')) {
    refusals.push({ code: 'certificate_key_usage', message: 'Chứng thư số không dùng để ký số (thiếu mục đích digitalSignature/nonRepudiation).' });
  }
  if (facts.isCa) {
    refusals.push({ code: 'certificate_is_ca', message: 'Đây là chứng thư của tổ chức cung cấp dịch vụ chứng thực (CA), không phải chứng thư ký số.' });
  }
  if (o.purpose === 'personal' && o.holder && foldName(facts.commonName ?? '') !== foldName(o.holder.fullName)) {
    warnings.push({
      code: 'certificate_holder_name_differs',
      message: `Tên chủ chứng thư “${facts.commonName ?? ''}” khác họ tên người dùng “${o.holder.fullName}”: quản trị viên cần xác nhận trước khi dùng.`,
    });
  }
  if (o.purpose === 'seal' && o.agency) {
    const name = foldName(o.agency.name);
    const named = [facts.organization, facts.commonName].some((v) => v && foldName(v) === name)
      || facts.subject.includes(o.agency.code) || facts.organizationalUnits.includes(o.agency.code);
    if (!named) {
      refusals.push({ code: 'certificate_agency_not_named', message: `Chứng thư số không mang tên cơ quan “${o.agency.name}” (hoặc mã ${o.agency.code}): cần chứng thư số của chính cơ quan.` });
    }
  }
  return { refusals, warnings };
}
