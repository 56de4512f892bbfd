// The public verification of e-copies (SPEC §5 "Public"; no login), the use case behind the screens and the JSON
// API: by dossier code, or by the uploaded PDF checked in the PDF pool. Only what is printed on the copy is ever
// shown: agency, document type, certification number and date, register book, the leader's name and title and the
// agency's name. Never the applicant.
import { SEAL_FIELD_NAME } from '../../activities/pdf/seal.js';
import { LEADER_FIELD_NAME } from '../../activities/pdf/sign.js';
import { verifyOffThread } from '../../activities/pdf/pool.js';
import type { KeyStore } from '../../activities/pdf/pki.js';
import type { PdfVerification, SignatureReport } from '../../activities/pdf/verify.js';
import { DomainError } from '../../domain/errors.js';
import { STATUS_LABELS, type DossierStatus } from '../../domain/dossier.js';
import type { Db } from '../../lib/db.js';
import type { DossierView } from '../../domain/dossier.js';
import { RateLimiter } from '../http/rate-limit.js';
import { discard, type UploadedFile, type UploadPolicy } from '../http/upload.js';
import { completedByDetails, completedBySealedSha256, issuedByCode, type VerifiableRow } from './queries.js';

// ---- what the public may see ---------------------------------------------------------------------------------
export interface PublicSigner {
  role: 'leader' | 'agency';
  /** The leader's full name, or the agency's name (the seal). */
  name: string;
  title: string | null;
  signedAt: string;
}

export interface PublicRecord {
  code: string;
  /** A completed dossier with a sealed e-copy. */
  genuine: boolean;
  status: DossierStatus;
  statusLabel: string;
  agency: { code: string; name: string };
  documentType: string;
  certificationNumber: string | null;
  certifiedAt: string | null;
  registerBook: string | null;
  signers: PublicSigner[];
}

/** What the public sees of one signature: a subset of the verifier's report. */
export type PublicSignature = Pick<SignatureReport, 'field' | 'signerCommonName' | 'signingTime' | 'valid' | 'coversWholeDocument' | 'chainsToTrustedCa' | 'problems'>;

export interface UploadVerdict {
  genuine: boolean;
  /** Byte for byte the e-copy the system delivered. */
  identical: boolean;
  /** Leader's signature and seal present, valid, chained to the agency CA; the seal covers the whole file. */
  intact: boolean;
  /** How the dossier was found: by the file's SHA-256, by the certification details it carries, or not at all. */
  matchedBy: 'file' | 'details' | null;
  sha256: string;
  size: number;
  signatures: PublicSignature[];
  modifiedAfterLastSignature: boolean;
  /** Why it is not genuine, in Vietnamese (empty when genuine). */
  reasons: string[];
  dossier: PublicRecord | null;
}

const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NOT_FOUND_MESSAGE = 'Không tìm thấy bản sao điện tử nào có mã chứng thực này. Vui lòng kiểm tra lại mã in trên bản sao.';

type Snapshot = Partial<DossierView>;

function publicRecord(row: VerifiableRow): PublicRecord {
  const s = (row.snapshot ?? {}) as Snapshot;
  const status = row.status as DossierStatus;
  const completed = status === 'completed' && !!s.sealedPdf && !!s.certificationNumber;
  const signers: PublicSigner[] = [];
  if (completed && s.signedBy) signers.push({ role: 'leader', name: s.signedBy.fullName, title: s.signedBy.title ?? null, signedAt: s.signedBy.at });
  if (completed && s.sealedBy) signers.push({ role: 'agency', name: s.agencyName ?? '', title: null, signedAt: s.sealedBy.at });
  return {
    code: row.code,
    genuine: completed,
    status,
    statusLabel: STATUS_LABELS[status] ?? status,
    agency: { code: row.agency_code, name: s.agencyName ?? '' },
    documentType: s.documentType?.name ?? row.document_type_name,
    // Only a completed copy has these printed on it.
    certificationNumber: completed ? s.certificationNumber ?? null : null,
    certifiedAt: completed ? s.sealedBy?.at ?? null : null,
    registerBook: completed ? s.registerBook?.name ?? null : null,
    signers,
  };
}

const publicSignature = (s: SignatureReport): PublicSignature => ({
  field: s.field, signerCommonName: s.signerCommonName, signingTime: s.signingTime, valid: s.valid,
  coversWholeDocument: s.coversWholeDocument, chainsToTrustedCa: s.chainsToTrustedCa, problems: s.problems,
});

// ---- the service -----------------------------------------------------------------------------------------------
const throttledMessage = (seconds: number) => `Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ${seconds} giây.`;

/** The streaming upload policy of a file to verify: a PDF, 30 MB at most. */
export const VERIFY_UPLOAD: UploadPolicy = {
  headBytes: 5,
  checkHead: (head) => (head.toString('latin1') === '%PDF-' ? null
    : new DomainError('bad_file', 'Tệp tải lên không phải là tệp PDF. Vui lòng chọn tệp bản sao điện tử (.pdf).', 'file')),
  tooLarge: () => new DomainError('too_large', 'Tệp tải lên vượt quá dung lượng cho phép (tối đa 30 MB).', 'file'),
};

