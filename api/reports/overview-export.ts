// The dashboard as an Excel workbook: the figures, per agency, per day, the time per step, the overdue now; the
// same numbers as the screen and GET /reports/overview.
import { vnDateOfDay, vnDateTime } from '../../domain/vn-time.js';
import { reportSheet, xlsxBuffer } from '../http/excel.js';
import { durationText, periodText, type Overview } from './overview.js';

export const OVERVIEW_FIGURES: [string, keyof Overview][] = [
  ['Tiếp nhận', 'received'], ['Đang xử lý', 'inProgress'], ['Hoàn thành', 'completed'], ['Hoàn thành đúng hạn', 'onTime'],
  ['Hoàn thành quá hạn', 'late'], ['Bị trả lại', 'returned'], ['Đã hủy', 'cancelled'], ['Quá hạn chưa xử lý (hiện tại)', 'overdueNow'],
];
export const AGENCY_COLUMNS = ['Cơ quan, đơn vị', 'Mã', 'Tiếp nhận', 'Đang xử lý', 'Hoàn thành', 'Đúng hạn', 'Quá hạn', 'Bị trả lại', 'Đã hủy', 'Quá hạn chưa xử lý'];

export async function overviewWorkbook(o: Overview): Promise<{ fileName: string; buffer: Buffer }> {
  const { wb, ws, headRow } = reportSheet({
    sheet: 'Tổng quan', title: 'TỔNG QUAN CHỨNG THỰC BẢN SAO ĐIỆN TỬ',
    header: [['Phạm vi', o.agency?.name ?? `${o.scope.name} và các đơn vị trực thuộc`], ['Kỳ báo cáo', periodText(o)], ['Lập ngày', vnDateOfDay(o.today)]],
    columns: ['Chỉ tiêu', 'Số hồ sơ'], widths: [34, 14],
  });
  OVERVIEW_FIGURES.forEach(([label, key], i) => { ws.getRow(headRow + 1 + i).values = [label, o[key] as number]; });

  const agencies = wb.addWorksheet('Theo đơn vị');
  agencies.addRow(AGENCY_COLUMNS).font = { bold: true };
  for (const a of o.byAgency) agencies.addRow([a.subtree ? `  ${a.name} (gồm đơn vị trực thuộc)` : `${a.name} (tự tiếp nhận)`, a.agencyCode, a.received, a.inProgress, a.completed, a.onTime, a.late, a.returned, a.cancelled, a.overdueNow]);
  agencies.getColumn(1).width = 48;

  const days = wb.addWorksheet('Theo ngày');
  days.addRow(['Ngày', 'Tiếp nhận', 'Hoàn thành', 'Hoàn thành quá hạn']).font = { bold: true };
  for (const d of o.byDay) days.addRow([vnDateOfDay(d.day), d.received, d.completed, d.late]);
  days.getColumn(1).width = 14;

  const steps = wb.addWorksheet('Thời gian xử lý');
  steps.addRow(['Bước', 'Số lượt', 'Trung vị (giây)', 'Phân vị 90 (giây)', 'Trung vị', 'Phân vị 90']).font = { bold: true };
  for (const s of o.steps) steps.addRow([s.label, s.count, s.medianSeconds ?? '', s.p90Seconds ?? '', durationText(s.medianSeconds), durationText(s.p90Seconds)]);
  steps.getColumn(1).width = 20;

  const overdue = wb.addWorksheet('Quá hạn');
  overdue.addRow(['Mã chứng thực', 'Cơ quan, đơn vị', 'Trạng thái', 'Hạn trả kết quả', 'Ngày nộp', 'Đang chờ', 'Người xử lý']).font = { bold: true };
  for (const d of o.overdue) overdue.addRow([d.code, d.agencyName, d.statusLabel, vnDateOfDay(d.dueDate), vnDateTime(d.createdAt), d.waitingOn.label, d.waitingOn.people.join(', ')]);
  overdue.getColumn(1).width = 26; overdue.getColumn(2).width = 40;

  return { fileName: `tong-quan-${o.agency?.code ?? o.scope.code}-${o.from}-${o.to}.xlsx`, buffer: await xlsxBuffer(wb) };
}
