// The reusable request schemas: what each accepts and how each refusal reads (Vietnamese, naming the field).
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { idNumber, isoDate, multilineText, object, oneOf, optionalText, paging, parse, positiveInt32, text, vnDate } from './schemas.js';

function refusal(f: () => unknown): { field?: string; message: string } {
  try { f(); } catch (e) { if (e instanceof DomainError && e.code === 'validation') return { field: e.field, message: e.message }; throw e; }
  throw new Error('accepted');
}

describe('request schemas', () => {
  it('paging: integers in range, defaults when absent or blank; never 1e20, 1.5, -1 or an array', () => {
    expect(parse(paging, {})).toEqual({ page: 1, pageSize: 10 });
    expect(parse(paging, { page: '', pageSize: ' ' })).toEqual({ page: 1, pageSize: 10 });
    expect(parse(paging, { page: '3', pageSize: 100 })).toEqual({ page: 3, pageSize: 100 });
    for (const page of ['1e20', '0', '-1', '10001', '1.0', 1.5, ['1'], { a: 1 }]) {
      expect(refusal(() => parse(paging, { page }))).toEqual({ field: 'page', message: 'Trường "Trang" phải là số nguyên từ 1 đến 10000.' });
    }
    for (const pageSize of ['1.5', '101', '0']) {
      expect(refusal(() => parse(paging, { pageSize }))).toEqual({ field: 'pageSize', message: 'Trường "Số dòng mỗi trang" phải là số nguyên từ 1 đến 100.' });
    }
  });

  it('positiveInt32: a PostgreSQL integer id, as a JSON number or digits', () => {
    const s = object({ id: positiveInt32('Sổ chứng thực', 'Vui lòng chọn sổ chứng thực.') });
    expect(parse(s, { id: 2147483647 })).toEqual({ id: 2147483647 });
    expect(parse(s, { id: ' 12 ' })).toEqual({ id: 12 });
    for (const id of [2147483648, '2147483648', 0, 1.5, '1e3', [1], true, undefined, '']) {
      expect(refusal(() => parse(s, { id }))).toEqual({ field: 'id', message: 'Vui lòng chọn sổ chứng thực.' });
    }
  });

  it('text fields go through domain/text.ts and name the field', () => {
    const s = object({ name: text('Tên sổ', 10), note: optionalText('Ghi chú', 10), reason: multilineText('Lý do', 50), id: idNumber });
    expect(parse(s, { name: ' Sổ A ', reason: 'a\r\nb' })).toEqual({ name: 'Sổ A', note: '', reason: 'a\nb', id: '' });
    expect(refusal(() => parse(s, {}))).toEqual({ field: 'name', message: 'Vui lòng nhập tên sổ.' });
    expect(refusal(() => parse(s, { name: { a: 1 } }))).toEqual({ field: 'name', message: 'Trường "Tên sổ" phải là chuỗi ký tự.' });
    expect(refusal(() => parse(s, { name: 'A', note: 'x\u202Ey' }))).toEqual({ field: 'note', message: 'Trường "Ghi chú" chứa ký tự không hợp lệ.' });
    expect(refusal(() => parse(s, { name: 'A', reason: 'x\u0000' }))).toEqual({ field: 'reason', message: 'Trường "Lý do" chứa ký tự không hợp lệ.' });
    expect(refusal(() => parse(s, { name: 'A', id: 5 }))).toEqual({ field: 'id', message: 'Trường "Số CMND/CCCD/MST" phải là chuỗi ký tự.' });
  });

  it('dates: valid days in a sane range; blank is null', () => {
    const s = object({ from: vnDate('Từ ngày'), day: isoDate('Ngày hẹn') });
    expect(parse(s, { from: '05/03/2026', day: '2026-03-05' })).toEqual({ from: '2026-03-05', day: '2026-03-05' });
    expect(parse(s, {})).toEqual({ from: null, day: null });
    expect(refusal(() => parse(s, { from: '31/02/2026' })).field).toBe('from');
    expect(refusal(() => parse(s, { from: '01/01/2999' })).message).toBe('Từ ngày không hợp lệ (dd/mm/yyyy).');
    expect(refusal(() => parse(s, { day: '2999-01-01' })).field).toBe('day');
  });

  it('oneOf, and a body that is not an object', () => {
    const s = object({ kind: oneOf('Đối tượng', ['citizen', 'business'] as const) });
    expect(parse(s, { kind: 'citizen' })).toEqual({ kind: 'citizen' });
    expect(parse(s, { kind: '' })).toEqual({ kind: undefined });
    expect(refusal(() => parse(s, { kind: 'admin' }))).toEqual({ field: 'kind', message: 'Đối tượng không hợp lệ.' });
    for (const body of [[{ kind: 'citizen' }], 'citizen', null, 5]) {
      expect(refusal(() => parse(s, body))).toEqual({ field: undefined, message: 'Dữ liệu gửi lên không hợp lệ: cần một đối tượng JSON.' });
    }
  });
});
