// The daily fee report per agency (Báo cáo lệ phí, Thông tư 226/2016/TT-BTC): the dossiers certified that day in
// the agency's register books, with the fee recorded at sealing, and the total; who may read it, and its menu item.
import { parseVnDate, vnDayStart, vnIsoDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import type { Role } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { feeReportWorkbook } from './export.js';
import * as q from './queries.js';

/** Who may read the fee report of their own agency. */
export const FEE_REPORT_ROLES: Role[] = ['creator', 'sealer', 'supervisor'];
export const FEE_REPORT_FORBIDDEN = 'Bạn không có quyền xem báo cáo lệ phí (dành cho cán bộ tư pháp, văn thư và giám sát).';

/** The menu item of the fee report, for the roles that may read it (FEE_REPORT_ROLES). */
export const FEE_REPORT_MENU = { href: '/bao-cao-le-phi', label: 'Báo cáo lệ phí' };

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
  const agency = await q.agencyOf(db, agencyCode);
  if (!agency) throw new DomainError('not_found', 'Không tìm thấy đơn vị.');
  const from = vnDayStart(date);
  const to = new Date(from.getTime() + 86400_000);
  const rows = await q.entriesCertifiedBetween(db, agencyCode, from, to);
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

/** The report of the day as an Excel file. */
export async function feeReportFile(db: Db, agencyCode: string, date: string) {
  return feeReportWorkbook(await feeReport(db, agencyCode, date));
}
