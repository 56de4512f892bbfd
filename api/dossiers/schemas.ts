// The dossier feature's requests: the applicant, the new-dossier form's query, the list filters, the actions' arguments.
import { idNumber, multilineText, object, optionalText, oneOf, dossierPagingShape, positiveInt32, text } from '../http/schemas.js';
import { z } from 'zod';

/** The applicant of a new dossier (service.ts resolveApplicant); formats are checked there, in Vietnamese. */
export const applicantSchema = object({
  applicantKind: oneOf('Đối tượng đăng ký', ['citizen', 'business', 'no_account'] as const, 'Vui lòng chọn đối tượng đăng ký.'),
  idNumber,
  fullName: optionalText('Tên đối tượng', 200),
  email: optionalText('Email', 254),
  phone: optionalText('Số điện thoại', 20),
});

/** The filters of the dossier lists (screens) and GET /dossiers; dates are parsed by the routes. */
export const dossierListQuery = object({
  status: optionalText('Trạng thái', 200),
  applicantKind: optionalText('Đối tượng', 20),
  code: optionalText('Mã hồ sơ', 100),
  q: optionalText('Từ khóa', 200),
  from: optionalText('Từ ngày', 20),
  to: optionalText('Đến ngày', 20),
  /** '1': only the dossiers whose due day has passed while they still wait on someone. */
  overdue: optionalText('Quá hạn', 5),
  /** 'on_time' | 'late': only the completed dossiers sealed on or before their due day, or after it (the dashboard's links). */
  timeliness: optionalText('Đúng hạn, quá hạn', 10),
  sort: optionalText('Sắp xếp', 10),
  /** One agency of a supervisor's reach (its agency and those under it). */
  agencyCode: optionalText('Cơ quan, đơn vị', 30),
  /** '1': that agency with every agency under it (the dashboard's links for an agency's subtree). */
  tree: optionalText('Gồm đơn vị trực thuộc', 5),
  ...dossierPagingShape,
});

/** The arguments of the human actions on a dossier (service.ts forward). */
export const reasonArgs = object({ reason: multilineText('Lý do', 1000) });
export const sealArgs = object({ registerBookId: positiveInt32('Sổ chứng thực', 'Vui lòng chọn sổ chứng thực.') });
export const resendArgs = object({ email: optionalText('Email', 254) });
/** "Xử lý tiếp" may edit the dossier: each field given replaces the current value (checked as at creation); left out, kept. */
const keptText = (label: string, max: number) => z.unknown().optional().transform((v, ctx) => {
  if (v === undefined || v === null) return undefined;
  const r = optionalText(label, max).safeParse(v);
  if (!r.success) { ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? `Trường "${label}" không hợp lệ.` }); return z.NEVER; }
  return r.data;
});
export const resubmitArgs = object({
  applicantKind: keptText('Đối tượng đăng ký', 20), idNumber: keptText('Số CMND/CCCD/MST', 20), fullName: keptText('Tên đối tượng', 200),
  email: keptText('Email', 254), phone: keptText('Số điện thoại', 20), documentType: keptText('Loại giấy tờ', 50),
  copies: z.unknown().optional().transform((v) => (v === null ? undefined : v)), // checked by copiesOf, as at creation
});
export type ResubmitArgs = z.infer<typeof resubmitArgs>;
/** A signature outside the server: the signer's chain (PEM, leaf first), then the raw signature (base64). */
export const prepareSignArgs = object({ certificate: multilineText('Chứng thư số', 64 * 1024) });
export const completeSignArgs = object({ preparationId: text('Mã phiên chuẩn bị ký', 100), signature: text('Chữ ký số', 16 * 1024) });

/** The new-dossier form's query (the account search, "Xử lý" from an appointment): plain texts, shown again. */
export const newDossierQuery = object({
  applicantMode: optionalText('Đối tượng', 20), idNumber, lookup: optionalText('Tìm kiếm', 10), documentType: optionalText('Loại giấy tờ', 50),
  appointmentCode: optionalText('Mã lịch hẹn', 50), otherIdNumber: idNumber, fullName: optionalText('Tên đối tượng', 200),
  email: optionalText('Email', 254), phone: optionalText('Số điện thoại', 20), copies: optionalText('Số bản sao', 10),
});
