// What "Xử lý tiếp" changes of a dossier, field by field, and how the history words it.
import { describe, expect, it } from 'vitest';
import type { Applicant } from './dossier.js';
import { changesText, editChanges, effectiveEdit } from './dossier-edit.js';

const applicant: Applicant = { kind: 'citizen', fullName: 'Nguyễn Thị Thu', idNumber: '151804051', email: 'thu@example.vn', phone: '0942077843', accountUsername: 'congdan' };
const current = { applicant, documentType: { code: 'GKS', name: 'Giấy khai sinh' }, copies: 1, fee: 2000 };

describe('dossier edit', () => {
  it('lists only the fields that change, with before and after, in a fixed order', () => {
    const edit = { applicant: { ...applicant, email: 'moi@example.vn' }, documentType: { code: 'BTN', name: 'Bằng tốt nghiệp' }, copies: 3, fee: 6000 };
    expect(editChanges(current, edit)).toEqual([
      { field: 'email', before: 'thu@example.vn', after: 'moi@example.vn' },
      { field: 'documentType', before: 'Giấy khai sinh', after: 'Bằng tốt nghiệp' },
      { field: 'copies', before: 1, after: 3 },
      { field: 'fee', before: 2000, after: 6000 },
    ]);
    expect(changesText(editChanges(current, edit))).toBe('Email: thu@example.vn → moi@example.vn; Loại giấy tờ: Giấy khai sinh → Bằng tốt nghiệp; Số bản sao: 1 → 3; Lệ phí: 2.000 đồng → 6.000 đồng');
  });

  it('an applicant who gives up the portal account: kind, account and contact in words; empty shown as such', () => {
    const edit = { applicant: { kind: 'no_account' as const, fullName: 'Nguyễn Thị Thu', idNumber: null, email: 'thu@example.vn', phone: null, accountUsername: null } };
    expect(changesText(editChanges(current, edit))).toBe(
      'Đối tượng: Công dân → Đối tượng không có tài khoản DVCQG; Số CMND/CCCD/MST: 151804051 → (trống); Số điện thoại: 0942077843 → (trống); Tài khoản DVCQG: congdan → (trống)');
  });

  it('an unchanged form is no edit at all; a partly changed one keeps only what differs', () => {
    expect(effectiveEdit(current, { applicant: { ...applicant }, documentType: current.documentType, copies: 1, fee: 2000 })).toBeUndefined();
    expect(effectiveEdit(current, { applicant: { ...applicant }, documentType: current.documentType, copies: 2, fee: 4000 })).toEqual({ copies: 2, fee: 4000 });
    expect(editChanges(current, {})).toEqual([]);
  });
});
