// Excel export of a register book: a header block (book name, start and current number, open and close dates,
// managing agency; the layout's version under the title), then the entries in the columns of the register layout template
// (domain/templates.ts; version 1 is the seed's layout).
import type { RegisterField, RegisterLayoutTemplate } from '../../domain/templates.js';
import { vnDate, vnDateOfDay } from '../../domain/vn-time.js';
import type { Database } from '../../lib/db.js';
import type { Selectable } from 'kysely';
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
  const buffer = await xlsxBuffer(wb);
  const safe = book.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').replace(/[^A-Za-z0-9]+/g, '-');
  return { fileName: `so-chung-thuc-${safe}.xlsx`, buffer };
}
