// Webhooks: other systems (the national portal, a province's system) learn about a dossier's life without polling.
// The events they may subscribe to, the body they receive, and the check of a subscription's URL. Pure module.
import type { AuditEventType } from './audit.js';
import type { DossierView } from './dossier.js';
import { DomainError } from './errors.js';

export const WEBHOOK_EVENTS = ['submitted', 'resubmitted', 'returned', 'signed', 'sealed', 'delivered', 'cancelled', 'overdue'] as const satisfies readonly AuditEventType[];
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_EVENT_LABELS: Record<WebhookEvent, string> = {
  submitted: 'Tiếp nhận, trình ký', resubmitted: 'Xử lý tiếp, trình ký lại', returned: 'Trả lại hồ sơ', signed: 'Lãnh đạo ký số',
  sealed: 'Cấp số, đóng dấu', delivered: 'Đã gửi bản sao điện tử', cancelled: 'Hủy hồ sơ', overdue: 'Quá hạn trả kết quả',
};

export const isWebhookEvent = (t: string): t is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(t);

/**
 * What a receiver gets: the event's id (the same on every retry and re-send: receivers drop duplicates by it), its
 * type and time, and the dossier's state without the applicant's personal data (name, ID number, e-mail, phone):
 * the portal account, when there is one, links it to the citizen.
 */
export function webhookBody(eventId: string, type: WebhookEvent, at: string, d: Pick<DossierView, 'code' | 'agencyCode' | 'status' | 'documentType' | 'copies' | 'fee' | 'dueDate' | 'certificationNumber' | 'applicant'>) {
  return {
    id: eventId, type: `dossier.${type}`, occurredAt: at, agencyCode: d.agencyCode,
    dossier: {
      code: d.code, status: d.status, documentType: d.documentType, copies: d.copies, fee: d.fee, dueDate: d.dueDate,
      certificationNumber: d.certificationNumber, portalAccount: d.applicant.accountUsername,
    },
  };
}

/** Is this IP literal one of loopback, private, link-local, CGNAT, unspecified or unique-local addresses? */
export function isPrivateAddress(ip: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.replace(/^::ffff:/i, ''));
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = ip.toLowerCase().replace(/^\[|\]$/g, '');
  return v6 === '::' || v6 === '::1' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
}

export const WEBHOOK_URL_MAX = 2000;

/**
 * A subscription's URL: http(s), no user or password in it, and in production no loopback or private address
 * (a name is also resolved and checked before each sending: activities/webhooks.ts). Returns the normalised URL.
 */
export function checkWebhookUrl(raw: unknown, production: boolean): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) throw new DomainError('validation', 'Vui lòng nhập địa chỉ nhận sự kiện (URL).', 'url');
  if (text.length > WEBHOOK_URL_MAX) throw new DomainError('validation', `Địa chỉ nhận sự kiện dài tối đa ${WEBHOOK_URL_MAX} ký tự.`, 'url');
  let url: URL;
  try { url = new URL(text); } catch { throw new DomainError('validation', 'Địa chỉ nhận sự kiện không hợp lệ (ví dụ https://he-thong.tinh.gov.vn/webhook).', 'url'); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DomainError('validation', 'Địa chỉ nhận sự kiện phải bắt đầu bằng http:// hoặc https://.', 'url');
  if (url.username || url.password) throw new DomainError('validation', 'Địa chỉ nhận sự kiện không được chứa tên đăng nhập hay mật khẩu.', 'url');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (production && (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))) {
    throw new DomainError('validation', 'Địa chỉ nhận sự kiện không được là địa chỉ nội bộ (loopback, mạng riêng).', 'url');
  }
  return url.toString();
}
