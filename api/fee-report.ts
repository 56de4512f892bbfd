// Daily fee report per agency (Thông tư 226/2016/TT-BTC): the dossiers certified that day in the agency's
// register books, with the fee recorded at sealing, and the total. Screen, JSON and Excel (exceljs).
import { reportSheet, xlsxBuffer } from './http/excel.js';
import { parseVnDate, vnDate, vnDayStart, vnIsoDate } from '../domain/vn-time.js';
import { DomainError } from '../domain/errors.js';
import type { Actor, Role } from '../domain/types.js';
import type { Db } from '../lib/db.js';

/** Who may read the fee report of their own agency. */
export const FEE_REPORT_ROLES: Role[] = ['creator', 'sealer', 'supervisor'];

export function assertFeeReportRole(actor: Actor): void {
  if (!actor.roles.some((r) => FEE_REPORT_ROLES.includes(r))) {
    throw new DomainError('forbidden', 'Bạn không có quyền xem báo cáo lệ phí (dành cho cán bộ tư pháp, văn thư và giám sát).');
  }
}

/** 'yyyy-MM-dd' from the request: absent or blank means today in Vietnam; anything else must be a real date. */
export function reportDate(raw: unknown, now = new Date()): string {
  const text = typeof raw === 'string' ? raw.trim() : raw === undefined ? '' : null;
  if (text === '') return vnIsoDate(now);
  const d = text === null ? null : parseVnDate(text);
  if (!d) throw new DomainError('validation', 'Ngày báo cáo không hợp lệ (yyyy-MM-dd hoặc dd/mm/yyyy).', 'date');
  return d;
}

export interface FeeReportRow {
  certificationNumber: string;
  dossierCode: string;
  applicantName: string;
  documentType: string;
  pageCount: number | null;
  copies: number;
  fee: number;
  certifiedAt: string;
  registerBook: string;
}

export interface FeeReport {
  date: string;
  agency: { code: string; name: string };
  count: number;
  copies: number;
  total: number;
  items: FeeReportRow[];
}

export async function feeReport(db: Db, agencyCode: string, date: string): Promise<FeeReport> {
  const agency = await db.selectFrom('agencies').select(['code', 'name']).where('code', '=', agencyCode).executeTakeFirst();
  if (!agency) throw new DomainError('not_found', 'Không tìm thấy đơn vị.');
  const from = vnDayStart(date);
  const to = new Date(from.getTime() + 86400_000);
  const rows = await db.selectFrom('register_entries')
    .innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .leftJoin('dossiers', 'dossiers.code', 'register_entries.dossier_code')
    .select([
      'register_entries.certification_number', 'register_entries.dossier_code', 'register_entries.applicant_name',
      'register_entries.document_type_name', 'register_entries.copies', 'register_entries.fee', 'register_entries.certified_at',
      'register_entries.number', 'register_books.name as book_name', 'dossiers.page_count',
    ])
    .where('register_books.agency_code', '=', agencyCode)
    .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
    .orderBy('register_entries.certified_at').orderBy('register_books.id').orderBy('register_entries.number')
    .execute();
  const items = rows.map((r) => ({
    certificationNumber: r.certification_number, dossierCode: r.dossier_code, applicantName: r.applicant_name,
    documentType: r.document_type_name, pageCount: r.page_count ?? null, copies: r.copies, fee: r.fee,
    certifiedAt: new Date(r.certified_at).toISOString(), registerBook: r.book_name,
  }));
  return {
    date, agency: { code: agency.code, name: agency.name }, count: items.length,
    copies: items.reduce((s, i) => s + i.copies, 0), total: items.reduce((s, i) => s + i.fee, 0), items,
  };
}

export const FEE_REPORT_COLUMNS = ['STT', 'Số chứng thực', 'Mã chứng thực', 'Họ tên người yêu cầu', 'Tên bản chính giấy tờ', 'Số trang', 'Số bản sao', 'Lệ phí (đồng)'];

/**
 * The report as an Excel sheet: title in A1, a header block (agency, date, number of dossiers, total) in A3:B6,
 * the column heads in row 8, one row per dossier from row 9, and a closing "Tổng cộng" row.
 */
export async function feeReportWorkbook(report: FeeReport): Promise<{ fileName: string; buffer: Buffer }> {
  const { wb, ws, headRow: first } = reportSheet({
    sheet: 'Báo cáo lệ phí',
    title: 'BÁO CÁO THU LỆ PHÍ CHỨNG THỰC BẢN SAO ĐIỆN TỬ',
    header: [
      ['Cơ quan', report.agency.name],
      ['Ngày', vnDate(`${report.date}T12:00:00+07:00`)],
      ['Số hồ sơ', report.count],
      ['Tổng lệ phí (đồng)', report.total],
    ],
    columns: FEE_REPORT_COLUMNS,
    widths: [10, 14, 24, 30, 28, 9, 11, 14],
  });
  ws.getCell('B6').numFmt = '#,##0';
  report.items.forEach((e, i) => {
    ws.getRow(first + 1 + i).values = [i + 1, e.certificationNumber, e.dossierCode, e.applicantName, e.documentType, e.pageCount ?? '', e.copies, e.fee];
  });
  const totalRow = ws.getRow(first + 1 + report.items.length);
  totalRow.values = ['Tổng cộng', '', '', '', '', '', report.copies, report.total];
  totalRow.font = { bold: true };
  ws.getColumn(8).numFmt = '#,##0';
  const buffer = await xlsxBuffer(wb);
  return { fileName: `bao-cao-le-phi-${report.agency.code}-${report.date}.xlsx`, buffer };
}
