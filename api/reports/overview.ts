// The supervisors' dashboard ("Tổng quan", issue 11): over the agency subtree a supervisor (or an admin) is assigned
// to, for a period of Vietnam days, the dossiers received and where they stand, completed on time or late (đúng hạn /
// quá hạn, the measure provinces report), how long each step takes (median, 90th percentile), per agency and per day;
// and the dossiers overdue now with whose step they wait on. The same figures feed the screen, the JSON and Excel.
import { addDays, dayOfWeek } from '../../domain/calendar.js';
import { STATUS_LABELS, type DossierStatus } from '../../domain/dossier.js';
import { DomainError } from '../../domain/errors.js';
import { ROLE_LABELS, type Actor, type Role } from '../../domain/types.js';
import { parseVnDate, vnDateOfDay, vnDayStart, vnIsoDate } from '../../domain/vn-time.js';
import type { Db } from '../../lib/db.js';
import { subtreeOf } from '../admin/service.js';
import { WAITING_STATUSES } from '../dossiers/service.js';
import * as q from './overview-queries.js';

export const OVERVIEW_ROLES: Role[] = ['supervisor', 'admin'];
export const OVERVIEW_FORBIDDEN = 'Bạn không có quyền xem tổng quan (dành cho giám sát và quản trị).';
export const OVERVIEW_MENU = { href: '/tong-quan', label: 'Tổng quan' };
/** The longest period one dashboard covers (a year and a day: a leap year's whole year). */
const MAX_DAYS = 366;
const OVERDUE_SHOWN = 100;

export const PERIODS = { today: 'Hôm nay', week: 'Tuần này', month: 'Tháng này', custom: 'Tùy chọn' } as const;
export type Period = keyof typeof PERIODS;

export interface OverviewQuery { period?: unknown; from?: unknown; to?: unknown; agencyCode?: unknown }

/** The dashboard's query as a request gives it (screen and API alike). */
export const overviewQueryOf = (query: Record<string, unknown>): OverviewQuery => ({ period: query.period, from: query.from, to: query.to, agencyCode: query.agencyCode });

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The period's first and last Vietnam day (yyyy-MM-dd): today, this week (from Monday), this month, or from/to given. */
export function overviewPeriod(query: OverviewQuery, now = new Date()): { period: Period; from: string; to: string } {
  const today = vnIsoDate(now);
  const named = text(query.period);
  const given = text(query.from) || text(query.to);
  const period: Period = named ? (named in PERIODS ? named as Period : invalid()) : given ? 'custom' : 'today';
  if (period === 'today') return { period, from: today, to: today };
  if (period === 'week') return { period, from: addDays(today, -((dayOfWeek(today) + 6) % 7)), to: today };
  if (period === 'month') return { period, from: `${today.slice(0, 8)}01`, to: today };
  const day = (raw: unknown, label: string, field: string, fallback: string) => {
    const s = text(raw);
    if (!s) return fallback;
    const d = parseVnDate(s);
    if (!d) throw new DomainError('validation', `${label} không hợp lệ (yyyy-MM-dd hoặc dd/mm/yyyy).`, field);
    return d;
  };
  const from = day(query.from, 'Từ ngày', 'from', today);
  const to = day(query.to, 'Đến ngày', 'to', today);
  if (to < from) throw new DomainError('validation', 'Đến ngày không được trước từ ngày.', 'to');
  if (addDays(from, MAX_DAYS - 1) < to) throw new DomainError('validation', `Khoảng thời gian tối đa ${MAX_DAYS} ngày.`, 'to');
  return { period, from, to };
  function invalid(): never { throw new DomainError('validation', `Kỳ báo cáo không hợp lệ; dùng một trong: ${Object.keys(PERIODS).join(', ')}.`, 'period'); }
}

