// Excel export of a register book in the seed's layout: a header block (book name, start and current number,
// open and close dates, managing agency), then the entries with the register's columns.
import { vnDate, vnDateOfDay } from '../../domain/vn-time.js';
import type { Database } from '../../lib/db.js';
import type { Selectable } from 'kysely';
import { reportSheet, xlsxBuffer } from '../http/excel.js';

type Entry = Selectable<Database['register_entries']>;
interface ExportedBook { name: string; start_number: number; current_number: number; open_date: string; close_date: string; agency_name: string }

export async function bookWorkbook(book: ExportedBook, entries: Entry[]): Promise<{ fileName: string; buffer: Buffer }> {
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
    columns: ['STT', 'Số chứng thực', 'Ngày chứng thực', 'Họ tên người yêu cầu', 'Tên bản chính giấy tờ', 'Người ký chứng thực', 'Số bản sao', 'Lệ phí (đồng)', 'Mã chứng thực'],
    widths: [6, 14, 16, 30, 28, 24, 10, 14, 24],
  });
  ws.addRows(entries.map((e, i) => [i + 1, e.certification_number, vnDate(e.certified_at), e.applicant_name, e.document_type_name, e.signer_name, e.copies, e.fee, e.dossier_code]));
  const buffer = await xlsxBuffer(wb);
  const safe = book.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').replace(/[^A-Za-z0-9]+/g, '-');
  return { fileName: `so-chung-thuc-${safe}.xlsx`, buffer };
}
