// The audit trail of administration as a typed union: one entity, action and before/after shape per event, and
// their words for people. Later slices (accounts, catalogues, processes) add their members here.
// Sandbox-safe: nothing from Node, no packages.
import type { Agency } from './agency.js';
import type { ProcessDefinition } from './process.js';
import type { Role } from './types.js';
import type { TemplateKind } from './templates.js';

/** A staff account as the audit records it: never its password or hash (`passwordReset: true` says one was set). */
export interface AccountRecord {
  username: string; fullName: string; title: string; idNumber: string | null; email: string | null; agencyCode: string;
  active: boolean; roles: { agencyCode: string; role: Role }[]; passwordReset?: true;
}

/** One recorded administrative change. Stored as entity + entity_id + action + before/after (jsonb) in admin_events. */
export type AdminEvent =
  | { entity: 'agency'; entityId: string; action: 'created'; before: null; after: Agency }
  /** Name, portal code, kind or address changed (the parent and the active flag did not). */
  | { entity: 'agency'; entityId: string; action: 'updated'; before: Agency; after: Agency }
  /** The parent changed (other fields may have changed with it). */
  | { entity: 'agency'; entityId: string; action: 'moved'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'deactivated'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'reactivated'; before: Agency; after: Agency }
  /** A new version of an agency's process (before: the version it replaces, null when it replaces the built-in one). */
  | { entity: 'process'; entityId: string; action: 'published'; before: (ProcessDefinition & { agencyCode: string }) | null; after: ProcessDefinition & { agencyCode: string } }
  // Catalogues (api/catalogues/): the document types (system-wide, id: the code), an agency's appointment slots
  // (id: the agency code; before/after: capacity by start time), its own days off and make-up working days and
  // the national public holidays (id: the day).
  | { entity: 'document_type'; entityId: string; action: 'created'; before: null; after: DocumentType }
  | { entity: 'document_type'; entityId: string; action: 'updated' | 'deactivated' | 'reactivated'; before: DocumentType; after: DocumentType }
  | { entity: 'slots'; entityId: string; action: 'updated'; before: Record<string, number>; after: Record<string, number> }
  | { entity: 'agency_day'; entityId: string; action: 'created'; before: null; after: AgencyDay }
  | { entity: 'agency_day'; entityId: string; action: 'updated'; before: AgencyDay; after: AgencyDay }
  | { entity: 'agency_day'; entityId: string; action: 'deleted'; before: AgencyDay; after: null }
  | { entity: 'public_holiday'; entityId: string; action: 'created'; before: null; after: PublicHoliday }
  | { entity: 'public_holiday'; entityId: string; action: 'updated'; before: PublicHoliday; after: PublicHoliday }
  | { entity: 'public_holiday'; entityId: string; action: 'deleted'; before: PublicHoliday; after: null }
  | { entity: 'user'; entityId: string; action: 'created'; before: null; after: AccountRecord }
  /** Name, title, CMND/CCCD, e-mail, roles or the password (reset) changed. */
  | { entity: 'user'; entityId: string; action: 'updated'; before: AccountRecord; after: AccountRecord }
  | { entity: 'user'; entityId: string; action: 'deactivated'; before: AccountRecord; after: AccountRecord }
  | { entity: 'user'; entityId: string; action: 'reactivated'; before: AccountRecord; after: AccountRecord }
  /** A new version of a template (entityId: its kind); before: the version it replaces (domain/templates.ts templateAuditRecord). */
  | { entity: 'template'; entityId: TemplateKind; action: 'published'; before: Record<string, string | number> | null; after: Record<string, string | number> }
  /** A webhook of an agency (entityId: its id); never its secret. */
  | { entity: 'webhook'; entityId: string; action: 'created'; before: null; after: WebhookRecord }
  | { entity: 'webhook'; entityId: string; action: 'deactivated' | 'reactivated'; before: WebhookRecord; after: WebhookRecord }
  /** Who signs for an agency (entityId: the agency): its head and the collective body it signs for. */
  | { entity: 'signing_authority'; entityId: string; action: 'updated'; before: SigningAuthorityRecord; after: SigningAuthorityRecord }
  /** A planned delegation of the signature (entityId: its id). */
  | { entity: 'delegation'; entityId: string; action: 'created'; before: null; after: DelegationRecord }
  | { entity: 'delegation'; entityId: string; action: 'revoked'; before: DelegationRecord; after: DelegationRecord }
  // Register books (api/register/; entityId: the book's id) and a register year's closing (entityId: the year).
  | { entity: 'register_book'; entityId: string; action: 'created'; before: null; after: RegisterBookRecord }
  | { entity: 'register_book'; entityId: string; action: 'updated' | 'closed'; before: RegisterBookRecord; after: RegisterBookRecord }
  | { entity: 'register_book'; entityId: string; action: 'deleted'; before: RegisterBookRecord; after: null }
  | { entity: 'register_year'; entityId: string; action: 'closed'; before: RegisterYearRecord; after: RegisterYearRecord }
  /** The agency's seal image or a leader's signature image (entityId: `kind:owner`); never its bytes. */
  | { entity: 'image'; entityId: string; action: 'created'; before: null; after: ImageAuditRecord }
  | { entity: 'image'; entityId: string; action: 'replaced'; before: ImageAuditRecord; after: ImageAuditRecord }
  /** An uploaded certificate or a remote signer's (entityId: its SHA-256 fingerprint); never its key or passphrase. */
  | { entity: 'certificate'; entityId: string; action: 'created'; before: null; after: CertificateRecord }
  | { entity: 'certificate'; entityId: string; action: 'put_in_use' | 'approved'; before: CertificateRecord; after: CertificateRecord }
  /** A citizen's appointment (entityId: its code): booked and cancelled by the citizen, the rest by staff or the system. */
  | { entity: 'appointment'; entityId: string; action: 'booked'; before: null; after: AppointmentRecord }
  | { entity: 'appointment'; entityId: string; action: 'rescheduled' | 'cancelled' | 'processed' | 'no_show'; before: AppointmentRecord; after: AppointmentRecord };