export interface AgencyFigures {
  agencyCode: string; name: string; depth: number;
  /** true: the agency with every agency under it (a child of the one shown); false: its own dossiers only. */
  subtree: boolean;
  received: number; inProgress: number; completed: number; returned: number; cancelled: number; onTime: number; late: number; overdueNow: number;
}
export interface Overview {
  period: Period; from: string; to: string; today: string;
  /** The agency the figures are narrowed to (one of the subtree), or null: the whole subtree. */
  agency: { code: string; name: string } | null;
  scope: { code: string; name: string };
  received: number; inProgress: number; completed: number; returned: number; cancelled: number; onTime: number; late: number; overdueNow: number;
  /** The dossiers in progress, by the step they wait at. */
  byStatus: { status: DossierStatus; label: string; count: number }[];
  /** How long a dossier stays at each step, in seconds (read from a histogram: within 4.5 % of the exact figure). */
  steps: { status: DossierStatus; label: string; count: number; medianSeconds: number | null; p90Seconds: number | null }[];
  /** The agency shown (its own dossiers), then each agency directly under it with its whole subtree. */
  byAgency: AgencyFigures[];
  byDay: { day: string; received: number; completed: number; late: number }[];
  /** The oldest overdue first (at most OVERDUE_SHOWN; overdueNow counts them all). */
  overdue: { code: string; agencyCode: string; agencyName: string; status: DossierStatus; statusLabel: string; dueDate: string; createdAt: string; documentType: string; applicantName: string; waitingOn: { role: string | null; label: string; people: string[] } }[];
}

const IN_PROGRESS: DossierStatus[] = ['awaiting_review', 'awaiting_signature', 'awaiting_seal'];

/** The dashboard's figures for the actor's subtree (or one agency of it, with its own subtree), for the period the query names. */
export async function overview(db: Db, actor: Actor, query: OverviewQuery, now = new Date()): Promise<Overview> {
  if (!actor.roles.some((r) => OVERVIEW_ROLES.includes(r))) throw new DomainError('forbidden', OVERVIEW_FORBIDDEN);
  const { period, from, to } = overviewPeriod(query, now);
  const reach = await subtreeOf(db, actor.agencyCode);
  const wanted = text(query.agencyCode);
  const chosen = wanted ? reach.find((a) => a.code === wanted) : undefined;
  if (wanted && !chosen) throw new DomainError('not_found', `Không tìm thấy cơ quan, đơn vị ${wanted} trong phạm vi theo dõi của bạn.`, 'agencyCode');
  const top = chosen ?? reach[0];
  const tree = chosen ? await subtreeOf(db, chosen.code) : reach;
  const codes = tree.map((a) => a.code);
  const children = tree.filter((a) => a.depth === tree[0].depth + 1);
  // Which row of byAgency each agency of the tree falls in: the top's own, or the child it is under (preorder).
  const rowOf = new Map<string, string>();
  let under = top.code;
  for (const a of tree) { if (a.depth === tree[0].depth + 1) under = a.code; rowOf.set(a.code, a.depth === tree[0].depth ? top.code : under); }
  const today = vnIsoDate(now);
  const [counts, days, overdueCounts, overdueRows, stepRows] = await Promise.all([
    q.countsByAgencyStatus(db, [top.code, ...children.map((c) => c.code)], from, to), q.countsByDay(db, top.code, from, to),
    q.overdueByAgency(db, codes, today), q.overdueList(db, codes, today, OVERDUE_SHOWN), q.stepTimes(db, top.code, from, to),
  ]);

  const blank = (a: { code: string; name: string }, depth: number, subtree: boolean): AgencyFigures => ({
    agencyCode: a.code, name: a.name, depth, subtree, received: 0, inProgress: 0, completed: 0, returned: 0, cancelled: 0, onTime: 0, late: 0, overdueNow: 0,
  });
  const whole = blank(top, 0, true);
  const byAgency = new Map<string, AgencyFigures>([[top.code, blank(top, 0, false)], ...children.map((c) => [c.code, blank(c, 1, true)] as const)]);
  const byStatus = new Map<DossierStatus, number>(IN_PROGRESS.map((s) => [s, 0]));
  const add = (f: AgencyFigures, c: { status: string; n: number; on_time: number; late: number }, sign: 1 | -1) => {
    const status = c.status as DossierStatus;
    f.received += sign * c.n;
    if (IN_PROGRESS.includes(status)) f.inProgress += sign * c.n;
    if (status === 'completed') f.completed += sign * c.n;
    if (status === 'returned') f.returned += sign * c.n;
    if (status === 'cancelled') f.cancelled += sign * c.n;
    f.onTime += sign * c.on_time;
    f.late += sign * c.late;
  };
  for (const c of counts) {
    if (c.agency_code === top.code) {
      add(whole, c, 1);
      add(byAgency.get(top.code)!, c, 1); // the subtree's, less each child's below: the top's own
      if (IN_PROGRESS.includes(c.status as DossierStatus)) byStatus.set(c.status as DossierStatus, byStatus.get(c.status as DossierStatus)! + c.n);
    } else {
      add(byAgency.get(c.agency_code)!, c, 1);
      add(byAgency.get(top.code)!, c, -1);
    }
  }
  for (const o of overdueCounts) { byAgency.get(rowOf.get(o.agency_code)!)!.overdueNow += o.n; whole.overdueNow += o.n; }
  const rows = [...byAgency.values()];

  const perDay = new Map(days.map((d) => [d.day, d]));
  const byDay: Overview['byDay'] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const x = perDay.get(d);
    byDay.push({ day: d, received: x?.received ?? 0, completed: x?.completed ?? 0, late: x?.late ?? 0 });
  }

  const steps = WAITING_STATUSES.map((status) => {
    const histogram = stepRows.filter((r) => r.status === status);
    const count = histogram.reduce((n, r) => n + r.n, 0);
    return { status, label: STATUS_LABELS[status], count, medianSeconds: percentile(histogram, count, 0.5), p90Seconds: percentile(histogram, count, 0.9) };
  });

  const roles = [...new Set(overdueRows.map((r) => r.awaiting_role).filter((r): r is string => Boolean(r)))];
  const staff = await q.staffWithRoles(db, codes, roles);
  const names = new Map(tree.map((a) => [a.code, a.name]));
  const overdue = overdueRows.map((r) => ({
    code: r.code, agencyCode: r.agency_code, agencyName: names.get(r.agency_code) ?? r.agency_code, status: r.status as DossierStatus,
    statusLabel: STATUS_LABELS[r.status as DossierStatus] ?? r.status, dueDate: r.due_date!, createdAt: new Date(r.created_at).toISOString(),
    documentType: r.document_type_name, applicantName: r.applicant_name,
    waitingOn: {
      role: r.awaiting_role, label: r.awaiting_role ? ROLE_LABELS[r.awaiting_role as Role] ?? r.awaiting_role : 'Không chờ ai',
      people: staff.filter((s) => s.agency_code === r.agency_code && s.role === r.awaiting_role).map((s) => s.full_name),
    },
  }));

  return {
    period, from, to, today, agency: chosen ? { code: chosen.code, name: chosen.name } : null, scope: { code: reach[0].code, name: reach[0].name },
    received: whole.received, inProgress: whole.inProgress, completed: whole.completed, returned: whole.returned, cancelled: whole.cancelled,
    onTime: whole.onTime, late: whole.late, overdueNow: whole.overdueNow,
    byStatus: IN_PROGRESS.map((status) => ({ status, label: STATUS_LABELS[status], count: byStatus.get(status)! })),
    steps, byAgency: rows, byDay, overdue,
  };
}

