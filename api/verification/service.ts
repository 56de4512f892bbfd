// The public verification of e-copies (SPEC §5 "Public"; no login), the use case behind the screens and the JSON
// API: by dossier code, or by the uploaded PDF checked in the PDF pool. Only what is printed on the copy is ever
// shown: agency, document type, certification number and date, register book, the leader's name and title and the
// agency's name. Never the applicant.
import { SEAL_FIELD_NAME } from '../../activities/pdf/seal.js';
import { LEADER_FIELD_NAME } from '../../activities/pdf/sign.js';
import { verifyOffThread } from '../../activities/pdf/pool.js';
import type { KeyStore } from '../../activities/pdf/pki.js';
import { CertificateRevokedError, revocationOf, RevocationUnavailableError } from '../../activities/pdf/revocation.js';
import { loadTrustAnchors, trustedCaPems } from '../../activities/pdf/trust-anchors.js';
import type {
  AfterSignatureChange, Coverage, PadesLevel, PdfVerification, RevocationReport, SignatureReport, TimestampReport,
} from '../../activities/pdf/verify.js';
import { DomainError } from '../../domain/errors.js';
import { STATUS_LABELS, type DossierStatus } from '../../domain/dossier.js';
import type { Config } from '../../lib/config.js';
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

/** What the public sees of one signature: a subset of the verifier's report, and the same facts named for issue 8. */
export type PublicSignature = Pick<SignatureReport, 'field' | 'signerCommonName' | 'signingTime' | 'valid' | 'coversWholeDocument' | 'chainsToTrustedCa' | 'problems' | 'uncoveredBytes'> & {
  /** The leader's signature, the agency seal, a document timestamp (long-term validation), or null for another. */
  role: 'leader' | 'seal' | 'documentTimestamp' | null;
  /** CN of the signer's (or the TSA's) certificate. */
  signer: string | null;
  /** Its ByteRange, digest and signature hold. */
  intact: boolean;
  /** Its certificate chains to a trust anchor (TRUST_ANCHORS; in demo mode also the system's test CA). */
  trusted: boolean;
  /** The signer certificate's revocation status at the signature's timestamped time. */
  revocation: RevocationReport;
  /** What it covers: the whole file, its revision with only allowed updates after it, or part of the file. */
  coverage: Coverage;
  /** The signature-time-stamp (or the document timestamp itself): when, and by which time-stamping authority. */
  timestamp: PublicTimestamp | null;
  level: PadesLevel | null;
};

export type PublicTimestamp = Pick<TimestampReport, 'time' | 'authority' | 'trusted' | 'intact' | 'imprintMatches' | 'revocation'>;

