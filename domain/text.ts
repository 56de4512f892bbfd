// One normalisation for every text a person types (sandbox-safe, pure): NFC, trimmed, refused when it is not a
// string, too long, or carries characters that have no place in a name or a reason — controls (a NUL reaches
// PostgreSQL as "invalid byte sequence"; CR/LF forge header lines in an e-mail), bidi overrides and isolates
// (U+202E shows "gpj.exe" as "exe.jpg"), zero-width and other invisible format characters, lone surrogates.
import { DomainError } from './errors.js';

export interface TextRule {
  /** The field's name as the screen shows it, in Vietnamese ("Họ và tên"). */
  label: string;
  /** The longest value accepted, in characters (code points) after normalisation. */
  max: number;
  /** Keeps line breaks (as \n); single-line fields refuse CR and LF. */
  multiline?: boolean;
}

export type TextResult = { ok: true; value: string } | { ok: false; message: string };

// \p{Cc}: C0, DEL and C1 controls; \p{Cf}: format characters (bidi marks, overrides and isolates, zero-width
// space/joiners, word joiner, BOM, soft hyphen, tags…); \p{Cs}: lone surrogates; \p{Co}: private use; U+2028/U+2029: line separators.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\u2028\u2029]/u;
const FORBIDDEN_MULTILINE = /[^\P{Cc}\n]|[\p{Cf}\p{Cs}\p{Co}\u2028\u2029]/u;

export const invalidCharacters = (label: string) => `Trường "${label}" chứa ký tự không hợp lệ.`;
export const notText = (label: string) => `Trường "${label}" phải là chuỗi ký tự.`;
export const tooLong = (label: string, max: number) => `Trường "${label}" quá dài (tối đa ${max} ký tự).`;

/** The normalised value, or why it is refused (Vietnamese, naming the field). Absent (undefined/null) is ''. */
export function checkText(value: unknown, rule: TextRule): TextResult {
  if (value === undefined || value === null) return { ok: true, value: '' };
  if (typeof value !== 'string') return { ok: false, message: notText(rule.label) };
  let s = value.normalize('NFC');
  if (rule.multiline) s = s.replace(/\r\n?/g, '\n');
  s = s.trim();
  if ((rule.multiline ? FORBIDDEN_MULTILINE : FORBIDDEN).test(s)) return { ok: false, message: invalidCharacters(rule.label) };
  // Counted before anything is stored: a limit in characters, not UTF-16 units.
  let n = 0;
  for (const _ of s) if (++n > rule.max) return { ok: false, message: tooLong(rule.label, rule.max) };
  return { ok: true, value: s };
}

/** checkText, refusing with DomainError('validation', message, field). */
export function normalizeText(value: unknown, rule: TextRule & { field: string }): string {
  const r = checkText(value, rule);
  if (!r.ok) throw new DomainError('validation', r.message, rule.field);
  return r.value;
}

/**
 * The safety net's test, for values nobody wrote a rule for: C0 and C1 controls (NUL above all), allowing tab,
 * CR and LF only where a body may carry them.
 */
export function hasControlCharacter(s: string, allowWhitespace: boolean): boolean {
  return allowWhitespace ? /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/.test(s) : /[\x00-\x1f\x7f-\x9f]/.test(s);
}
