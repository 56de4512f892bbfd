// The backfill of the typed audit trail: rows written before it get a type and payload that read as they did.
import { type Kysely, type Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditEventOf, auditText } from '../domain/audit.js';
import { databaseMigratedTo } from '../lib/testing/database.js';

let db: Kysely<any>;
let migrator: () => Migrator;
let close: (() => Promise<void>) | undefined;
const pdf = (c: string) => ({ sha256: c.repeat(64), size: 1000 });

beforeAll(async () => {
  ({ db, migrator, close } = await databaseMigratedTo(inject('pgAdminUrl'), '20261201_004_create_reservations'));
});
afterAll(async () => { await close?.(); });

describe('20261202_001_audit_event_type', () => {
  it('types the rows already there, from their action, note and dossier, and they read as before', async () => {
    await db.insertInto('agencies').values({ code: 'A1', name: 'UBND Xã A', portal_code: 'G1' }).execute();
    const dossier = (code: string, snapshot: object) => ({
      code, agency_code: 'A1', status: 'completed', applicant_kind: 'citizen', applicant_name: 'Nguyễn Thị Thu',
      document_type_code: 'GKS', document_type_name: 'Giấy khai sinh', copies: 1, page_count: 3, fee: 5000,
      created_by: 'canbo', created_at: '2026-12-01T02:00:00Z', updated_at: '2026-12-01T02:00:00Z', due_date: '2026-12-03',
      snapshot: JSON.stringify(snapshot),
    });
    await db.insertInto('dossiers').values([
      dossier('D1', {
        applicant: { email: 'thu@example.vn', accountUsername: 'thu' }, signedPdf: pdf('b'), sealedPdf: pdf('c'),
        certificationNumber: '12/ĐT', registerBook: { id: 3, name: '01/2026/ĐT' },
      }),
      dossier('D2', { applicant: { email: null, accountUsername: null } }),
    ]).execute();
    // As the workflow wrote them before the audit was typed (workflows/dossier.ts `record`).
    const old: [string, string, string | null][] = [
      ['D1', 'submit', null],
      ['D1', 'returnToCreator', 'Bản scan không rõ'],
      ['D1', 'resubmit', 'Đính kèm bản scan mới'],
      ['D1', 'overdue', 'Quá hạn trả kết quả (hạn 03/12/2026)'],
      ['D1', 'sign', null],
      ['D1', 'seal', 'Số chứng thực 12/ĐT, sổ 01/2026/ĐT'],
      ['D1', 'deliver', null],
      ['D1', 'deliveryFailed', 'Không gửi được email: 550 mailbox unavailable'],
      ['D1', 'resend', 'Gửi lại tới thu@example.vn'],
      ['D1', 'delivered', 'email thu@example.vn, tài khoản DVCQG'],
      ['D2', 'submit', null],
      ['D2', 'returnToCreator', 'Bản chính bị hư hỏng'],
      ['D2', 'resubmit', null],
      ['D2', 'cancel', 'Hủy theo yêu cầu'],
    ];
    await db.insertInto('dossier_events').values(old.map(([code, action, note], i) => ({
      event_id: `${code}#${i}`, dossier_code: code, seq: i, action, actor: 'canbo', actor_name: 'Cán bộ', status: 'x', note,
      at: new Date(Date.UTC(2026, 11, 1, 2, i)).toISOString(),
    }))).execute();

    const { error } = await migrator().migrateToLatest();
    if (error) throw error;
    const rows = await db.selectFrom('dossier_events').select(['action', 'note', 'type', 'payload']).orderBy('seq').execute();
    // The notes are kept as they were.
    expect(rows.map((r) => [r.action, r.note])).toEqual(old.map(([, action, note]) => [action, note]));
    expect(rows.map((r) => r.type)).toEqual([
      'submitted', 'returned', 'resubmitted', 'overdue', 'signed', 'sealed', 'delivery_requested', 'delivery_failed',
      'resend_requested', 'delivered', 'submitted', 'returned', 'resubmitted', 'cancelled',
    ]);
    expect(rows.map((r) => r.payload)).toEqual([
      { dueDate: '2026-12-03' },
      { reason: 'Bản scan không rõ' },
      { scanReplaced: true, pageCount: 3, fee: 5000, note: null },
      { dueDate: '2026-12-03' },
      { signedPdf: pdf('b') },
      { certificationNumber: '12/ĐT', registerBook: { id: 3, name: '01/2026/ĐT' }, sealedPdf: pdf('c') },
      { email: 'thu@example.vn', portal: true },
      { error: 'Không gửi được email: 550 mailbox unavailable' },
      { email: 'thu@example.vn', corrected: false },
      { email: 'thu@example.vn', portal: true },
      { dueDate: '2026-12-03' },
      { reason: 'Bản chính bị hư hỏng' },
      { scanReplaced: false, pageCount: 3, fee: 5000, note: null },
      { reason: 'Hủy theo yêu cầu' },
    ]);
    // "Xem tiến trình" shows for them what it showed when it read the notes.
    expect(rows.map((r) => auditText(auditEventOf(r)!))).toEqual([
      'Tạo hồ sơ và trình lãnh đạo ký',
      'Trả lại hồ sơ cho cán bộ tư pháp. Lý do: Bản scan không rõ',
      'Xử lý tiếp: đính kèm bản scan mới và trình ký lại',
      'Hồ sơ quá hạn trả kết quả (Quá hạn trả kết quả (hạn 03/12/2026))',
      'Ký số bản sao (lãnh đạo)',
      'Cấp số chứng thực và đóng dấu cơ quan (Số chứng thực 12/ĐT, sổ 01/2026/ĐT)',
      'Hoàn thành và chuyển bản chứng thực điện tử tới người yêu cầu',
      'Gửi bản sao điện tử không thành công sau nhiều lần thử: Không gửi được email: 550 mailbox unavailable',
      'Gửi lại bản sao điện tử qua email',
      'Đã gửi bản sao điện tử (email thu@example.vn, tài khoản DVCQG)',
      'Tạo hồ sơ và trình lãnh đạo ký',
      'Trả lại hồ sơ cho cán bộ tư pháp. Lý do: Bản chính bị hư hỏng',
      'Xử lý tiếp: trình ký lại',
      'Hủy hồ sơ. Lý do: Hủy theo yêu cầu',
    ]);
  });

  it('goes down and up again', async () => {
    const { error } = await migrator().migrateTo('20261201_004_create_reservations');
    if (error) throw error;
    expect((await db.selectFrom('dossier_events').selectAll().limit(1).execute())[0]).not.toHaveProperty('type');
    const again = await migrator().migrateToLatest();
    if (again.error) throw again.error;
    expect((await db.selectFrom('dossier_events').select('type').where('action', '=', 'seal').executeTakeFirstOrThrow()).type).toBe('sealed');
  });
});
