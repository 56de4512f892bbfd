// The audit events' words: what "Xem tiến trình" and the dossier's history have always shown for each.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_EVENT_TYPES, auditEventOf, auditNote, auditText, type AuditEvent } from './audit.js';

const pdf = { sha256: 'a'.repeat(64), size: 10 };
const cases: [AuditEvent, string, string | undefined][] = [
  [{ type: 'submitted', payload: { dueDate: '2026-12-04' } }, 'Tạo hồ sơ và trình lãnh đạo ký', undefined],
  [{ type: 'returned', payload: { reason: 'Bản scan không rõ' } }, 'Trả lại hồ sơ cho cán bộ tư pháp. Lý do: Bản scan không rõ', 'Bản scan không rõ'],
  [{ type: 'resubmitted', payload: { scanReplaced: true, pageCount: 2, fee: 4000, note: null } }, 'Xử lý tiếp: đính kèm bản scan mới và trình ký lại', 'Đính kèm bản scan mới'],
  [{ type: 'resubmitted', payload: { scanReplaced: false, pageCount: 2, fee: 4000, note: null } }, 'Xử lý tiếp: trình ký lại', undefined],
  [{ type: 'cancelled', payload: { reason: 'Hủy theo yêu cầu' } }, 'Hủy hồ sơ. Lý do: Hủy theo yêu cầu', 'Hủy theo yêu cầu'],
  [{ type: 'reviewed', payload: { index: 0, label: 'Lãnh đạo phòng kiểm tra' } }, 'Kiểm tra hồ sơ (Lãnh đạo phòng kiểm tra): đồng ý, chuyển bước tiếp theo', 'Lãnh đạo phòng kiểm tra'],
  [{ type: 'signed', payload: { signedPdf: pdf } }, 'Ký số bản sao (lãnh đạo)', undefined],
  [{ type: 'sealed', payload: { certificationNumber: '12/ĐT', registerBook: { id: 3, name: '01/2026/ĐT' }, sealedPdf: pdf } },
    'Cấp số chứng thực và đóng dấu cơ quan (Số chứng thực 12/ĐT, sổ 01/2026/ĐT)', 'Số chứng thực 12/ĐT, sổ 01/2026/ĐT'],
  [{ type: 'delivery_requested', payload: { email: 'a@example.vn', portal: true } }, 'Hoàn thành và chuyển bản chứng thực điện tử tới người yêu cầu', undefined],
  [{ type: 'resend_requested', payload: { email: 'a@example.vn', corrected: false } }, 'Gửi lại bản sao điện tử qua email', 'Gửi lại tới a@example.vn'],
  [{ type: 'resend_requested', payload: { email: 'b@example.vn', corrected: true } },
    'Gửi lại bản sao điện tử qua email tới địa chỉ đã sửa b@example.vn', 'Gửi lại tới b@example.vn'],
  [{ type: 'delivered', payload: { email: 'a@example.vn', portal: true } }, 'Đã gửi bản sao điện tử (email a@example.vn, tài khoản DVCQG)', 'email a@example.vn, tài khoản DVCQG'],
  [{ type: 'delivered', payload: { email: null, portal: true } }, 'Đã gửi bản sao điện tử (tài khoản DVCQG)', 'tài khoản DVCQG'],
  [{ type: 'delivery_failed', payload: { error: 'SMTP refused' } }, 'Gửi bản sao điện tử không thành công sau nhiều lần thử: SMTP refused', 'SMTP refused'],
  [{ type: 'overdue', payload: { dueDate: '2026-12-03' } },
    'Hồ sơ quá hạn trả kết quả (Quá hạn trả kết quả (hạn 03/12/2026))', 'Quá hạn trả kết quả (hạn 03/12/2026)'],
  [{ type: 'archive_renewed', payload: { version: 2, sha256: pdf.sha256, size: 10, timestampedAt: '2027-01-01T00:00:00.000Z', tsa: 'TSA A', reason: 'weakAlgorithm' } },
    'Gia hạn dấu thời gian lưu trữ: Phiên bản 2, thuật toán của dấu thời gian trước không còn an toàn; dấu thời gian mới của TSA A',
    'Phiên bản 2, thuật toán của dấu thời gian trước không còn an toàn'],
];

describe('audit events', () => {
  it.each(cases)('%j reads as people have always read it', (event, text, note) => {
    expect(auditText(event)).toBe(text);
    expect(auditNote(event)).toBe(note);
  });

  it('covers every event type, each recording one dossier action', () => {
    expect(new Set(cases.map(([e]) => e.type))).toEqual(new Set(AUDIT_EVENT_TYPES));
    expect(new Set(Object.values(AUDIT_ACTIONS)).size).toBe(AUDIT_EVENT_TYPES.length);
  });

  it('reads a stored row back, refusing an unknown type', () => {
    expect(auditEventOf({ type: 'returned', payload: { reason: 'x' } })).toEqual({ type: 'returned', payload: { reason: 'x' } });
    expect(auditEventOf({ type: 'teleported', payload: {} })).toBeNull();
    expect(auditEventOf({ type: 'returned', payload: null })).toBeNull();
  });
});