export interface UploadVerdict {
  genuine: boolean;
  /** Byte for byte the e-copy the system delivered. */
  identical: boolean;
  /** Leader's signature and seal present, valid, chained to the agency CA; the seal covers the whole file. */
  intact: boolean;
  /** The file starts with the issued e-copy's bytes (identical, or the issued e-copy extended by LTV updates). */
  containsIssuedRevision: boolean;
  /** How the dossier was found: by the file's SHA-256, by the SHA-256 of its last signed revision (the issued
   *  e-copy with updates appended), by the certification details it carries, or not at all. */
  matchedBy: 'file' | 'issuedRevision' | 'details' | null;
  sha256: string;
  size: number;
  signatures: PublicSignature[];
  /** Something other than LTV updates (a DSS, document timestamps) was added after the last signature. */
  modifiedAfterLastSignature: boolean;
  /** LTV updates appended after the seal (validation data, document timestamps): allowed, still genuine. */
  ltvUpdates: number;
  /** The seal's signature timestamp, if any. */
  timestamp: PublicTimestamp | null;
  /** The seal's PAdES level. */
  level: PadesLevel | null;
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

const roleOf = (s: SignatureReport): PublicSignature['role'] =>
  s.kind === 'documentTimestamp' ? 'documentTimestamp' : s.field === LEADER_FIELD_NAME ? 'leader' : s.field === SEAL_FIELD_NAME ? 'seal' : null;
const publicTimestamp = (s: SignatureReport | undefined): PublicTimestamp | null => {
  const t = s?.timestamp;
  return t ? { time: t.time, authority: t.authority, trusted: t.trusted, intact: t.intact, imprintMatches: t.imprintMatches, revocation: t.revocation } : null;
};

const publicSignature = (s: SignatureReport): PublicSignature => ({
  field: s.field, signerCommonName: s.signerCommonName, signingTime: s.signingTime, valid: s.valid,
  coversWholeDocument: s.coversWholeDocument, chainsToTrustedCa: s.chainsToTrustedCa, problems: s.problems,
  role: roleOf(s), signer: s.signerCommonName, intact: s.valid, trusted: s.chainsToTrustedCa,
  revocation: s.revocation, coverage: s.coverage, uncoveredBytes: s.uncoveredBytes, timestamp: publicTimestamp(s), level: s.level,
});

/** The online look-up's time limit per request (OCSP, then the CRL): the verdict answers in seconds, whatever the services do. */
export const ONLINE_REVOCATION_TIMEOUT_MS = 2500;

export interface VerificationOptions {
  /** CA certificates (PEM) of TRUST_ANCHORS, for signers and TSAs. */
  trustAnchors?: string[];
  /** Trust the key store's own CA as well (demo mode: the test CA). */
  trustSystemCa?: boolean;
  /** When a file carries no revocation data, ask the issuer's OCSP responder / CRL (VERIFY_REVOCATION_ONLINE). */
  onlineRevocation?: { timeoutMs?: number } | null;
}

/** What a change after the seal is, in words a reader of the verdict knows. */
const CHANGE_LABELS: Record<Exclude<AfterSignatureChange, 'unknown'>, string> = {
  pageContent: 'nội dung trang',
  annotation: 'chú thích',
  formField: 'trường biểu mẫu',
  invalidTimestamp: 'dấu thời gian tài liệu không hợp lệ',
};

/** Why the additions after the last signature make the file not genuine. */
function changeReasons(changes: AfterSignatureChange[]): string[] {
  const known = changes.filter((c): c is Exclude<AfterSignatureChange, 'unknown'> => c !== 'unknown').map((c) => CHANGE_LABELS[c]);
  const out = known.length ? [`Có thay đổi sau khi đóng dấu: ${known.join(', ')}.`] : [];
  if (!known.length || changes.includes('unknown')) out.push('Có nội dung được thêm sau chữ ký số cuối cùng.');
  return out;
}

/** The options from the configuration: TRUST_ANCHORS read now (a bad file refuses the start), the test CA trusted in
 *  demo mode only, the online look-up when VERIFY_REVOCATION_ONLINE=on. */
export function verificationOptions(config: Pick<Config, 'mode' | 'trustAnchorsDir' | 'verifyRevocationOnline'>): VerificationOptions {
  return {
    trustAnchors: config.trustAnchorsDir ? loadTrustAnchors(config.trustAnchorsDir) : [],
    trustSystemCa: config.mode === 'demo',
    onlineRevocation: config.verifyRevocationOnline ? { timeoutMs: ONLINE_REVOCATION_TIMEOUT_MS } : null,
  };
}

// ---- revocation looked up online -------------------------------------------------------------------------------
const NO_DATA_IN_FILE = 'Tệp không chứa dữ liệu thu hồi cho chứng thư số này.';

/** The issuer's current answer, as of the signature's time: "not revoked now" also means not revoked then. */
async function onlineStatus(r: RevocationReport, chain: string[], timeoutMs: number): Promise<RevocationReport> {
  const [cert, issuer] = chain.map((b) => Buffer.from(b, 'base64'));
  const base = { ...r, online: true };
  try {
    const info = await revocationOf(cert, issuer, { timeoutMs });
    if (!info) return { ...base, reason: `${NO_DATA_IN_FILE} Chứng thư số không chỉ ra dịch vụ tra cứu tình trạng thu hồi (OCSP/CRL).` };
    return { ...base, status: 'good', source: info.ocsp ? 'ocsp' : 'crl', evidenceTime: new Date().toISOString(), reason: null };
  } catch (e) {
    if (e instanceof CertificateRevokedError) {
      const at = r.at ? Date.parse(r.at) : null;
      return {
        ...base, status: 'revoked', source: 'ocsp', evidenceTime: new Date().toISOString(), reason: null,
        revokedAt: e.revokedAt?.toISOString() ?? null, revokedAfterSigning: at !== null && !!e.revokedAt && e.revokedAt.getTime() > at,
      };
    }
    const why = e instanceof RevocationUnavailableError
      ? { timeout: 'không trả lời kịp', unreachable: 'không kết nối được', http: 'trả lỗi', malformed: 'trả dữ liệu hỏng', invalid: 'trả câu trả lời không hợp lệ' }[e.reason]
      : 'lỗi không xác định';
    return { ...base, reason: `${NO_DATA_IN_FILE} Dịch vụ tra cứu của tổ chức cấp ${why}.` };
  }
}

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

