// The screen of the daily fee report ("Báo cáo lệ phí") and its Excel download. Mounted by webRoutes after its
// session middleware (res.locals.actor, csrf, menu are set).
import express from 'express';
import { vnDateOfDay } from '../../domain/vn-time.js';
import type { Actor } from '../../domain/types.js';
import { subtreeOf } from '../admin/service.js';
import { overviewWorkbook } from './overview-export.js';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { sendCsv, sendXlsx } from '../http/excel.js';
import { auditCsv, auditExport, auditXlsx } from './audit.js';
import { actorOf, staffOnly } from '../http/guards.js';
import { byAgencyChart, byDayChart, statusChart } from './overview-charts.js';
import { OVERVIEW_FIGURES } from './overview-export.js';
import { durationText, OVERVIEW_FORBIDDEN, OVERVIEW_MENU, OVERVIEW_ROLES, overview, overviewQueryOf, periodText, PERIODS } from './overview.js';
import { FEE_REPORT_FORBIDDEN, FEE_REPORT_MENU, FEE_REPORT_ROLES, feeReport, feeReportFile, reportDate } from './service.js';


export function reportScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const reader = staffOnly(FEE_REPORT_ROLES, FEE_REPORT_FORBIDDEN);

  r.get(FEE_REPORT_MENU.href, ...reader, async (req, res, next) => {
    try {
      const raw = typeof req.query.date === 'string' ? req.query.date : '';
      let date: string;
      let error: string | undefined;
      try { date = reportDate(req.query.date); } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        error = e.message;
        res.status(HTTP_STATUS[e.code]);
        date = '';
      }
      const report = date ? await feeReport(db, actorOf(res).agencyCode, date) : null;
      res.render('fee-report.njk', { title: FEE_REPORT_MENU.label, active: FEE_REPORT_MENU.href, report, error, dateText: date ? vnDateOfDay(date) : raw, isoDate: date });
    } catch (e) { next(e); }
  });
  r.get(`${FEE_REPORT_MENU.href}/excel`, ...reader, async (req, res, next) => {
    try { sendXlsx(res, await feeReportFile(db, actorOf(res).agencyCode, reportDate(req.query.date))); } catch (e) { next(e); }
  });

  // --- Tổng quan: the supervisors' dashboard (api/reports/overview.ts) ---
  const supervisor = staffOnly(OVERVIEW_ROLES, OVERVIEW_FORBIDDEN);
  r.get(OVERVIEW_MENU.href, ...supervisor, async (req, res, next) => {
    try {
      let error: string | undefined;
      let o;
      try { o = await overview(db, actorOf(res), overviewQueryOf(req.query)); } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'forbidden') throw e;
        error = e.message;
        res.status(HTTP_STATUS[e.code]);
        o = await overview(db, actorOf(res), {});
      }
      // Every number links to the list it counts ("Theo dõi hồ sơ", the same agencies, days and status).
      const dd = (d: string) => vnDateOfDay(d);
      // An agency's row counts it with its subtree (tree=1), except the top's own row; the top figures, the whole tree.
      const listUrl = (more: Record<string, string>, agencyCode = o.agency?.code ?? '', subtree = true) => `/ho-so/theo-doi?${new URLSearchParams({
        ...(more.overdue ? {} : { from: dd(o.from), to: dd(o.to) }), ...(agencyCode ? { agencyCode, ...(subtree ? { tree: '1' } : {}) } : {}), ...more, sort: more.overdue ? 'due' : 'oldest',
      })}`;
      const drillUrl = (agencyCode: string) => `/tong-quan?${new URLSearchParams({ from: o.from, to: o.to, agencyCode })}`;
      const links: Record<string, Record<string, string>> = {
        received: {}, inProgress: { status: '' }, completed: { status: 'completed' }, onTime: { timeliness: 'on_time' }, late: { timeliness: 'late' },
        returned: { status: 'returned' }, cancelled: { status: 'cancelled' }, overdueNow: { overdue: '1' },
      };
      const periodQuery = new URLSearchParams({ from: o.from, to: o.to, ...(o.agency ? { agencyCode: o.agency.code } : {}) }).toString();
      res.render('overview.njk', {
        title: OVERVIEW_MENU.label, active: OVERVIEW_MENU.href, o, error, periods: PERIODS, period: o.period, fromText: dd(o.from), toText: dd(o.to),
        periodText: periodText(o), figures: OVERVIEW_FIGURES.map(([label, key]) => ({ label, key, value: o[key], href: key === 'inProgress' ? null : listUrl(links[key]) })),
        listUrl, drillUrl, durationText, charts: { byDay: byDayChart(o), status: statusChart(o), byAgency: byAgencyChart(o) },
        agencyChoices: (await overviewAgencies(db, actorOf(res))),
        xlsxUrl: `/tong-quan/excel?${periodQuery}`,
        auditXlsxUrl: `/tong-quan/nhat-ky.xlsx?${periodQuery}`, auditCsvUrl: `/tong-quan/nhat-ky.csv?${periodQuery}`,
      });
    } catch (e) { next(e); }
  });
  // The audit of the same period and agencies, as Excel or CSV (api/reports/audit.ts).
  for (const ext of ['xlsx', 'csv'] as const) {
    r.get(`${OVERVIEW_MENU.href}/nhat-ky.${ext}`, ...supervisor, async (req, res, next) => {
      try {
        const a = await auditExport(db, actorOf(res), overviewQueryOf(req.query));
        if (ext === 'csv') sendCsv(res, await auditCsv(a)); else sendXlsx(res, await auditXlsx(a));
      } catch (e) { next(e); }
    });
  }
  r.get(`${OVERVIEW_MENU.href}/excel`, ...supervisor, async (req, res, next) => {
    try { sendXlsx(res, await overviewWorkbook(await overview(db, actorOf(res), overviewQueryOf(req.query)))); } catch (e) { next(e); }
  });

  return r;
}

const overviewAgencies = async (db: AppDeps['db'], actor: Actor) =>
  (await subtreeOf(db, actor.agencyCode)).map((a) => ({ value: a.code, label: `${'— '.repeat(a.depth)}${a.name}` }));
