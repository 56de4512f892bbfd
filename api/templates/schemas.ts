// What the template routes accept: a kind and a version in the path, and the screens' forms turned into a draft. The
// draft's own rules (placeholders, lengths, the law's sentence, known register fields) are domain/templates.ts's.
import { TEMPLATE_KINDS } from '../../domain/templates.js';
import { object, oneOf, positiveInt32 } from '../http/schemas.js';
import { z } from 'zod';

const kind = oneOf('Loại mẫu', TEMPLATE_KINDS, `Loại mẫu (kind) phải là một trong: ${TEMPLATE_KINDS.join(', ')}.`)
  .refine((v) => v !== undefined, { message: `Loại mẫu (kind) phải là một trong: ${TEMPLATE_KINDS.join(', ')}.` })
  .transform((v) => v!);

export const kindParams = object({ kind });
export const versionParams = object({ kind, version: positiveInt32('Phiên bản') });

const lines = z.unknown().transform((v) => (typeof v === 'string' ? v : ''));

/** "Mẫu lời chứng" as typed: a textarea of lines each for the header and the body, one date line. */
export const attestationForm = object({ header: lines, body: lines, dateLine: lines });

const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' ? x : ''));

/** "Mẫu sổ" as typed: rows of (field, header, width); a row without a field is an empty row of the form, left out. */
export function registerForm(body: Record<string, unknown>): { columns: { field: string; header: string; width: string }[] } {
  const fields = list(body.field), headers = list(body.header), widths = list(body.width);
  return {
    columns: fields.map((field, i) => ({ field, header: headers[i] ?? '', width: widths[i] ?? '' })).filter((c) => c.field !== ''),
  };
}
