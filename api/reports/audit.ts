// The audit export (issue 11 point 3): for a period and the supervisor's agency subtree (or one agency of it), every
// dossier event (the typed audit trail, domain/audit.ts, in a clerk's words) and every administration change of
// those agencies, oldest first; as JSON, CSV (UTF-8 with BOM, for Excel) or Excel. Same period rules as Tổng quan.
import ExcelJS from 'exceljs';
import { actorText, type AdminActorKind } from '../../domain/admin-audit.js';
import { auditEventOf, auditText } from '../../domain/audit.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { addDays } from '../../domain/calendar.js';
import { vnDateOfDay, vnDateTime, vnDayStart } from '../../domain/vn-time.js';
import type { Db } from '../../lib/db.js';
import { actionLabel, describeChanges, entityLabel, subtreeOf } from '../admin/service.js';
import { reportSheet, xlsxBuffer } from '../http/excel.js';
import { OVERVIEW_FORBIDDEN, OVERVIEW_ROLES, overviewPeriod, type OverviewQuery } from './overview.js';
import * as q from './audit-queries.js';

/** At most this many events in one export; more is refused with what to do (a shorter period, one agency). */
export const AUDIT_MAX = 50_000;
export const AUDIT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export interface AuditRow {
  at: string; agencyCode: string; source: 'dossier' | 'admin'; subject: string; actor: string;
  /** staff: a user (or the system); citizen: a portal account (an appointment booked or cancelled). */
  actorKind: AdminActorKind; actorName: string; type: string; what: string;
}
export interface AuditExport { from: string; to: string; scope: { code: string; name: string }; agency: { code: string; name: string } | null; total: number; items: AuditRow[] }

export function auditFormatOf(v: unknown): AuditFormat {
  const f = typeof v === 'string' && v.trim() ? v.trim() : 'json';
  if (!(AUDIT_FORMATS as readonly string[]).includes(f)) throw new DomainError('validation', `Định dạng không hợp lệ; dùng một trong: ${AUDIT_FORMATS.join(', ')}.`, 'format');
  return f as AuditFormat;
}

export async function auditExport(db: Db, actor: Actor, query: OverviewQuery): Promise<AuditExport> {
  if (!actor.roles.some((r) => OVERVIEW_ROLES.includes(r))) throw new DomainError('forbidden', OVERVIEW_FORBIDDEN);
  const { from, to } = overviewPeriod(query);
  const tree = await subtreeOf(db, actor.agencyCode);
  const wanted = typeof query.agencyCode === 'string' ? query.agencyCode.trim() : '';
  const chosen = wanted ? tree.find((a) => a.code === wanted) : undefined;
  if (wanted && !chosen) throw new DomainError('not_found', `Không tìm thấy cơ quan, đơn vị ${wanted} trong phạm vi theo dõi của bạn.`, 'agencyCode');
  const codes = chosen ? [chosen.code] : tree.map((a) => a.code);
  const start = vnDayStart(from);
  const end = vnDayStart(addDays(to, 1));
  const [dossierEvents, adminEvents] = await Promise.all([q.dossierEvents(db, codes, start, end, AUDIT_MAX + 1), q.adminEvents(db, codes, start, end, AUDIT_MAX + 1)]);
  if (dossierEvents.length + adminEvents.length > AUDIT_MAX) {
    throw new DomainError('validation', `Có hơn ${AUDIT_MAX.toLocaleString('vi-VN')} sự kiện trong khoảng này; vui lòng chọn khoảng ngắn hơn hoặc một cơ quan.`, 'from');
  }
  const items: AuditRow[] = [
    ...dossierEvents.map((e) => {
      const event = auditEventOf(e);
      return { at: new Date(e.at).toISOString(), agencyCode: e.agency_code, source: 'dossier' as const, subject: e.dossier_code, actor: e.actor, actorKind: 'staff' as const, actorName: e.actor_name, type: e.type, what: event ? auditText(event) : e.type };
    }),
    ...adminEvents.map((e) => ({
      at: new Date(e.at).toISOString(), agencyCode: e.agency_code, source: 'admin' as const, subject: `${entityLabel(e.entity as never)} ${e.entity_id}`, actor: e.actor, actorKind: e.actor_kind, actorName: e.actor_name ?? '',
      type: e.action, what: `${actionLabel(e.action as never)}: ${describeChanges({ entity: e.entity as never, before: e.before, after: e.after }).map((c) => `${c.label}: ${c.before} → ${c.after}`).join('; ')}`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const root = tree[0];
  return { from, to, scope: { code: root.code, name: root.name }, agency: chosen ? { code: chosen.code, name: chosen.name } : null, total: items.length, items };
}

const COLUMNS = ['Thời điểm', 'Cơ quan', 'Nguồn', 'Hồ sơ / đối tượng', 'Người thực hiện', 'Sự kiện', 'Nội dung'];
const SOURCE_LABELS = { dossier: 'Hồ sơ', admin: 'Quản trị' } as const;
const cellsOf = (r: AuditRow) => [vnDateTime(r.at), r.agencyCode, SOURCE_LABELS[r.source], r.subject, actorText(r.actorKind, r.actor, r.actorName || null), r.type, r.what];
const fileBase = (a: AuditExport) => `nhat-ky-${a.agency?.code ?? a.scope.code}-${a.from}-${a.to}`;

export async function auditXlsx(a: AuditExport): Promise<{ fileName: string; buffer: Buffer }> {
  const { wb, ws, headRow } = reportSheet({
    sheet: 'Nhật ký', title: 'NHẬT KÝ HỒ SƠ VÀ QUẢN TRỊ', columns: COLUMNS, widths: [20, 12, 10, 28, 30, 20, 70],
    header: [['Phạm vi', a.agency ? `${a.agency.name} (${a.agency.code})` : `${a.scope.name} (${a.scope.code}) và các đơn vị trực thuộc`], ['Từ ngày', vnDateOfDay(a.from)], ['Đến ngày', vnDateOfDay(a.to)], ['Số sự kiện', a.total]],
  });
  a.items.forEach((r, i) => { ws.getRow(headRow + 1 + i).values = cellsOf(r); });
  return { fileName: `${fileBase(a)}.xlsx`, buffer: await xlsxBuffer(wb) };
}

/** CSV: one header line, one line per event; a BOM so that Excel reads the Vietnamese as UTF-8. */
export async function auditCsv(a: AuditExport): Promise<{ fileName: string; buffer: Buffer }> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Nhật ký');
  ws.addRow(COLUMNS);
  for (const r of a.items) ws.addRow(cellsOf(r));
  const csv = Buffer.from(await wb.csv.writeBuffer());
  return { fileName: `${fileBase(a)}.csv`, buffer: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv]) };
}
