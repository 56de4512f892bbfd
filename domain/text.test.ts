// The one normalisation of typed text: what is kept, what is refused, and that the refusal names the field.
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { checkText, hasControlCharacter, normalizeText } from './text.js';

const NAME = { field: 'fullName', label: 'Họ và tên', max: 20 };
const REASON = { field: 'reason', label: 'Lý do', max: 50, multiline: true };

function refusal(value: unknown, rule: typeof NAME | typeof REASON = NAME): DomainError {
  try { normalizeText(value, rule); } catch (e) { if (e instanceof DomainError) return e; throw e; }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('normalizeText', () => {
  it('keeps Vietnamese text, composed (NFC) and trimmed', () => {
    const decomposed = 'Nguye\u0302\u0303n Va\u0306n A'; // NFD, as some keyboards and macOS send it
    expect(normalizeText(`  ${decomposed}  `, NAME)).toBe('Nguyễn Văn A');
    expect(normalizeText('Nguyễn Văn A', NAME)).toBe('Nguyễn Văn A');
    expect(normalizeText(undefined, NAME)).toBe('');
    expect(normalizeText(null, NAME)).toBe('');
    expect(normalizeText('   ', NAME)).toBe('');
  });

  it.each([
    ['NUL', 'Nguyễn\u0000A'],
    ['a C0 control (ESC)', 'Nguyễn\u001bA'],
    ['DEL', 'Nguyễn\u007fA'],
    ['a C1 control (NEL)', 'Nguyễn\u0085A'],
    ['an RTL override (U+202E)', 'Nguyễn \u202Egpj.exe'],
    ['an RTL isolate (U+2067)', 'Nguyễn \u2067A'],
    ['a zero-width space (U+200B)', 'Nguy\u200Bễn'],
    ['a zero-width joiner (U+200D)', 'Nguy\u200Dễn'],
    ['a BOM inside (U+FEFF)', 'Nguy\uFEFFễn'],
    ['a line separator (U+2028)', 'Nguyễn\u2028A'],
    ['a lone surrogate', 'Nguyễn\uD800A'],
    ['a private-use character', 'Nguyễn\uE000A'],
    ['LF (a forged header line)', 'Nguyễn A\nBcc: x@evil.example'],
    ['CR', 'Nguyễn A\rB'],
    ['a tab', 'Nguyễn\tA'],
  ])('refuses %s in a single-line field, naming the field', (_what, value) => {
    const e = refusal(value);
    expect(e.code).toBe('validation');
    expect(e.field).toBe('fullName');
    expect(e.message).toBe('Trường "Họ và tên" chứa ký tự không hợp lệ.');
  });

  it('refuses values that are not strings, naming the field', () => {
    for (const v of [{ a: 1 }, ['a'], 12, true]) {
      const e = refusal(v);
      expect([e.code, e.field, e.message]).toEqual(['validation', 'fullName', 'Trường "Họ và tên" phải là chuỗi ký tự.']);
    }
  });

  it('counts the limit in characters after normalisation', () => {
    expect(normalizeText('ễ'.repeat(20), NAME)).toHaveLength(20);
    expect(normalizeText('e\u0302\u0303'.repeat(20), NAME)).toBe('ễ'.repeat(20)); // 60 units decomposed, 20 composed
    expect(normalizeText('😀'.repeat(20), NAME)).toHaveLength(40); // 20 characters, 40 UTF-16 units
    const e = refusal('a'.repeat(21));
    expect([e.field, e.message]).toEqual(['fullName', 'Trường "Họ và tên" quá dài (tối đa 20 ký tự).']);
  });

  it('keeps line breaks in a multiline field (CRLF becomes LF), and refuses other controls there', () => {
    expect(normalizeText('Thiếu trang 2.\r\nẢnh mờ.\rXin bổ sung.', REASON)).toBe('Thiếu trang 2.\nẢnh mờ.\nXin bổ sung.');
    for (const v of ['Lý do\u0000', 'Lý do\u202E', 'Lý do\u200B', 'Lý do\u0085', 'Lý do\u0007']) {
      expect(refusal(v, REASON).message).toBe('Trường "Lý do" chứa ký tự không hợp lệ.');
    }
  });

  it('checkText reports instead of throwing', () => {
    expect(checkText(' a ', NAME)).toEqual({ ok: true, value: 'a' });
    expect(checkText('a\u0000', NAME)).toEqual({ ok: false, message: 'Trường "Họ và tên" chứa ký tự không hợp lệ.' });
  });
});

describe('hasControlCharacter (the safety net)', () => {
  it('finds C0 and C1 controls; tab, CR and LF only where whitespace is not allowed', () => {
    expect(hasControlCharacter('a\u0000b', true)).toBe(true);
    expect(hasControlCharacter('a\u009fb', true)).toBe(true);
    expect(hasControlCharacter('a\tb\r\nc', true)).toBe(false);
    expect(hasControlCharacter('a\nb', false)).toBe(true);
    expect(hasControlCharacter('Nguyễn Văn A – “Sổ” 01/2026/ĐT', false)).toBe(false);
  });
});
