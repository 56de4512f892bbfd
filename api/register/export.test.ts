// The register book's Excel export, read back cell by cell with exceljs.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { closeRegisterBook, createRegisterBook, registerBookWorkbook } from './service.js';

let h: Harness;
beforeAll(async () => { h = await createHarness({ web: false }); });
afterAll(async () => { await h?.close(); });

it('exports the header block and the entries in the register layout template (all legal columns)', async () => {
  // One open book a year: the seeded (empty) book of 2026, if any, is closed first.
  const seeded = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', h.agencyCode).where('name', '=', '01/2026/ĐT').executeTakeFirst();
  if (seeded) await closeRegisterBook(h.db, { agencyCode: h.agencyCode, id: seeded.id, closedBy: 'vanthu' });
  const book = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ xuất Excel', startNumber: '41', openDate: '2026-01-01', closeDate: '2026-12-31', createdBy: 'vanthu' });
  await h.db.insertInto('register_entries').values([
    { register_book_id: book.id, number: 41, certification_number: '41/ĐT', dossier_code: 'X-1', applicant_name: 'Nguyễn Thị Thu', document_type_name: 'Giấy khai sinh', signer_name: 'Lâm Phước Thọ', copies: 2, fee: 8000, certified_at: '2026-06-29T09:35:40Z' },
    { register_book_id: book.id, number: 42, certification_number: '42/ĐT', dossier_code: 'X-2', applicant_name: 'Ninh Thị Liễu', document_type_name: 'Bằng tốt nghiệp', signer_name: 'Lâm Phước Thọ', copies: 1, fee: 2000, certified_at: '2026-06-30T02:00:00Z' },
  ]).execute();
  await h.db.updateTable('register_books').set({ current_number: 43 }).where('id', '=', book.id).execute();

  const { fileName, buffer } = await registerBookWorkbook(h.db, h.agencyCode, book.id);
  expect(fileName).toBe('so-chung-thuc-So-xuat-Excel-DT.xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('Sổ chứng thực')!;
  const cell = (a: string) => ws.getCell(a).value;
  expect(cell('A1')).toBe('SỔ CHỨNG THỰC BẢN SAO ĐIỆN TỬ TỪ BẢN CHÍNH');
  expect([cell('A3'), cell('B3')]).toEqual(['Tên sổ chứng thực', 'Sổ xuất Excel/ĐT']);
  expect([cell('A4'), cell('B4')]).toEqual(['Số ban đầu', '41/ĐT']);
  expect([cell('A5'), cell('B5')]).toEqual(['Số hiện tại', '43/ĐT']);
  expect([cell('A6'), cell('B6')]).toEqual(['Ngày mở sổ', '01/01/2026']);
  expect([cell('A7'), cell('B7')]).toEqual(['Ngày đóng sổ', '31/12/2026']);
  expect([cell('A8'), cell('B8')]).toEqual(['Cơ quan quản lý', 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng']);
  expect(ws.getRow(10).values).toEqual([undefined, 'STT', 'Số chứng thực', 'Ngày chứng thực', 'Họ tên người yêu cầu', 'Tên bản chính giấy tờ', 'Người ký chứng thực', 'Số bản sao', 'Lệ phí (đồng)', 'Mã chứng thực']);
  expect(ws.getRow(11).values).toEqual([undefined, 1, '41/ĐT', '29/06/2026', 'Nguyễn Thị Thu', 'Giấy khai sinh', 'Lâm Phước Thọ', 2, 8000, 'X-1']);
  expect(ws.getRow(12).getCell(2).value).toBe('42/ĐT');

  // The seed's "Xuất báo cáo" sheet, cell by cell (the seed's guide, II.4.1).
  const report = await registerBookWorkbook(h.db, h.agencyCode, book.id, 'report');
  expect(report.fileName).toBe('bao-cao-so-chung-thuc-So-xuat-Excel-DT.xlsx');
  const rwb = new ExcelJS.Workbook();
  await rwb.xlsx.load(report.buffer as unknown as ArrayBuffer);
  const rs = rwb.getWorksheet('Báo cáo dữ liệu trong sổ')!;
  const row = (n: number) => (rs.getRow(n).values as unknown[]).slice(1);
  expect(row(1)).toEqual(['Tên sổ chứng thực', 'Sổ xuất Excel/ĐT']);
  expect(row(2)).toEqual(['Số bắt đầu', '41/ĐT', 'Số hiện tại', '43/ĐT']);
  expect(row(3)).toEqual(['Ngày mở sổ', '01/01/2026', 'Ngày đóng sổ', '31/12/2026']);
  expect(rs.getCell('A4').value).toBe('Cơ quan quản lý sổ chứng thực');
  expect(rs.getCell('C4').value).toBe('Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng');
  expect(rs.getCell('B4').isMerged && rs.getCell('D4').isMerged).toBe(true);
  expect(rs.getCell('A5').value).toBe('Thông tin chứng thực trong sổ');
  expect(row(6)).toEqual(['STT', 'Tên đối tượng đăng ký chứng thực', 'Giấy tờ cần chứng thực', 'Số chứng thực', 'Ngày chứng thực']);
  expect(row(7)).toEqual([1, 'Nguyễn Thị Thu', 'Giấy khai sinh', '41/ĐT', '29/06/2026']);
  expect(row(8)).toEqual([2, 'Ninh Thị Liễu', 'Bằng tốt nghiệp', '42/ĐT', '30/06/2026']);
  expect(rs.rowCount).toBe(8);
});

it("refuses another agency's book", async () => {
  const book = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ riêng', startNumber: '1', openDate: '2027-01-01', closeDate: '2027-12-31', createdBy: 'vanthu' });
  const e = await registerBookWorkbook(h.db, 'other.agency', book.id).then(() => null, (err) => err);
  expect(e).toBeInstanceOf(DomainError);
  expect(e.code).toBe('not_found');
});
