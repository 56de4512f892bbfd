// The layout both Excel exports share (a title across row 1, a header block of "label | value" rows from row 3,
// a blank row, then bordered column heads; the caller adds the data rows after them), and sending a workbook.
import ExcelJS from 'exceljs';
import type { Response } from 'express';

export function reportSheet(o: { sheet: string; title: string; header: [string, string | number][]; columns: string[]; widths: number[] }) {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Chứng thực bản sao điện tử';
  const ws = wb.addWorksheet(o.sheet);
  ws.mergeCells(1, 1, 1, o.columns.length);
  ws.getCell('A1').value = o.title;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A1').alignment = { horizontal: 'center' };
  o.header.forEach(([k, v], i) => {
    const row = ws.getRow(3 + i);
    row.getCell(1).value = k;
    row.getCell(1).font = { bold: true };
    row.getCell(2).value = v;
    row.getCell(2).alignment = { horizontal: 'left' };
  });
  const headRow = 3 + o.header.length + 1;
  const border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } } as const;
  o.columns.forEach((c, i) => {
    const cell = ws.getRow(headRow).getCell(i + 1);
    cell.value = c;
    cell.font = { bold: true };
    cell.border = border;
  });
  o.widths.forEach((w, i) => { ws.getColumn(i + 1).width = w; });
  return { wb, ws, headRow };
}

export async function xlsxBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a generated CSV (UTF-8) as a download, never cached. */
export function sendCsv(res: Response, file: { fileName: string; buffer: Buffer }) {
  res.set({
    'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': String(file.buffer.length), 'Cache-Control': 'private, no-store',
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
  }).send(file.buffer);
}

/** Sends a generated workbook as a download, never cached. */
export function sendXlsx(res: Response, file: { fileName: string; buffer: Buffer }) {
  res.set({
    'Content-Type': XLSX_TYPE, 'Content-Length': String(file.buffer.length), 'Cache-Control': 'private, no-store',
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
  }).send(file.buffer);
}
