// The requests of the register-book routes (screens and API alike): search, create (POST), edit (PATCH: a field
// left out keeps its value), and a book id in the path. The book's own rules (name, start number, dates) are
// checked and explained by api/register/service.ts.
import { z } from 'zod';
import { INT32_MAX, object, optionalText, pagingShape } from '../http/schemas.js';
import { BOOK_EXPORT_LAYOUTS, type BookExportLayout } from './export.js';

const START_MESSAGE = 'Số ban đầu chỉ gồm chữ số và phải lớn hơn 0.';

export const bookSearchQuery = object({ year: optionalText('Năm', 10), name: optionalText('Tên sổ', 100), ...pagingShape });
const startNumber = z.unknown().optional()
  .refine((v) => v === undefined || v === null || typeof v === 'number' || typeof v === 'string', { message: START_MESSAGE })
  .transform((v) => (v ?? undefined) as number | string | undefined);
export const bookBody = object({
  name: z.unknown().optional(), // validName (api/register/service.ts) normalises and explains
  startNumber,
  openDate: optionalText('Ngày mở sổ', 20),
  closeDate: optionalText('Ngày đóng sổ', 20),
});
export const bookPatch = object({
  name: z.unknown().optional(),
  startNumber,
  openDate: optionalText('Ngày mở sổ', 20).optional(),
  closeDate: optionalText('Ngày đóng sổ', 20).optional(),
});

/** A path id: digits only and within int4 (PostgreSQL's integer), else the book cannot exist. */
export function bookId(raw: unknown): number {
  const s = typeof raw === 'string' ? raw : '';
  return /^\d{1,10}$/.test(s) && Number(s) <= INT32_MAX ? Number(s) : -1;
}

/** `?layout=` of a book's Excel export: the register layout (default) or the seed's short report. */
export const exportQuery = object({
  layout: optionalText('Mẫu xuất', 20).transform((v, ctx) => {
    if (!v) return 'register' as BookExportLayout;
    if ((BOOK_EXPORT_LAYOUTS as readonly string[]).includes(v)) return v as BookExportLayout;
    ctx.addIssue({ code: 'custom', message: `Mẫu xuất phải là một trong: ${BOOK_EXPORT_LAYOUTS.join(', ')}.` });
    return z.NEVER;
  }),
});
