// Typed request schemas (zod), shared by the screens and the JSON API: a value of the wrong type, a number out of
// range or a text that domain/text.ts refuses is a 400 {error: 'validation', message, field}, never a 500 and never
// a coerced value ("[object Object]"). Every refusal is a custom issue with a Vietnamese message naming the field.
import { z } from 'zod';
import { isIsoDay } from '../../domain/appointments.js';
import { parseVnDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import { checkText } from '../../domain/text.js';

export const INT32_MAX = 2_147_483_647;
const OBJECT_MESSAGE = 'Dữ liệu gửi lên không hợp lệ: cần một đối tượng JSON.';

type Ctx = { addIssue(issue: { code: 'custom'; message: string }): void };
const refuse = (ctx: Ctx, message: string) => { ctx.addIssue({ code: 'custom', message }); return z.NEVER; };

/** A request body or query: an object (an array, a string or null is refused); unknown keys are dropped. */
export const object = <S extends z.ZodRawShape>(shape: S) => z.object(shape, { error: OBJECT_MESSAGE });

/** Optional single-line text, normalised by domain/text.ts; absent or blank gives ''. */
export const optionalText = (label: string, max = 200) =>
  z.unknown().optional().transform((v, ctx) => {
    const r = checkText(v, { label, max });
    return r.ok ? r.value : refuse(ctx, r.message);
  });

/** Required single-line text. */
export const text = (label: string, max = 200, required = `Vui lòng nhập ${label.toLowerCase()}.`) =>
  optionalText(label, max).transform((v, ctx) => (v ? v : refuse(ctx, required)));

/** Text that may span lines (a reason): \n kept, other controls refused. */
export const multilineText = (label: string, max = 1000) =>
  z.unknown().optional().transform((v, ctx) => {
    const r = checkText(v, { label, max, multiline: true });
    return r.ok ? r.value : refuse(ctx, r.message);
  });

/** A CMND/CCCD/MST as typed (its format is checked by domain/ids.ts, which explains each mistake). */
export const idNumber = optionalText('Số CMND/CCCD/MST', 20);

/** A password: a string, not normalised (the stored hash is of the bytes typed), bounded. */
export const password = z.unknown().optional().transform((v, ctx) =>
  v === undefined || v === null ? '' : typeof v !== 'string' ? refuse(ctx, 'Trường "Mật khẩu" phải là chuỗi ký tự.')
    : v.length > 200 ? refuse(ctx, 'Trường "Mật khẩu" quá dài (tối đa 200 ký tự).') : v);

/** An integer given as a JSON number or as digits (a form field); never 1.5, 1e20, "12a", [5] or {"a":1}. */
function integer(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v)) return Number(v);
  return null;
}

/** An integer in [min, max]; absent or blank gives `fallback` (undefined: required, refused with `message`). */
export const intInRange = (label: string, min: number, max: number, fallback?: number, message = `Trường "${label}" phải là số nguyên từ ${min} đến ${max}.`) =>
  z.unknown().optional().transform((v, ctx) => {
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return fallback ?? refuse(ctx, message);
    const n = integer(v);
    return n !== null && n >= min && n <= max ? n : refuse(ctx, message);
  });

/** A database id (PostgreSQL int4): 1 … 2,147,483,647. */
export const positiveInt32 = (label: string, message?: string) => intInRange(label, 1, INT32_MAX, undefined, message);

/** Paging of every list: page 1 … 10,000, pageSize 1 … 100 (10 by default). */
export const pagingShape = {
  page: intInRange('Trang', 1, 10_000, 1),
  pageSize: intInRange('Số dòng mỗi trang', 1, 100, 10),
};
export const paging = object(pagingShape);
/** The dossier lists' paging: a province's million dossiers are 100,000 pages, each found without skipping rows
 *  (api/dossiers/queries.ts listDossiers); the page's cap only refuses absurd numbers. */
export const dossierPagingShape = { ...pagingShape, page: intInRange('Trang', 1, 1_000_000, 1) };
export const dossierPaging = object(dossierPagingShape);

/** Years a date may fall in anywhere in this system (a register book, a filter, a report). */
const SANE_YEARS = [2000, 2100] as const;
const saneYear = (iso: string) => Number(iso.slice(0, 4)) >= SANE_YEARS[0] && Number(iso.slice(0, 4)) <= SANE_YEARS[1];

/** An optional day typed 'dd/MM/yyyy' or 'yyyy-MM-dd', as 'yyyy-MM-dd' (null when blank). */
export const vnDate = (label: string) =>
  optionalText(label, 20).transform((v, ctx) => {
    if (!v) return null;
    const d = parseVnDate(v);
    return d && saneYear(d) ? d : refuse(ctx, `${label} không hợp lệ (dd/mm/yyyy).`);
  });

/** An optional day 'yyyy-MM-dd' (null when blank). */
export const isoDate = (label: string) =>
  optionalText(label, 20).transform((v, ctx) => {
    if (!v) return null;
    return isIsoDay(v) && saneYear(v) ? v : refuse(ctx, `${label} không hợp lệ (yyyy-MM-dd).`);
  });

/** One of the given values, or undefined when blank. */
export const oneOf = <T extends string>(label: string, values: readonly T[], message = `${label} không hợp lệ.`) =>
  optionalText(label, 100).transform((v, ctx) => (v === '' ? undefined : (values as readonly string[]).includes(v) ? (v as T) : refuse(ctx, message)));

/** Parses a request's input; the first problem becomes DomainError('validation', Vietnamese message, field). */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.map(String).join('.') || undefined;
  const message = issue.code === 'custom' || issue.message === OBJECT_MESSAGE ? issue.message : `Trường "${field ?? ''}" không hợp lệ.`;
  throw new DomainError('validation', message, field);
}

// ---- the requests of the routes (screens and API alike) --------------------------------------------------------

/** GET /deliveries and "Quản lý gửi lại email". */
export const deliveryListQuery = object({
  status: optionalText('Trạng thái gửi', 20),
  code: optionalText('Mã hồ sơ', 100),
  q: optionalText('Từ khóa', 200),
  ...pagingShape,
});