/** Who acted: a staff account (users) or a citizen's portal account (portal_accounts); admin_events.actor_kind. */
export type AdminActorKind = 'staff' | 'citizen';
/** The actor of the workflows' timers (an appointment's no-show), as the dossier audit names it too. */
export const SYSTEM_ACTOR = 'system';

/** The actor as people read it: "Họ tên (tên đăng nhập)", a citizen as "Công dân …", the system as "Hệ thống". */
export function actorText(kind: AdminActorKind, username: string, name: string | null): string {
  if (kind === 'citizen') return name ? `Công dân ${name} (${username})` : `Công dân ${username}`;
  if (username === SYSTEM_ACTOR && !name) return 'Hệ thống';
  return name ? `${name} (${username})` : username;
}

export interface RegisterBookRecord {
  agencyCode: string; name: string; startNumber: number; currentNumber: number; openDate: string; closeDate: string;
  closedAt: string | null; closedCount: number | null; closedYearCount: number | null;
}
export interface RegisterYearRecord { agencyCode: string; year: number; lastNumber: number; certificationCount: number | null; closedAt: string | null; closedBooks: string[] }
/** An image as the audit records it (ImageRecord is the stored row's name, activities/images.ts). */
export interface ImageAuditRecord { kind: 'seal' | 'signature'; owner: string; sha256: string; size: number; width: number; height: number }
export interface CertificateRecord {
  fingerprint: string; purpose: 'personal' | 'seal'; owner: string; subject: string; commonName: string | null; issuer: string; serial: string;
  notBefore: string; notAfter: string; inUse: boolean; needsApproval: boolean; remote?: true;
}
export interface AppointmentRecord {
  agencyCode: string; account: string; documentType: string; day: string; time: string; status: string;
  rescheduleReason: string | null; dossierCode: string | null;
}

