// "Xử lý tiếp" of a returned dossier edits it, not only its scan (the seed: "có thể chỉnh sửa các thông tin như
// file scan..."): the applicant, contact details, document type and number of copies. The web server checks the new
// values (the same rules as at creation) and sends only what changed; the workflow applies them and records each
// change with its before and after. Sandbox-safe: types and pure functions only.
import { formatVnd } from './fee.js';
import { APPLICANT_KIND_LABELS, type Applicant, type ApplicantKind, type DossierState } from './dossier.js';

/** The new values of a resubmission; a field left out keeps its value. `fee` follows copies and pages. */
export interface DossierEdit {
  applicant?: Applicant;
  documentType?: { code: string; name: string };
  copies?: number;
  fee?: number;
}

/** The fields an edit can change, as the audit records them. */
export type EditedField = 'applicantKind' | 'fullName' | 'idNumber' | 'email' | 'phone' | 'account' | 'documentType' | 'copies' | 'fee';
export interface FieldChange { field: EditedField; before: string | number | null; after: string | number | null }

export const EDITED_FIELD_LABELS: Record<EditedField, string> = {
  applicantKind: 'Đối tượng', fullName: 'Tên đối tượng', idNumber: 'Số CMND/CCCD/MST', email: 'Email', phone: 'Số điện thoại',
  account: 'Tài khoản DVCQG', documentType: 'Loại giấy tờ', copies: 'Số bản sao', fee: 'Lệ phí',
};

type Editable = Pick<DossierState, 'applicant' | 'documentType' | 'copies' | 'fee'>;

/** What the edit changes of the dossier, field by field, in a fixed order (nothing when it changes nothing). */
export function editChanges(current: Editable, edit: DossierEdit): FieldChange[] {
  const pairs: [EditedField, string | number | null, string | number | null | undefined][] = [
    ['applicantKind', current.applicant.kind, edit.applicant?.kind],
    ['fullName', current.applicant.fullName, edit.applicant?.fullName],
    ['idNumber', current.applicant.idNumber, edit.applicant?.idNumber],
    ['email', current.applicant.email, edit.applicant?.email],
    ['phone', current.applicant.phone, edit.applicant?.phone],
    ['account', current.applicant.accountUsername, edit.applicant?.accountUsername],
    ['documentType', current.documentType.name, edit.documentType?.name],
    ['copies', current.copies, edit.copies],
    ['fee', current.fee, edit.fee],
  ];
  return pairs.filter(([, before, after]) => after !== undefined && after !== before)
    .map(([field, before, after]) => ({ field, before, after: after as string | number | null }));
}

/** The edit reduced to what differs from the dossier (undefined when nothing does): what the web server sends. */
export function effectiveEdit(current: Editable, edit: DossierEdit): DossierEdit | undefined {
  const changed = new Set(editChanges(current, edit).map((c) => c.field));
  const applicantFields: EditedField[] = ['applicantKind', 'fullName', 'idNumber', 'email', 'phone', 'account'];
  const out: DossierEdit = {
    ...(edit.applicant && applicantFields.some((f) => changed.has(f)) ? { applicant: edit.applicant } : {}),
    ...(edit.documentType && changed.has('documentType') ? { documentType: edit.documentType } : {}),
    ...(edit.copies !== undefined && changed.has('copies') ? { copies: edit.copies } : {}),
    ...(edit.fee !== undefined && changed.has('fee') ? { fee: edit.fee } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

const shown = (field: EditedField, v: string | number | null) =>
  v === null || v === '' ? '(trống)'
    : field === 'fee' ? formatVnd(Number(v))
      : field === 'applicantKind' ? APPLICANT_KIND_LABELS[v as ApplicantKind] ?? String(v) : String(v);

/** "Số bản sao: 1 → 2; Lệ phí: 2.000 đồng → 4.000 đồng", for the history and the audit. */
export function changesText(changes: FieldChange[]): string {
  return changes.map((c) => `${EDITED_FIELD_LABELS[c.field]}: ${shown(c.field, c.before)} → ${shown(c.field, c.after)}`).join('; ');
}