  private readonly options: Required<VerificationOptions>;

  constructor(private readonly db: Db, private readonly keys: Pick<KeyStore, 'caCertPem'>, options: VerificationOptions = {}) {
    this.options = { trustAnchors: options.trustAnchors ?? [], trustSystemCa: options.trustSystemCa ?? true, onlineRevocation: options.onlineRevocation ?? null };
  }

  /** The CAs the verification trusts: TRUST_ANCHORS, and the system's CA when so configured. */
  async trustedCaPems(): Promise<string[]> {
    return trustedCaPems({ anchors: this.options.trustAnchors, systemCaPem: this.options.trustSystemCa ? await this.keys.caCertPem() : null });
  }

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
    const v = await verifyOffThread(pdf, { trustedCaPems: await this.trustedCaPems() }); // untrusted: in the PDF pool
    if (this.options.onlineRevocation) await this.lookUpOnline(v, this.options.onlineRevocation.timeoutMs ?? ONLINE_REVOCATION_TIMEOUT_MS);
    let matchedBy: UploadVerdict['matchedBy'] = null;
    let row = await completedBySealedSha256(this.db, [v.sha256]);
    if (row) matchedBy = 'file';
    // The issued e-copy (or a renewal of it) with LTV updates appended: it ends where one of the revisions does.
    else if ((row = await completedBySealedSha256(this.db, v.revisionSha256s))) matchedBy = 'issuedRevision';
    else {
      row = await this.byDetails(v);
      if (row) matchedBy = 'details';
    }
    const dossier = row ? publicRecord(row) : null;
    const identical = matchedBy === 'file';
    const containsIssuedRevision = identical || matchedBy === 'issuedRevision';

