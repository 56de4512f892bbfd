// Excel export of a register book: a header block (book name, start and current number, open and close dates,
// managing agency; the layout's version under the title), then the entries in the columns of the register layout template
// (domain/templates.ts; version 1 is the seed's layout). Or, as the seed's "Xuất báo cáo dữ liệu trong sổ" shows it,
// the short report: the same header block laid out as the seed's sheet and five columns (`reportWorkbook`).
import type { RegisterField, RegisterLayoutTemplate } from '../../domain/templates.js';
import { vnDate, vnDateOfDay } from '../../domain/vn-time.js';
import type { Database } from '../../lib/db.js';
import type { Selectable } from 'kysely';
import ExcelJS from 'exceljs';
import { reportSheet, xlsxBuffer } from '../http/excel.js';

type Entry = Selectable<Database['register_entries']>;
interface ExportedBook { name: string; start_number: number; current_number: number; open_date: string; close_date: string; agency_name: string }

/** What each field of the layout shows of an entry (its row number in the book's export for `index`). */
const CELLS: Record<RegisterField, (e: Entry, i: number) => string | number> = {
  index: (_e, i) => i + 1,
  certificationNumber: (e) => e.certification_number,
  certifiedAt: (e) => vnDate(e.certified_at),
  applicantName: (e) => e.applicant_name,
  documentTypeName: (e) => e.document_type_name,
  signerName: (e) => e.signer_name,
  copies: (e) => e.copies,
  fee: (e) => e.fee,
  dossierCode: (e) => e.dossier_code,
  signerCertificate: (e) => e.signer_certificate ?? '',
  sealCertificate: (e) => e.seal_certificate ?? '',
};

export async function bookWorkbook(book: ExportedBook, entries: Entry[], layout: { version: number; body: RegisterLayoutTemplate }): Promise<{ fileName: string; buffer: Buffer }> {
  const columns = layout.body.columns;
  const { wb, ws } = reportSheet({
    sheet: 'Sổ chứng thực',
    title: 'SỔ CHỨNG THỰC BẢN SAO ĐIỆN TỬ TỪ BẢN CHÍNH',
    header: [
      ['Tên sổ chứng thực', book.name],
      ['Số ban đầu', `${book.start_number}/ĐT`],
      ['Số hiện tại', `${book.current_number}/ĐT`],
      ['Ngày mở sổ', vnDateOfDay(book.open_date)],
      ['Ngày đóng sổ', vnDateOfDay(book.close_date)],
      ['Cơ quan quản lý', book.agency_name],
    ],
    columns: columns.map((c) => c.header),
    widths: columns.map((c) => c.width),
  });
  // Under the title (row 2, free in the shared layout): which layout version made the file.
  ws.getCell('A2').value = `Mẫu sổ: phiên bản ${layout.version}`;
  ws.getCell('A2').font = { italic: true };
  ws.addRows(entries.map((e, i) => columns.map((c) => CELLS[c.field](e, i))));
  return { fileName: `so-chung-thuc-${safeName(book.name)}.xlsx`, buffer: await xlsxBuffer(wb) };
}

/** The two layouts of a book's Excel export: the register layout template (all legal columns) or the seed's report. */
export const BOOK_EXPORT_LAYOUTS = ['register', 'report'] as const;
export type BookExportLayout = (typeof BOOK_EXPORT_LAYOUTS)[number];

/**
 * The seed's "Xuất báo cáo" sheet, cell for cell: the book's name, its start and current numbers, open and close
 * dates and managing agency in the seed's four rows, "Thông tin chứng thực trong sổ", then STT, the applicant, the
 * document, the certification number and the date.
 */
export async function reportWorkbook(book: ExportedBook, entries: Entry[]): Promise<{ fileName: string; buffer: Buffer }> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Chứng thực bản sao điện tử';
  const ws = wb.addWorksheet('Báo cáo dữ liệu trong sổ');
  const bold = (ref: string) => { ws.getCell(ref).font = { bold: true }; };
  ws.getRow(1).values = ['Tên sổ chứng thực', book.name];
  ws.getRow(2).values = ['Số bắt đầu', `${book.start_number}/ĐT`, 'Số hiện tại', `${book.current_number}/ĐT`];
  ws.getRow(3).values = ['Ngày mở sổ', vnDateOfDay(book.open_date), 'Ngày đóng sổ', vnDateOfDay(book.close_date)];
  // The seed's fourth row: the label over two cells, the agency in the third.
  ws.getRow(4).values = ['Cơ quan quản lý sổ chứng thực', null, book.agency_name];
  ws.mergeCells('A4:B4');
  ws.mergeCells('C4:E4');
  ws.getRow(5).values = ['Thông tin chứng thực trong sổ'];
  ws.mergeCells('A5:E5');
  ['A1', 'A2', 'C2', 'A3', 'C3', 'A4', 'A5'].forEach(bold);
  const border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } } as const;
  const head = ws.getRow(6);
  head.values = ['STT', 'Tên đối tượng đăng ký chứng thực', 'Giấy tờ cần chứng thực', 'Số chứng thực', 'Ngày chứng thực'];
  head.eachCell((c) => { c.font = { bold: true }; c.border = border; });
  [6, 34, 30, 16, 16].forEach((w, i) => { ws.getColumn(i + 1).width = w; });
  ws.addRows(entries.map((e, i) => [i + 1, e.applicant_name, e.document_type_name, e.certification_number, vnDate(e.certified_at)]));
  return { fileName: `bao-cao-so-chung-thuc-${safeName(book.name)}.xlsx`, buffer: await xlsxBuffer(wb) };
}

/** A book's name as ASCII for a file name (the header's filename= has no encoding). */
const safeName = (name: string) => name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').replace(/[^A-Za-z0-9]+/g, '-');