export interface SigningAuthorityRecord { headUsername: string | null; collective: string | null }
export interface DelegationRecord { agencyCode: string; deputyUsername: string; kind: 'KT' | 'TL'; fromDay: string; toDay: string; note: string; revoked: boolean }

/** A webhook subscription as the audit records it. */
export interface WebhookRecord { agencyCode: string; url: string; events: string[]; active: boolean }

/** A type of document that can be certified (loại giấy tờ); deactivated ones are no longer offered. */
export interface DocumentType { code: string; name: string; sort: number; active: boolean }
/** An agency's own day: a day off (working false) or a make-up working day, winning over the national calendar. */
export interface AgencyDay { day: string; working: boolean; note: string }
/** A national public holiday (working false) or a make-up working day set by the Government. */
export interface PublicHoliday { day: string; name: string; working: boolean }

export type AdminEntity = AdminEvent['entity'];
export type AdminAction = AdminEvent['action'];

export const ADMIN_ENTITY_LABELS: Record<AdminEntity, string> = {
  agency: 'Cơ quan, đơn vị',
  document_type: 'Loại giấy tờ',
  slots: 'Khung giờ hẹn',
  agency_day: 'Ngày nghỉ, ngày làm bù của cơ quan',
  public_holiday: 'Ngày nghỉ lễ quốc gia',
  process: 'Quy trình',
  user: 'Tài khoản người dùng',
  template: 'Mẫu lời chứng, mẫu sổ',
  webhook: 'Webhook (gửi sự kiện cho hệ thống khác)',
  signing_authority: 'Người ký của cơ quan',
  delegation: 'Ký thay, thừa lệnh theo thời gian',
  register_book: 'Sổ chứng thực',
  register_year: 'Khóa sổ năm',
  image: 'Hình ảnh con dấu, chữ ký',
  certificate: 'Chứng thư số',
  appointment: 'Lịch hẹn',
};

export const ADMIN_ACTION_LABELS: Record<AdminAction, string> = {
  created: 'Thêm mới',
  updated: 'Sửa thông tin',
  moved: 'Chuyển cơ quan cấp trên',
  deactivated: 'Ngừng hoạt động',
  reactivated: 'Hoạt động trở lại',
  published: 'Ban hành phiên bản mới',
  deleted: 'Xóa',
  revoked: 'Thu hồi',
  closed: 'Khóa sổ',
  replaced: 'Thay thế',
  put_in_use: 'Chọn dùng để ký',
  approved: 'Xác nhận',
  booked: 'Đặt lịch hẹn',
  rescheduled: 'Dời lịch hẹn',
  cancelled: 'Hủy',
  processed: 'Tiếp nhận hồ sơ',
  no_show: 'Không đến',
};

/** The Vietnamese names of a process definition's fields, for the before/after of the audit list. */
export const PROCESS_FIELD_LABELS: Record<keyof ProcessDefinition | 'agencyCode', string> = {
  agencyCode: 'Cơ quan', version: 'Phiên bản', steps: 'Các bước', separationOfDuties: 'Tách người thực hiện các bước', autoDeliver: 'Tự động chuyển sau khi đóng dấu',
};

export const ADMIN_ENTITIES = Object.keys(ADMIN_ENTITY_LABELS) as AdminEntity[];

/** The Vietnamese names of an agency's fields, for the before/after of the audit list. */
export const AGENCY_FIELD_LABELS: Record<keyof Agency, string> = {
  code: 'Mã cơ quan', name: 'Tên', parentCode: 'Cơ quan cấp trên', portalCode: 'Mã trên cổng dịch vụ công',
  kind: 'Loại', address: 'Địa chỉ', active: 'Đang hoạt động',
};

