// JSON API of administration, mounted inside /api/v1 after the bearer-token check (res.locals.actor is the acting
// user): /admin/agencies (the tree of the actor's scope, create), /admin/agencies/{code} (read, edit, move,
// deactivate), /admin/audit (the audit list) and /admin/audit.xlsx. Role and scope are checked by the service:
// 403 without the admin role, 404 for an agency outside the scope.
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { sendXlsx } from '../http/excel.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { agencyBody, agencyParams, agencyPatch, auditQuery } from './schemas.js';
import { auditWorkbook, createAgency, getAgency, listAgencies, listAuditEvents, updateAgency } from './service.js';

export function adminJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  r.get('/admin/agencies', async (_req, res, next) => {
    try { res.json(await listAgencies(db, actorOf(res))); } catch (e) { next(e); }
  });
  r.post('/admin/agencies', async (req, res, next) => {
    try { res.status(201).json(await createAgency(db, actorOf(res), parse(agencyBody, req.body ?? {}))); } catch (e) { next(e); }
  });
  r.get('/admin/agencies/:code', async (req, res, next) => {
    try { res.json(await getAgency(db, actorOf(res), parse(agencyParams, req.params).code)); } catch (e) { next(e); }
  });
  r.patch('/admin/agencies/:code', async (req, res, next) => {
    try {
      const { code } = parse(agencyParams, req.params);
      res.json(await updateAgency(db, actorOf(res), code, parse(agencyPatch, req.body ?? {})));
    } catch (e) { next(e); }
  });

  r.get('/admin/audit', async (req, res, next) => {
    try {
      const { entity, entityId, page, pageSize } = parse(auditQuery, req.query);
      res.json(await listAuditEvents(db, actorOf(res), { entity, entityId }, { page, pageSize }));
    } catch (e) { next(e); }
  });
  r.get('/admin/audit.xlsx', async (req, res, next) => {
    try {
      const { entity, entityId } = parse(auditQuery, req.query);
      sendXlsx(res, await auditWorkbook(db, actorOf(res), { entity, entityId }));
    } catch (e) { next(e); }
  });
  return r;
}