/** Built once per app (api/app.ts) with the agency CA's key store; the screens and the JSON API share it and its limits. */
export class VerificationService {
  /** Gentle per-address limits, counted together for the screens and the JSON API. */
  readonly limits = { codes: new RateLimiter(30, 60_000, throttledMessage), uploads: new RateLimiter(10, 60_000, throttledMessage) };

  constructor(private readonly db: Db, private readonly keys: Pick<KeyStore, 'caCertPem'>) {}

  /**
   * The public record of an ISSUED e-copy's code (completed, with a sealed e-copy), or null for anything else:
   * an unknown code and a dossier still waiting, returned or cancelled get the same answer from the same one
   * query, so codes (which are sequential) tell the public nothing about dossiers that were not certified.
   */
  async byCode(input: unknown): Promise<PublicRecord | null> {
    const code = typeof input === 'string' ? input.trim() : '';
    if (!CODE_PATTERN.test(code)) return null;
    const row = await issuedByCode(this.db, code);
    return row ? publicRecord(row) : null;
  }

  /** Verifies an uploaded file (its bytes) against the e-copies this system delivered. */
  async byFile(pdf: Buffer | { path: string }): Promise<UploadVerdict> {
    const v = await verifyOffThread(pdf, { trustedCaPems: [await this.keys.caCertPem()] }); // untrusted: in the PDF pool
    let matchedBy: UploadVerdict['matchedBy'] = null;
    let row = await completedBySealedSha256(this.db, v.sha256);
    if (row) matchedBy = 'file';
    else {
      row = await this.byDetails(v);
      if (row) matchedBy = 'details';
    }
    const dossier = row ? publicRecord(row) : null;
    const identical = matchedBy === 'file';

    const reasons: string[] = [];
    if (!v.isPdf) reasons.push('Tệp tải lên không phải là tệp PDF.');
    const leader = v.signatures.find((s) => s.field === LEADER_FIELD_NAME);
    const seal = v.signatures.find((s) => s.field === SEAL_FIELD_NAME);
    if (v.isPdf && !v.signatures.length) reasons.push('Tệp không có chữ ký số nào.');
    else if (v.isPdf && (!leader || !seal)) reasons.push('Tệp không có đủ chữ ký số của lãnh đạo và con dấu số của cơ quan chứng thực.');
    if (v.signatures.some((s) => !s.valid)) reasons.push('Chữ ký số không còn nguyên vẹn: nội dung tệp đã bị thay đổi sau khi ký.');
    if (v.signatures.some((s) => !s.chainsToTrustedCa)) reasons.push('Chữ ký số không do chứng thư số của cơ quan chứng thực trong hệ thống tạo ra.');
    if (v.signatures.some((s) => s.chainsToTrustedCa && !s.certificateValidAtSigningTime)) reasons.push('Chứng thư số không còn hiệu lực tại thời điểm ký.');
    if (v.modifiedAfterLastSignature) reasons.push('Tệp đã bị thêm nội dung sau chữ ký số cuối cùng.');
    if (v.uncheckedSignatures) reasons.push(`Tệp có quá nhiều chữ ký số (${v.signatures.length + v.uncheckedSignatures}); không kiểm tra hết được.`);
    const lastSignature = v.signatures.reduce<SignatureReport | null>((a, s) => (!a || s.revisionEnd > a.revisionEnd ? s : a), null);
    const intact = !!leader && !!seal && lastSignature === seal && seal.coversWholeDocument && !v.modifiedAfterLastSignature && !v.uncheckedSignatures
      && v.signatures.every((s) => s.valid && s.chainsToTrustedCa && s.certificateValidAtSigningTime);
    if (!dossier) reasons.push('Không tìm thấy bản sao điện tử tương ứng trong hệ thống.');
    else if (!identical) reasons.push(`Tệp không trùng khớp với bản sao điện tử đã cấp cho hồ sơ ${dossier.code}.`);
    if (dossier && !dossier.genuine) reasons.push('Hồ sơ tương ứng chưa hoàn thành chứng thực.');
    const genuine = identical && intact && !!dossier?.genuine;
    return {
      genuine, identical, intact, matchedBy, sha256: v.sha256, size: v.size,
      signatures: v.signatures.map(publicSignature), modifiedAfterLastSignature: v.modifiedAfterLastSignature,
      reasons: genuine ? [] : [...new Set(reasons)], dossier,
    };
  }

  /** Verifies an uploaded file, then removes it: nothing uploaded for verification is kept. */
  async byUpload(file: UploadedFile): Promise<UploadVerdict> {
    try {
      return await this.byFile({ path: file.tmpPath });
    } finally {
      await discard(file);
    }
  }

  /** A file that is not byte-identical: find the dossier from the seal it carries (agency, number, book). */
  private async byDetails(v: PdfVerification) {
    for (const s of v.signatures) {
      const m = /số\s+(\S+?),\s*quyển số\s+(.+?)\s*$/u.exec(s.reason ?? '');
      if (!m) continue;
      const agencyCode = s.certificate?.organizationalUnit ?? null;
      const agencyName = s.location ?? s.certificate?.commonName ?? null;
      if (!agencyCode && !agencyName) continue;
      const rows = await completedByDetails(this.db, { certificationNumber: m[1], registerBook: m[2], agencyCode, agencyName });
      if (rows.length === 1) return rows[0];
    }
    return undefined;
  }
}