    const reasons: string[] = [];
    if (!v.isPdf) reasons.push('Tệp tải lên không phải là tệp PDF.');
    const signatures = v.signatures.filter((s) => s.kind === 'signature');
    const timestamps = v.signatures.filter((s) => s.kind === 'documentTimestamp');
    const leader = signatures.find((s) => s.field === LEADER_FIELD_NAME);
    const seal = signatures.find((s) => s.field === SEAL_FIELD_NAME);
    if (v.isPdf && !signatures.length) reasons.push('Tệp không có chữ ký số nào.');
    else if (v.isPdf && (!leader || !seal)) reasons.push('Tệp không có đủ chữ ký số của lãnh đạo và con dấu số của cơ quan chứng thực.');
    // A re-saved file: its signatures are still there, but the bytes they signed were rewritten elsewhere.
    if (v.resaved) reasons.push('Tệp đã được lưu lại bằng phần mềm khác nên chữ ký số không còn khớp với nội dung tệp.');
    if (signatures.some((s) => !s.valid && s.byteRangeIntact)) reasons.push('Chữ ký số không còn nguyên vẹn: nội dung tệp đã bị thay đổi sau khi ký.');
    if (signatures.some((s) => !s.valid && !s.byteRangeIntact) && !v.resaved) reasons.push('Chữ ký số không còn nguyên vẹn: vùng ký không khớp với tệp.');
    // "Not made by the system's CA" only of a certificate that was read and does not chain to it.
    if (signatures.some((s) => s.certificate && !s.chainsToTrustedCa)) reasons.push('Chữ ký số không do chứng thư số của cơ quan chứng thực trong hệ thống tạo ra.');
    if (signatures.some((s) => !s.certificate && s.byteRangeIntact && s.problems.length)) reasons.push('Không đọc được chứng thư số của người ký trong chữ ký số.');
    if (signatures.some((s) => s.chainsToTrustedCa && !s.certificateValidAtSigningTime)) reasons.push('Chứng thư số không còn hiệu lực tại thời điểm ký.');
    if (timestamps.some((s) => !s.valid)) reasons.push('Dấu thời gian tài liệu không hợp lệ.');
    // Revoked before it signed (a revocation after the timestamped time leaves the signature valid).
    const revokedBefore = (r: RevocationReport | undefined) => r?.status === 'revoked' && r.revokedAfterSigning !== true;
    if (signatures.some((s) => revokedBefore(s.revocation))) reasons.push('Chứng thư số của người ký đã bị thu hồi trước thời điểm ký.');
    if (signatures.some((s) => revokedBefore(s.timestamp?.revocation))) reasons.push('Chứng thư số của đơn vị cấp dấu thời gian đã bị thu hồi trước thời điểm cấp dấu thời gian.');
    if (v.modifiedAfterLastSignature) reasons.push(...(v.changesAfterLastSignature.length ? changeReasons(v.changesAfterLastSignature) : ['Tệp đã bị thêm nội dung sau chữ ký số cuối cùng.']));
    if (v.uncheckedSignatures) reasons.push(`Tệp có quá nhiều chữ ký số (${v.signatures.length + v.uncheckedSignatures}); không kiểm tra hết được.`);
    const lastSignature = signatures.reduce<SignatureReport | null>((a, s) => (!a || s.revisionEnd > a.revisionEnd ? s : a), null);
    // After the seal only LTV updates (counted in ltvUpdates), never anything else.
    const intact = !!leader && !!seal && lastSignature === seal && seal.byteRangeIntact && !v.modifiedAfterLastSignature && !v.uncheckedSignatures
      && (seal.coversWholeDocument || v.ltvUpdates > 0)
      && signatures.every((s) => s.valid && s.chainsToTrustedCa && s.certificateValidAtSigningTime && !revokedBefore(s.revocation) && !revokedBefore(s.timestamp?.revocation))
      && timestamps.every((s) => s.valid);
    if (!dossier) reasons.push('Không tìm thấy bản sao điện tử tương ứng trong hệ thống.');
    else if (!containsIssuedRevision) reasons.push(`Tệp không trùng khớp với bản sao điện tử đã cấp cho hồ sơ ${dossier.code}.`);
    if (dossier && !dossier.genuine) reasons.push('Hồ sơ tương ứng chưa hoàn thành chứng thực.');
    const genuine = containsIssuedRevision && intact && !!dossier?.genuine;
    return {
      genuine, identical, intact, containsIssuedRevision, matchedBy, sha256: v.sha256, size: v.size,
      signatures: v.signatures.map(publicSignature), modifiedAfterLastSignature: v.modifiedAfterLastSignature,
      ltvUpdates: v.ltvUpdates, timestamp: publicTimestamp(seal), level: seal?.level ?? null,
      reasons: genuine ? [] : [...new Set(reasons)], dossier,
    };
  }

  /**
   * For each certificate the file gives no revocation data for, asks its issuer's OCSP responder / CRL, each request
   * within `timeoutMs` and all of them together within a bound: an unreachable service leaves 'unknown', with the
   * reason. Only for certificates that chain to a trust anchor: the addresses of an untrusted certificate are the
   * uploader's, and the server does not fetch them.
   */
  private async lookUpOnline(v: PdfVerification, timeoutMs: number): Promise<void> {
    const targets: { target: { revocation: RevocationReport }; chain: string[] }[] = [];
    for (const s of v.signatures) {
      if (s.chainsToTrustedCa) targets.push({ target: s, chain: s.chain });
      if (s.timestamp?.trusted && s.kind === 'signature') targets.push({ target: s.timestamp, chain: s.timestamp.chain });
    }
    const pending = targets.filter((t) => t.target.revocation.status === 'unknown' && t.chain.length >= 2);
    const bound = 2 * timeoutMs + 500;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, bound); });
    await Promise.race([late, Promise.all(pending.map(async (t) => { t.target.revocation = await onlineStatus(t.target.revocation, t.chain, timeoutMs); }))]);
    clearTimeout(timer);
    for (const t of pending) {
      if (t.target.revocation.status === 'unknown' && !t.target.revocation.online) {
        t.target.revocation = { ...t.target.revocation, online: true, reason: `${NO_DATA_IN_FILE} Không tra cứu được dịch vụ của tổ chức cấp trong ${bound / 1000} giây.` };
      }
    }
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
