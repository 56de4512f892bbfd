// Versioned templates (issue 10 §5): the attestation text (lời chứng) and the register book's Excel layout. A decree
// can replace them nationally (NĐ 280/2025 did), so they are data: a system administrator publishes a new version,
// versions never change, and each e-copy records the version of the attestation it was signed with.
// PURE module: sandbox-safe (domain/ only, no Node API, no locale APIs).
import { ATTESTATION_SENTENCE, type AttestationBlocks, type AttestationInput, type AttestationSigner } from './attestation.js';
import { DomainError } from './errors.js';
import { vnLongDate } from './vn-time.js';

export const TEMPLATE_KINDS = ['attestation', 'register_book'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export const TEMPLATE_KIND_LABELS: Record<TemplateKind, string> = { attestation: 'Mẫu lời chứng', register_book: 'Mẫu sổ chứng thực (Excel)' };

// ---- the attestation ---------------------------------------------------------------------------------------------

/** What a line may say between braces; each is replaced by its value at signing time. */
export const ATTESTATION_PLACEHOLDERS = {
  agencyName: 'Tên cơ quan chứng thực',
  documentTypeName: 'Loại giấy tờ',
  dossierCode: 'Mã chứng thực (mã hồ sơ)',
  copies: 'Số bản sao',
  date: 'Ngày chứng thực (ngày … tháng … năm …)',
} as const;
export type AttestationPlaceholder = keyof typeof ATTESTATION_PLACEHOLDERS;

/**
 * The attestation page's text: `header` (the agency line, then the title lines, drawn large), `body` (one paragraph
 * per line; the one with the law's sentence in bold) and `dateLine` (above the signer's title; its first letter is
 * capitalised). The signer's title and name come from the signer, never from the template.
 */
export interface AttestationTemplate { header: string[]; body: string[]; dateLine: string }

/** Version 1: the text the product printed before templates existed (so files and tests signed with it are unchanged). */
export const ATTESTATION_TEMPLATE_V1: AttestationTemplate = {
  header: ['{agencyName}', 'LỜI CHỨNG'],
  body: [ATTESTATION_SENTENCE, 'Loại giấy tờ: {documentTypeName}', 'Mã chứng thực: {dossierCode}', 'Số bản sao: {copies}'],
  dateLine: '{date}',
};

export const TEMPLATE_LINE_MAX = 200;
export const HEADER_LINES_MAX = 4;
export const BODY_LINES_MAX = 8;

// C0 and C1 controls, and the Unicode line/paragraph separators: a line is one line of printed text.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

function refuse(message: string, field: string): never {
  throw new DomainError('validation', message, field);
}

/** One line, checked: its length, no control character, only known placeholders, no stray brace. */
function checkLine(line: unknown, label: string, field: string): string {
  if (typeof line !== 'string') refuse(`${label}: mỗi dòng phải là một chuỗi ký tự.`, field);
  const s = line.normalize('NFC').trim();
  if (CONTROL.test(s)) refuse(`${label}: không được chứa ký tự điều khiển.`, field);
  if (s.length > TEMPLATE_LINE_MAX) refuse(`${label}: mỗi dòng dài tối đa ${TEMPLATE_LINE_MAX} ký tự.`, field);
  for (const m of s.matchAll(PLACEHOLDER)) {
    if (!(m[1] in ATTESTATION_PLACEHOLDERS)) {
      refuse(`${label}: trường thay thế {${m[1]}} không có; chỉ dùng ${Object.keys(ATTESTATION_PLACEHOLDERS).map((k) => `{${k}}`).join(', ')}.`, field);
    }
  }
  if (/[{}]/.test(s.replace(PLACEHOLDER, ''))) refuse(`${label}: dấu ngoặc nhọn { } chỉ dùng để ghi trường thay thế, ví dụ {dossierCode}.`, field);
  return s;
}

function checkLines(v: unknown, label: string, field: string, max: number): string[] {
  const raw = typeof v === 'string' ? v.split(/\r?\n/) : v;
  if (!Array.isArray(raw)) refuse(`${label}: vui lòng nhập các dòng.`, field);
  const lines = raw.map((l) => checkLine(l, label, field)).filter((l) => l !== '');
  if (!lines.length) refuse(`${label}: vui lòng nhập ít nhất một dòng.`, field);
  if (lines.length > max) refuse(`${label}: tối đa ${max} dòng.`, field);
  return lines;
}

/**
 * A draft attestation template as typed (lines as arrays, or as one text with a line per row), checked: a refusal
 * is a 'validation' DomainError naming the field. The law's sentence must stay in the body, word for word.
 */
export function parseAttestationTemplate(input: unknown): AttestationTemplate {
  if (!input || typeof input !== 'object') refuse('Vui lòng gửi mẫu lời chứng {header, body, dateLine}.', 'body');
  const o = input as Record<string, unknown>;
  const header = checkLines(o.header, 'Phần đầu', 'header', HEADER_LINES_MAX);
  const body = checkLines(o.body, 'Nội dung lời chứng', 'body', BODY_LINES_MAX);
  if (!body.some((l) => l.includes(ATTESTATION_SENTENCE))) {
    refuse(`Nội dung lời chứng phải giữ nguyên câu “${ATTESTATION_SENTENCE}” (Nghị định 23/2015/NĐ-CP).`, 'body');
  }
  const dateLine = checkLine(o.dateLine ?? '', 'Dòng ngày chứng thực', 'dateLine');
  if (!dateLine) refuse('Dòng ngày chứng thực: vui lòng nhập, ví dụ {date}.', 'dateLine');
  return { header, body, dateLine };
}

const fill = (line: string, values: Record<AttestationPlaceholder, string | undefined>) =>
  line.replace(PLACEHOLDER, (_m, k: AttestationPlaceholder) => values[k] ?? '');

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The attestation blocks of a dossier from a template. A line whose placeholder has no value (the number of copies
 * when not given) is left out, as before templates. The certification number and book, known only at sealing, are
 * printed by the seal's block; a caller that has them gets their line at the end of the body.
 */
export function renderAttestation(t: AttestationTemplate, a: AttestationInput & AttestationSigner): AttestationBlocks {
  const values: Record<AttestationPlaceholder, string | undefined> = {
    agencyName: a.agencyName, documentTypeName: a.documentTypeName, dossierCode: a.dossierCode,
    copies: a.copies === undefined ? undefined : String(a.copies), date: vnLongDate(a.date),
  };
  const missing = (line: string) => [...line.matchAll(PLACEHOLDER)].some((m) => values[m[1] as AttestationPlaceholder] === undefined);
  const lines = (ls: string[]) => ls.filter((l) => !missing(l)).map((l) => fill(l, values));
  const body = lines(t.body);
  if (a.certificationNumber && a.registerBookName) body.push(`Số chứng thực: ${a.certificationNumber}    Quyển số: ${a.registerBookName}`);
  return { header: lines(t.header), body, dateLine: capitalised(fill(t.dateLine, values)), signerTitle: a.signerTitle, signerName: a.signerName };
}

// ---- the register book's Excel layout --------------------------------------------------------------------------

/** The facts of a register entry a column may show. */
export const REGISTER_FIELDS = {
  index: 'Số thứ tự',
  certificationNumber: 'Số chứng thực',
  certifiedAt: 'Ngày chứng thực',
  applicantName: 'Họ tên người yêu cầu',
  documentTypeName: 'Tên bản chính giấy tờ',
  signerName: 'Người ký chứng thực',
  copies: 'Số bản sao',
  fee: 'Lệ phí',
  dossierCode: 'Mã chứng thực',
  signerCertificate: 'Chứng thư số người ký (SHA-256)',
  sealCertificate: 'Chứng thư số con dấu (SHA-256)',
} as const;
export type RegisterField = keyof typeof REGISTER_FIELDS;
export const REGISTER_FIELD_NAMES = Object.keys(REGISTER_FIELDS) as RegisterField[];

export interface RegisterColumn { field: RegisterField; header: string; width: number }
export interface RegisterLayoutTemplate { columns: RegisterColumn[] }

export const REGISTER_LAYOUT_V1: RegisterLayoutTemplate = {
  columns: [
    { field: 'index', header: 'STT', width: 6 },
    { field: 'certificationNumber', header: 'Số chứng thực', width: 14 },
    { field: 'certifiedAt', header: 'Ngày chứng thực', width: 16 },
    { field: 'applicantName', header: 'Họ tên người yêu cầu', width: 30 },
    { field: 'documentTypeName', header: 'Tên bản chính giấy tờ', width: 28 },
    { field: 'signerName', header: 'Người ký chứng thực', width: 24 },
    { field: 'copies', header: 'Số bản sao', width: 10 },
    { field: 'fee', header: 'Lệ phí (đồng)', width: 14 },
    { field: 'dossierCode', header: 'Mã chứng thực', width: 24 },
  ],
};

export const REGISTER_COLUMNS_MAX = REGISTER_FIELD_NAMES.length;
export const REGISTER_HEADER_MAX = 60;
export const REGISTER_WIDTH_MIN = 4;
export const REGISTER_WIDTH_MAX = 80;

/** A draft register layout, checked: known fields, each once, a header and a width for each. */
export function parseRegisterLayout(input: unknown): RegisterLayoutTemplate {
  const columns = (input && typeof input === 'object' ? (input as Record<string, unknown>).columns : undefined);
  if (!Array.isArray(columns) || !columns.length) refuse('Mẫu sổ phải có ít nhất một cột.', 'columns');
  if (columns.length > REGISTER_COLUMNS_MAX) refuse(`Mẫu sổ có tối đa ${REGISTER_COLUMNS_MAX} cột.`, 'columns');
  const seen = new Set<string>();
  return {
    columns: columns.map((c, i) => {
      const n = i + 1;
      const o = (c && typeof c === 'object' ? c : {}) as Record<string, unknown>;
      if (typeof o.field !== 'string' || !(o.field in REGISTER_FIELDS)) {
        refuse(`Cột ${n}: thông tin (field) phải là một trong: ${REGISTER_FIELD_NAMES.join(', ')}.`, 'columns');
      }
      if (seen.has(o.field)) refuse(`Cột ${n}: “${REGISTER_FIELDS[o.field as RegisterField]}” đã có ở cột khác.`, 'columns');
      seen.add(o.field);
      const header = typeof o.header === 'string' ? o.header.normalize('NFC').trim() : '';
      if (!header) refuse(`Cột ${n}: vui lòng nhập tiêu đề cột.`, 'columns');
      if (CONTROL.test(header)) refuse(`Cột ${n}: tiêu đề không được chứa ký tự điều khiển.`, 'columns');
      if (header.length > REGISTER_HEADER_MAX) refuse(`Cột ${n}: tiêu đề dài tối đa ${REGISTER_HEADER_MAX} ký tự.`, 'columns');
      const width = typeof o.width === 'string' && /^\d+$/.test(o.width.trim()) ? Number(o.width) : o.width;
      if (typeof width !== 'number' || !Number.isInteger(width) || width < REGISTER_WIDTH_MIN || width > REGISTER_WIDTH_MAX) {
        refuse(`Cột ${n}: độ rộng phải là số nguyên từ ${REGISTER_WIDTH_MIN} đến ${REGISTER_WIDTH_MAX}.`, 'columns');
      }
      return { field: o.field as RegisterField, header, width };
    }),
  };
}

// ---- both --------------------------------------------------------------------------------------------------------

export type TemplateBody<K extends TemplateKind = TemplateKind> = K extends 'attestation' ? AttestationTemplate : RegisterLayoutTemplate;

export const FIRST_VERSIONS: { [K in TemplateKind]: TemplateBody<K> } = { attestation: ATTESTATION_TEMPLATE_V1, register_book: REGISTER_LAYOUT_V1 };

export function parseTemplate<K extends TemplateKind>(kind: K, input: unknown): TemplateBody<K> {
  return (kind === 'attestation' ? parseAttestationTemplate(input) : parseRegisterLayout(input)) as TemplateBody<K>;
}

/** A version as the administration's audit shows it: flat text fields that read well before and after. */
export function templateAuditRecord(kind: TemplateKind, version: number, body: AttestationTemplate | RegisterLayoutTemplate): Record<string, string | number> {
  if (kind === 'attestation') {
    const t = body as AttestationTemplate;
    return { version, header: t.header.join('\n'), body: t.body.join('\n'), dateLine: t.dateLine };
  }
  const t = body as RegisterLayoutTemplate;
  return { version, columns: t.columns.map((c) => `${c.header} (${c.field}, ${c.width})`).join('\n') };
}

export const TEMPLATE_FIELD_LABELS: Record<string, string> = {
  version: 'Phiên bản', header: 'Phần đầu', body: 'Nội dung lời chứng', dateLine: 'Dòng ngày chứng thực', columns: 'Các cột',
};