/** The Vietnamese names of the catalogues' fields (the slots' fields are their start times, shown as they are). */
export const CATALOGUE_FIELD_LABELS: Partial<Record<AdminEntity, Record<string, string>>> = {
  document_type: { code: 'Mã loại giấy tờ', name: 'Tên', sort: 'Thứ tự', active: 'Đang sử dụng' },
  agency_day: { day: 'Ngày', working: 'Ngày làm việc', note: 'Ghi chú' },
  public_holiday: { day: 'Ngày', name: 'Tên ngày lễ', working: 'Ngày làm việc' },
  register_book: {
    agencyCode: 'Cơ quan', name: 'Tên sổ', startNumber: 'Số ban đầu', currentNumber: 'Số hiện tại', openDate: 'Ngày mở sổ', closeDate: 'Ngày đóng sổ',
    closedAt: 'Khóa sổ lúc', closedCount: 'Số chứng thực trong sổ khi khóa', closedYearCount: 'Số chứng thực của năm khi khóa',
  } satisfies Record<keyof RegisterBookRecord, string>,
  register_year: {
    agencyCode: 'Cơ quan', year: 'Năm', lastNumber: 'Số cuối cùng đã cấp', certificationCount: 'Số chứng thực của năm', closedAt: 'Khóa sổ lúc', closedBooks: 'Các sổ được khóa',
  } satisfies Record<keyof RegisterYearRecord, string>,
  image: {
    kind: 'Loại ảnh', owner: 'Của', sha256: 'Mã băm SHA-256', size: 'Dung lượng (byte)', width: 'Chiều rộng (điểm ảnh)', height: 'Chiều cao (điểm ảnh)',
  } satisfies Record<keyof ImageAuditRecord, string>,
  certificate: {
    fingerprint: 'Dấu vân tay SHA-256', purpose: 'Loại chứng thư', owner: 'Của', subject: 'Chủ thể', commonName: 'Tên người giữ chứng thư', issuer: 'Tổ chức cấp',
    serial: 'Số hiệu', notBefore: 'Hiệu lực từ', notAfter: 'Hiệu lực đến', inUse: 'Đang dùng để ký', needsApproval: 'Chờ quản trị viên xác nhận', remote: 'Dịch vụ ký số từ xa',
  } satisfies Record<keyof CertificateRecord, string>,
  appointment: {
    agencyCode: 'Cơ quan tiếp nhận', account: 'Tài khoản công dân', documentType: 'Loại giấy tờ', day: 'Ngày hẹn', time: 'Giờ hẹn', status: 'Trạng thái',
    rescheduleReason: 'Lý do dời lịch', dossierCode: 'Mã hồ sơ',
  } satisfies Record<keyof AppointmentRecord, string>,
};

/** The words of a few recorded values (the image's and the certificate's kinds), for the before/after of the audit list. */
export const RECORD_VALUE_LABELS: Record<string, Record<string, string>> = {
  kind: { seal: 'Con dấu của cơ quan', signature: 'Chữ ký của lãnh đạo' },
  purpose: { personal: 'Cá nhân (lãnh đạo ký)', seal: 'Con dấu của cơ quan' },
};

/** The Vietnamese names of an account's fields, for the before/after of the audit list. */
export const ACCOUNT_FIELD_LABELS: Record<keyof AccountRecord, string> = {
  username: 'Tên đăng nhập', fullName: 'Họ và tên', title: 'Chức danh', idNumber: 'Số CMND/CCCD', email: 'Thư điện tử',
  agencyCode: 'Đơn vị', active: 'Đang hoạt động', roles: 'Quyền', passwordReset: 'Đặt lại mật khẩu',
};

/** The fields whose value differs between before and after (every field of `after` when created). */
export function changedFields<T extends object>(before: T | null, after: T | null): (keyof T)[] {
  const keys = new Set<keyof T>([...Object.keys(before ?? {}), ...Object.keys(after ?? {})] as (keyof T)[]);
  return [...keys].filter((k) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after?.[k] ?? null));
}
