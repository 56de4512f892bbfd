// The daily fee report as an Excel workbook (exceljs), in the layout the register's export shares.
import { vnDateOfDay } from '../../domain/vn-time.js';
import { reportSheet, xlsxBuffer } from '../http/excel.js';
import type { FeeReport } from './service.js';

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
      ['Ngày', vnDateOfDay(report.date)],
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