/** A histogram bucket's seconds (migration 027's step_time_bucket): the geometric middle of [2^((b-1)/8), 2^(b/8)). */
export const bucketSeconds = (bucket: number) => (bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / 8));

/** The p-th percentile (nearest rank) of a histogram sorted by bucket, in whole seconds; null when it is empty. */
export function percentile(histogram: { bucket: number; n: number }[], count: number, p: number): number | null {
  if (!count) return null;
  const rank = Math.max(1, Math.ceil(p * count));
  let seen = 0;
  for (const h of histogram) { seen += h.n; if (seen >= rank) return Math.round(bucketSeconds(h.bucket)); }
  return Math.round(bucketSeconds(histogram.at(-1)!.bucket));
}

/** A duration in words a supervisor reads: "2 giờ 5 phút", "3 ngày 4 giờ", "45 giây". */
export function durationText(seconds: number | null): string {
  if (seconds === null) return '—';
  const d = Math.floor(seconds / 86400); const h = Math.floor((seconds % 86400) / 3600); const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d} ngày${h ? ` ${h} giờ` : ''}`;
  if (h) return `${h} giờ${m ? ` ${m} phút` : ''}`;
  if (m) return `${m} phút`;
  return `${seconds} giây`;
}

export const periodText = (o: Pick<Overview, 'from' | 'to'>) => (o.from === o.to ? vnDateOfDay(o.from) : `${vnDateOfDay(o.from)} – ${vnDateOfDay(o.to)}`);
