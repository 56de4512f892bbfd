// The screen of the daily fee report ("Báo cáo lệ phí") and its Excel download. Mounted by webRoutes after its
// session middleware (res.locals.actor, csrf, menu are set).
import express from 'express';
import { vnDateOfDay } from '../../domain/vn-time.js';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { sendXlsx } from '../http/excel.js';
import { actorOf, staffOnly } from '../http/guards.js';
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

  return r;
}
