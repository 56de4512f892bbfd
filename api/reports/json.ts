// JSON routes of the daily fee report, mounted inside /api/v1 after the bearer-token check (res.locals.actor is
// the acting user): the report of the caller's agency for a day, as JSON and as Excel.
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { sendCsv, sendXlsx } from '../http/excel.js';
import { auditCsv, auditExport, auditFormatOf, auditXlsx } from './audit.js';
import { actorOf, needRole } from '../http/guards.js';
import { overview, overviewQueryOf } from './overview.js';
import { overviewWorkbook } from './overview-export.js';
import { FEE_REPORT_FORBIDDEN, FEE_REPORT_ROLES, feeReport, feeReportFile, reportDate } from './service.js';

export function reportJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const reader = needRole(FEE_REPORT_ROLES, FEE_REPORT_FORBIDDEN);

  r.get('/reports/fees', reader, async (req, res, next) => {
    try {
      res.json(await feeReport(db, actorOf(res).agencyCode, reportDate(req.query.date)));
    } catch (e) { next(e); }
  });

  r.get('/reports/fees.xlsx', reader, async (req, res, next) => {
    try {
      sendXlsx(res, await feeReportFile(db, actorOf(res).agencyCode, reportDate(req.query.date)));
    } catch (e) { next(e); }
  });

  // The supervisors' dashboard (api/reports/overview.ts): the figures, and the same as Excel.
  r.get('/reports/overview', async (req, res, next) => {
    try { res.json(await overview(db, actorOf(res), overviewQueryOf(req.query))); } catch (e) { next(e); }
  });
  r.get('/reports/overview.xlsx', async (req, res, next) => {
    try { sendXlsx(res, await overviewWorkbook(await overview(db, actorOf(res), overviewQueryOf(req.query)))); } catch (e) { next(e); }
  });

  // The audit export (api/reports/audit.ts): dossier events and administration changes of the period and subtree.
  r.get('/audit', async (req, res, next) => {
    try {
      const format = auditFormatOf(req.query.format);
      const a = await auditExport(db, actorOf(res), overviewQueryOf(req.query));
      if (format === 'json') res.json(a);
      else if (format === 'csv') sendCsv(res, await auditCsv(a));
      else sendXlsx(res, await auditXlsx(a));
    } catch (e) { next(e); }
  });

  return r;
}
