// The certification dossier (hồ sơ chứng thực) as the workflow holds it and the API, activities and screens
// read it: its input, state, history and delivery, and the labels of its statuses. Sandbox-safe: types and
// constants only.
import type { FileRef, SignedFileRef } from './types.js';
import type { SignaturePlacement } from './placement.js';
import type { CalendarWindow } from './calendar.js';
import type { ProcessDefinition } from './process.js';

export type DossierStatus = 'draft' | 'awaiting_review' | 'awaiting_signature' | 'returned' | 'awaiting_seal' | 'completed' | 'cancelled';
export type ApplicantKind = 'citizen' | 'business' | 'no_account';

export interface Applicant {
  kind: ApplicantKind;
  fullName: string;
  idNumber: string | null;
  email: string | null;
  phone: string | null;
  /** Portal account username when the applicant has one (citizen/business). */
  accountUsername: string | null;
}

export interface HistoryEntry {
  at: string; // ISO instant
  action: 'submit' | 'returnToCreator' | 'resubmit' | 'cancel' | 'approve' | 'sign' | 'seal' | 'deliver' | 'resend' | 'delivered' | 'deliveryFailed' | 'overdue' | 'renewArchive';
  actor: string; // username
  actorName: string;
  status: DossierStatus;
  note?: string;
}

export interface Delivery {
  status: 'pending' | 'sent' | 'failed';
  at: string;
  email: string | null;
  portal: boolean;
  error: string | null;
  /** How many delivery requests (first delivery and re-sends) have been made. */
  requests: number;
}

/** Per-deployment settings the workflow needs, fixed when the dossier starts. */
export interface WorkflowOptions {
  /** How long a delivered dossier's workflow stays open for re-sends, e.g. '30 days'. */
  redeliveryWindow: string;
  deliveryAttempts: number;
  deliveryInitialInterval: string;
  /** Attempts at signing or sealing (backoff 1 s doubling to 1 min): 12 ride out about 8 minutes of a TSA
   *  being down. Optional: workflows started before it existed use the default. */
  pdfAttempts?: number;
  /** Tests only: how long a signature prepared for a token outside the server may be completed (default 10 minutes). */
  signPreparationMs?: number;
  /** Demos and tests only: mark a dossier overdue this long after submission instead of at the end of its due day. */
  overdueAfterMs?: number;
}

export interface DossierInput {
  code: string;
  agencyCode: string;
  agencyName: string;
  applicant: Applicant;
  documentType: { code: string; name: string };
  copies: number;
  pageCount: number;
  fee: number;
  scan: FileRef;
  appointmentCode: string | null;
  createdBy: { username: string; fullName: string };
  createdAt: string;
  options?: WorkflowOptions;
  /** The agency's working-day calendar (public holidays and its own days) from the creation day on, for the due
   *  date: data in the input, so the history records it and replay gives the same due date. Absent in dossiers
   *  started before it existed: their due date counts Monday to Friday, as it did. */
  calendar?: CalendarWindow;
  /** The agency's process definition when the dossier started (its version pinned): who performs each step, the
   *  review steps, the separation of duties, automatic delivery. Absent in dossiers started before processes were
   *  data: they follow DEFAULT_PROCESS, the rules they were started under. */
  process?: ProcessDefinition & { agencyCode: string };
}

export interface DossierState extends DossierInput {
  status: DossierStatus;
  busy: boolean;
  /** 'yyyy-MM-dd' (Vietnam) by which the e-copy is due, set on submission (NĐ 23/2015 Điều 7). */
  dueDate: string | null;
  /** Set by the workflow when the due date passed while the dossier still waited on people. */
  overdue?: boolean;
  returnReason: string | null;
  cancelReason: string | null;
  /** Who signed, when, and where the signature box is on the attestation page (absent: the default place). */
  signedBy: { username: string; fullName: string; title: string; at: string; placement?: SignaturePlacement } | null;
  sealedBy: { username: string; fullName: string; at: string } | null;
  signedPdf: SignedFileRef | null;
  sealedPdf: SignedFileRef | null;
  certificationNumber: string | null;
  registerBook: { id: number; name: string } | null;
  /** The latest delivery: requested (pending), sent, or failed after the workflow's retries. */
  delivery: Delivery | null;
  history: HistoryEntry[];
  /** While awaiting_review: which of the process's review steps (0-based) the dossier waits on. */
  reviewIndex?: number | null;
  /** Who performed which step ('submit', 'review:0', 'sign', 'seal'), for the separation of duties. */
  performers?: Record<string, string[]>;
  /** The review steps passed, in order, by whom and when. */
  reviews?: { index: number; label: string; username: string; fullName: string; at: string }[];
}

/** The dossier as the workflow answers for it (its updates and query): the state without the internal busy flag. */
export type DossierView = Omit<DossierState, 'busy'>;

export const STATUS_LABELS: Record<DossierStatus, string> = {
  draft: 'Mới tạo',
  awaiting_review: 'Chờ kiểm tra',
  awaiting_signature: 'Chờ ký',
  returned: 'Bị trả lại',
  awaiting_seal: 'Chờ đóng dấu',
  completed: 'Hoàn thành',
  cancelled: 'Đã hủy',
};

export const APPLICANT_KIND_LABELS: Record<ApplicantKind, string> = {
  citizen: 'Công dân',
  business: 'Doanh nghiệp',
  no_account: 'Đối tượng không có tài khoản DVCQG',
};

/** Nghị định 23/2015/NĐ-CP Điều 22: what may not be certified, offered as return reasons. */
export const RETURN_REASONS: string[] = [
  'Bản chính bị tẩy xóa, sửa chữa, thêm, bớt nội dung không hợp lệ',
  'Bản chính bị hư hỏng, cũ nát, không xác định được nội dung',
  'Bản chính đóng dấu mật của cơ quan, tổ chức có thẩm quyền hoặc ghi rõ không được sao chụp',
  'Bản chính có nội dung trái pháp luật, đạo đức xã hội; tuyên truyền, kích động chiến tranh, chống chế độ xã hội chủ nghĩa Việt Nam; xuyên tạc lịch sử của dân tộc Việt Nam; xúc phạm danh dự, nhân phẩm, uy tín của cá nhân, tổ chức; vi phạm quyền công dân',
  'Bản chính do cơ quan, tổ chức có thẩm quyền của nước ngoài cấp, công chứng hoặc chứng nhận chưa được hợp pháp hóa lãnh sự',
  'Giấy tờ, văn bản do cá nhân tự lập nhưng không có xác nhận và đóng dấu của cơ quan, tổ chức có thẩm quyền',
  'Bản scan không rõ, không đầy đủ so với bản chính',
];
