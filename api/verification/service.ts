// Public verification of e-copies (no login): by dossier code, or by uploading the PDF (SPEC §5 "Public").
// Screens: GET /xac-thuc (code form and result), POST /xac-thuc (multipart upload, CSRF-checked).
// JSON: GET /api/v1/verify/{dossierCode}, POST /api/v1/verify (multipart `file`), mounted before the token check.
// Only what is printed on the copy is ever shown: agency, document type, certification number and date,
// register book, the leader's name and title and the agency's name. Never the applicant.
import express, { type Request, type Response } from 'express';
import path from 'node:path';
import { sql } from 'kysely';
import { createFileKeyStore } from '../../activities/pdf/pki.js';
import { SEAL_FIELD_NAME } from '../../activities/pdf/seal.js';
import { LEADER_FIELD_NAME } from '../../activities/pdf/sign.js';
import { verifyOffThread } from '../../activities/pdf/pool.js';
import type { PdfVerification, SignatureReport } from '../../activities/pdf/verify.js';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import { STATUS_LABELS, type DossierStatus } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import type { DossierView } from '../../workflows/messages.js';
import type { AppDeps } from '../app.js';
import { discard, MAX_SCAN_BYTES, parseFormUpload, parseMultipart, type UploadedFile, type UploadPolicy } from '../http/upload.js';

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

function publicRecord(row: { code: string; status: string; agency_code: string; document_type_name: string; snapshot: unknown }): PublicRecord {
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
export class VerificationService {
  constructor(private readonly db: Db, private readonly trustedCaPem: () => Promise<string>) {}

  private rows() {
    return this.db.selectFrom('dossiers').select(['code', 'status', 'agency_code', 'document_type_name', 'snapshot']);
  }

  /**
   * The public record of an ISSUED e-copy's code (completed, with a sealed e-copy), or null for anything else:
   * an unknown code and a dossier still waiting, returned or cancelled get the same answer from the same one
   * query, so codes (which are sequential) tell the public nothing about dossiers that were not certified.
   */
  async byCode(input: unknown): Promise<PublicRecord | null> {
    const code = typeof input === 'string' ? input.trim() : '';
    if (!CODE_PATTERN.test(code)) return null;
    const row = await this.rows().where('code', '=', code).where('status', '=', 'completed')
      .where('certification_number', 'is not', null).where(sql<string>`snapshot->'sealedPdf'->>'sha256'`, 'is not', null).executeTakeFirst();
    return row ? publicRecord(row) : null;
  }

  /** Verifies an uploaded file (its bytes) against the e-copies this system delivered. */
  async byFile(pdf: Buffer | { path: string }): Promise<UploadVerdict> {
    const v = await verifyOffThread(pdf, { trustedCaPems: [await this.trustedCaPem()] }); // untrusted: in the PDF pool
    let matchedBy: UploadVerdict['matchedBy'] = null;
    let row = await this.rows().where('status', '=', 'completed')
      .where(sql<string>`snapshot->'sealedPdf'->>'sha256'`, '=', v.sha256).executeTakeFirst();
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

  /** A file that is not byte-identical: find the dossier from the seal it carries (agency, number, book). */
  private async byDetails(v: PdfVerification) {
    for (const s of v.signatures) {
      const m = /số\s+(\S+?),\s*quyển số\s+(.+?)\s*$/u.exec(s.reason ?? '');
      if (!m) continue;
      const agencyCode = s.certificate?.organizationalUnit ?? null;
      const agencyName = s.location ?? s.certificate?.commonName ?? null;
      if (!agencyCode && !agencyName) continue;
      const rows = await this.rows().where('status', '=', 'completed').where('certification_number', '=', m[1])
        .where(sql<string>`snapshot->'registerBook'->>'name'`, '=', m[2])
        .where((eb) => eb.or([
          ...(agencyCode ? [eb('agency_code', '=', agencyCode)] : []),
          ...(agencyName ? [eb(sql<string>`snapshot->>'agencyName'`, '=', agencyName)] : []),
        ]))
        .limit(2).execute();
      if (rows.length === 1) return rows[0];
    }
    return undefined;
  }
}

// ---- gentle per-address rate limits (in memory) ----------------------------------------------------------------
export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly max: number, private readonly windowMs: number) {}
  /** Counts one request; throws a Vietnamese 'throttled' error past the limit. */
  take(key: string, now = Date.now()): void {
    if (this.hits.size > 10_000) for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
    let h = this.hits.get(key);
    if (!h || h.resetAt <= now) { h = { count: 0, resetAt: now + this.windowMs }; this.hits.set(key, h); }
    h.count += 1;
    if (h.count > this.max) {
      const seconds = Math.ceil((h.resetAt - now) / 1000);
      throw Object.assign(new DomainError('throttled', `Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ${seconds} giây.`), { retryAfter: seconds });
    }
  }
}

interface Verification { service: VerificationService; codes: RateLimiter; uploads: RateLimiter }
const perApp = new WeakMap<AppDeps, Verification>();

