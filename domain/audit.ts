// The audit trail of a dossier as a typed union: one type and payload per event, and its words for people.
// Sandbox-safe (the workflow builds these events): nothing from Node, no packages.
import { vnDateOfDay } from './vn-time.js';
import type { HistoryEntry } from './dossier.js';
import type { SignedFileRef } from './types.js';
import { changesText, type FieldChange } from './dossier-edit.js';

/** One recorded event of a dossier. Stored as `type` + `payload` (jsonb) in dossier_events. */
export type AuditEvent =
  | { type: 'submitted'; payload: { dueDate: string | null } }
  | { type: 'returned'; payload: { reason: string } }
  /** `note`: the clerk's own note, when one was given; pageCount and fee are the dossier's after resubmission;
   *  `changes`: the details the clerk edited, each with its before and after (absent when none were). */
  | { type: 'resubmitted'; payload: { scanReplaced: boolean; pageCount: number; fee: number; note: string | null; changes?: FieldChange[] } }
  | { type: 'cancelled'; payload: { reason: string } }
  /** A review step of the agency's process passed (`index`: 0-based among the review steps; `label`: its name). */
  | { type: 'reviewed'; payload: { index: number; label: string } }
  /** `signedPdf.certificate`: the certificate that signed (absent in events recorded before it was kept). */
  | { type: 'signed'; payload: { signedPdf: SignedFileRef | null } }
  | { type: 'sealed'; payload: { certificationNumber: string | null; registerBook: { id: number; name: string } | null; sealedPdf: SignedFileRef | null } }
  /** "Hoàn thành và chuyển": the delivery is queued, to the applicant's email and/or portal account. */
  | { type: 'delivery_requested'; payload: { email: string | null; portal: boolean } }
  /** `corrected`: the email was given with the request (a corrected address), not the one on file. */
  | { type: 'resend_requested'; payload: { email: string | null; corrected: boolean } }
  | { type: 'delivered'; payload: { email: string | null; portal: boolean } }
  | { type: 'delivery_failed'; payload: { error: string } }
  | { type: 'overdue'; payload: { dueDate: string } }
  /** An archival renewal (not a workflow step: the archive renewal schedule): the stored e-copy moved to `version`,
   *  with a new DSS and a document timestamp of `tsa` at `timestampedAt`, because the last one was `reason`. */
  | { type: 'archive_renewed'; payload: { version: number; sha256: string; size: number; timestampedAt: string; tsa: string; reason: 'expiring' | 'weakAlgorithm' | 'noTimestamp' } };

export type AuditEventType = AuditEvent['type'];
export type AuditPayload = AuditEvent['payload'];

/** The dossier action (HistoryEntry, the `action` column) each event records. */
export const AUDIT_ACTIONS: Record<AuditEventType, HistoryEntry['action']> = {
  submitted: 'submit',
  returned: 'returnToCreator',
  resubmitted: 'resubmit',
  cancelled: 'cancel',
  reviewed: 'approve',
  signed: 'sign',
  sealed: 'seal',
  delivery_requested: 'deliver',
  resend_requested: 'resend',
  delivered: 'delivered',
  delivery_failed: 'deliveryFailed',
  overdue: 'overdue',
  archive_renewed: 'renewArchive',
};

export const AUDIT_EVENT_TYPES = Object.keys(AUDIT_ACTIONS) as AuditEventType[];

/** The same `{ type, payload }` read back from the database (the column pair is typed loosely). */
export function auditEventOf(row: { type: string; payload: unknown }): AuditEvent | null {
  if (!(AUDIT_EVENT_TYPES as string[]).includes(row.type) || !row.payload || typeof row.payload !== 'object') return null;
  return { type: row.type, payload: row.payload } as AuditEvent;
}

const deliveredTo = (p: { email: string | null; portal: boolean }) =>
  [p.email && `email ${p.email}`, p.portal && 'tài khoản DVCQG'].filter(Boolean).join(', ');

/** Which certificate signed, as an auditor checks it against the e-copy (pdfsig, the verification page). */
const certificateNote = (f: SignedFileRef | null) =>
  f?.certificate ? `chứng thư số của ${f.certificate.holder}, SHA-256 ${f.certificate.fingerprint}` : undefined;

