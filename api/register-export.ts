// Excel export of a register book in the seed's layout: a header block (book name, start and current number,
// open and close dates, managing agency), then the entries with the register's columns.
import { reportSheet, xlsxBuffer } from './http/excel.js';
import { vnDate } from '../domain/vn-time.js';
import { DomainError } from '../domain/errors.js';
import type { Db } from '../lib/db.js';

export async function registerBookWorkbook(db: Db, agencyCode: string, bookId: number): Promise<{ fileName: string; buffer: Buffer }> {
  const book = await db.selectFrom('register_books').innerJoin('agencies', 'agencies.code', 'register_books.agency_code')
    .select(['register_books.id', 'register_books.name', 'start_number', 'current_number', 'open_date', 'close_date', 'agency_code', 'agencies.name as agency_name'])
    .where('register_books.id', '=', bookId).executeTakeFirst();
  if (!book || book.agency_code !== agencyCode) throw new DomainError('not_found', 'Không tìm thấy sổ chứng thực của đơn vị.');
  const entries = await db.selectFrom('register_entries').selectAll().where('register_book_id', '=', bookId).orderBy('number').execute();

  const { wb, ws } = reportSheet({
    sheet: 'Sổ chứng thực',
    title: 'SỔ CHỨNG THỰC BẢN SAO ĐIỆN TỬ TỪ BẢN CHÍNH',
    header: [
      ['Tên sổ chứng thực', book.name],
      ['Số ban đầu', `${book.start_number}/ĐT`],
      ['Số hiện tại', `${book.current_number}/ĐT`],
      ['Ngày mở sổ', vnDate(`${book.open_date}T12:00:00+07:00`)],
      ['Ngày đóng sổ', vnDate(`${book.close_date}T12:00:00+07:00`)],
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