/** One service and one pair of limiters per app, shared by the screens and the JSON API. */
function verification(deps: AppDeps): Verification {
  let v = perApp.get(deps);
  if (!v) {
    const keys = createFileKeyStore(path.join(deps.config.dataDir, 'pki'));
    v = { service: new VerificationService(deps.db, () => keys.caCertPem()), codes: new RateLimiter(30, 60_000), uploads: new RateLimiter(10, 60_000) };
    perApp.set(deps, v);
  }
  return v;
}

const VERIFY_UPLOAD: UploadPolicy = {
  headBytes: 5,
  checkHead: (head) => (head.toString('latin1') === '%PDF-' ? null
    : new DomainError('bad_file', 'Tệp tải lên không phải là tệp PDF. Vui lòng chọn tệp bản sao điện tử (.pdf).', 'file')),
  tooLarge: () => new DomainError('too_large', 'Tệp tải lên vượt quá dung lượng cho phép (tối đa 30 MB).', 'file'),
};

async function verifyUpload(v: Verification, file: UploadedFile): Promise<UploadVerdict> {
  try {
    return await v.service.byFile({ path: file.tmpPath });
  } finally {
    await discard(file); // nothing uploaded for verification is kept
  }
}

const clientKey = (req: Request) => req.ip ?? req.socket.remoteAddress ?? '';
const setRetryAfter = (res: Response, e: unknown) => {
  const s = (e as { retryAfter?: number }).retryAfter;
  if (s) res.set('Retry-After', String(s));
};

// ---- JSON API --------------------------------------------------------------------------------------------------
export function verifyApiRoutes(deps: AppDeps) {
  const r = express.Router();
  r.get('/verify/:code', async (req, res, next) => {
    try {
      const v = verification(deps);
      v.codes.take(clientKey(req));
      const record = await v.service.byCode(req.params.code);
      if (!record) throw new DomainError('not_found', NOT_FOUND_MESSAGE);
      res.set('Cache-Control', 'no-store').json(record);
    } catch (e) { setRetryAfter(res, e); next(e); }
  });
  r.post('/verify', async (req, res, next) => {
    try {
      const v = verification(deps);
      v.uploads.take(clientKey(req));
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Gửi tệp PDF cần xác thực dạng multipart/form-data, trường "file".', 'file');
      const { file } = await parseMultipart(req, deps.storage, 'file', MAX_SCAN_BYTES, VERIFY_UPLOAD);
      if (!file) throw new DomainError('validation', 'Chưa có tệp PDF cần xác thực (trường "file").', 'file');
      const verdict = await verifyUpload(v, file);
      res.set('Cache-Control', 'no-store').json({
        genuine: verdict.genuine, identical: verdict.identical, intact: verdict.intact, matchedBy: verdict.matchedBy,
        sha256: verdict.sha256, size: verdict.size, modifiedAfterLastSignature: verdict.modifiedAfterLastSignature,
        reasons: verdict.reasons, signatures: verdict.signatures, dossier: verdict.dossier,
      });
    } catch (e) { setRetryAfter(res, e); next(e); }
  });
  return r;
}

// ---- screens ---------------------------------------------------------------------------------------------------
const TITLE = 'Xác thực bản sao điện tử';

export function verifyWebRoutes(deps: AppDeps) {
  const r = express.Router();
  const render = (res: Response, status: number, view: Record<string, unknown>) =>
    res.status(status).set('Cache-Control', 'no-store').render('verify.njk', { title: TITLE, active: '/xac-thuc', ...view });

  r.get('/xac-thuc', async (req, res, next) => {
    const raw = req.query.code;
    if (raw === undefined) return render(res, 200, {});
    const code = (typeof raw === 'string' ? raw : '').trim().slice(0, 100);
    try {
      if (!code) throw new DomainError('validation', 'Vui lòng nhập mã chứng thực in trên bản sao điện tử.');
      const v = verification(deps);
      v.codes.take(clientKey(req));
      const record = await v.service.byCode(code);
      if (!record) return render(res, 404, { code, notFound: true });
      render(res, 200, { code, record });
    } catch (e) {
      if (e instanceof DomainError) { setRetryAfter(res, e); return render(res, HTTP_STATUS[e.code], { code, error: e.message }); }
      next(e);
    }
  });

  r.post('/xac-thuc', async (req, res, next) => {
    let file: UploadedFile | null = null;
    try {
      const v = verification(deps);
      v.uploads.take(clientKey(req));
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Vui lòng chọn tệp PDF cần xác thực.');
      const parsed = await parseFormUpload(req, deps.storage, 'file', MAX_SCAN_BYTES, VERIFY_UPLOAD);
      file = parsed.file;
      if (!file) throw new DomainError('validation', 'Vui lòng chọn tệp PDF cần xác thực.');
      const verdict = await verifyUpload(v, file);
      file = null;
      render(res, 200, { verdict, fileName: parsed.file?.fileName ?? '' });
    } catch (e) {
      await discard(file);
      if (e instanceof DomainError) {
        setRetryAfter(res, e);
        return render(res, HTTP_STATUS[e.code], { error: e.message });
      }
      next(e);
    }
  });
  return r;
}