/** The short note kept with the event in the dossier's own history (DossierView.history), as it has always read. */
export function auditNote(e: AuditEvent): string | undefined {
  switch (e.type) {
    case 'returned': case 'cancelled': return e.payload.reason;
    case 'reviewed': return e.payload.label;
    case 'resubmitted': {
      const parts = [e.payload.note ?? (e.payload.scanReplaced ? 'Đính kèm bản scan mới' : null), e.payload.changes?.length ? `Sửa thông tin: ${changesText(e.payload.changes)}` : null].filter(Boolean);
      return parts.length ? parts.join('; ') : undefined;
    }
    case 'signed': return certificateNote(e.payload.signedPdf);
    case 'sealed': return [`Số chứng thực ${e.payload.certificationNumber}, sổ ${e.payload.registerBook?.name}`, certificateNote(e.payload.sealedPdf)].filter(Boolean).join('; ');
    case 'resend_requested': return `Gửi lại tới ${e.payload.email ?? ''}`;
    case 'delivered': return deliveredTo(e.payload);
    case 'delivery_failed': return e.payload.error;
    case 'overdue': return `Quá hạn trả kết quả (hạn ${vnDateOfDay(e.payload.dueDate)})`;
    case 'archive_renewed': return `Phiên bản ${e.payload.version}, ${RENEWAL_REASON_WORDS[e.payload.reason]}`;
    default: return undefined;
  }
}

const RENEWAL_REASON_WORDS = {
  expiring: 'chứng thư số của đơn vị cấp dấu thời gian sắp hết hạn',
  weakAlgorithm: 'thuật toán của dấu thời gian trước không còn an toàn',
  noTimestamp: 'bản sao chưa có dấu thời gian lưu trữ',
} as const;

/** The words of each step of "Xem tiến trình", shared by the audit trail and the workflow-history reader. */
export const STEP_WORDS = {
  submitted: 'Tạo hồ sơ và trình lãnh đạo ký',
  returned: (reason: string) => `Trả lại hồ sơ cho cán bộ tư pháp. Lý do: ${reason}`,
  resubmitted: (scanReplaced: boolean) => (scanReplaced ? 'Xử lý tiếp: đính kèm bản scan mới và trình ký lại' : 'Xử lý tiếp: trình ký lại'),
  cancelled: (reason: string) => `Hủy hồ sơ. Lý do: ${reason}`,
  reviewed: (label: string) => `Kiểm tra hồ sơ (${label}): đồng ý, chuyển bước tiếp theo`,
  signed: 'Ký số bản sao (lãnh đạo)',
  sealed: 'Cấp số chứng thực và đóng dấu cơ quan',
  deliveryRequested: 'Hoàn thành và chuyển bản chứng thực điện tử tới người yêu cầu',
  resendRequested: (correctedEmail: string | null) => `Gửi lại bản sao điện tử qua email${correctedEmail ? ` tới địa chỉ đã sửa ${correctedEmail}` : ''}`,
};

/** What "Xem tiến trình" shows for a recorded event. */
export function auditText(e: AuditEvent): string {
  switch (e.type) {
    case 'submitted': return STEP_WORDS.submitted;
    case 'returned': return STEP_WORDS.returned(e.payload.reason);
    case 'resubmitted': return e.payload.changes?.length
      ? `${STEP_WORDS.resubmitted(e.payload.scanReplaced)} (sửa thông tin: ${changesText(e.payload.changes)})`
      : STEP_WORDS.resubmitted(e.payload.scanReplaced);
    case 'cancelled': return STEP_WORDS.cancelled(e.payload.reason);
    case 'reviewed': return STEP_WORDS.reviewed(e.payload.label);
    case 'signed': return e.payload.signedPdf?.certificate ? `${STEP_WORDS.signed} (${auditNote(e)})` : STEP_WORDS.signed;
    case 'sealed': return `${STEP_WORDS.sealed} (${auditNote(e)})`;
    case 'delivery_requested': return STEP_WORDS.deliveryRequested;
    case 'resend_requested': return STEP_WORDS.resendRequested(e.payload.corrected ? e.payload.email : null);
    case 'delivered': return `Đã gửi bản sao điện tử (${deliveredTo(e.payload)})`;
    case 'delivery_failed': return `Gửi bản sao điện tử không thành công sau nhiều lần thử: ${e.payload.error}`;
    // The note already says "Quá hạn trả kết quả (hạn ...)"; the step has always read as both together.
    case 'overdue': return `Hồ sơ quá hạn trả kết quả (${auditNote(e)})`;
    case 'archive_renewed': return `Gia hạn dấu thời gian lưu trữ: ${auditNote(e)}; dấu thời gian mới của ${e.payload.tsa}`;
  }
}
