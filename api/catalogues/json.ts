// JSON API of the catalogues, mounted inside /api/v1 after the bearer-token check: /admin/document-types[/{code}],
// /admin/agencies/{code}/slots, /admin/agencies/{code}/days[/{day}], /admin/public-holidays[/{day}]. Role, scope and
// the system administrator are checked by the service (403 without the admin role, 404 outside the scope).
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import {
  agencyDayBody, agencyParams, dayParams, documentTypeBody, documentTypeParams, documentTypePatch, publicHolidayBody, slotsBody, yearQuery,
} from './schemas.js';
import * as s from './service.js';

export function cataloguesJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  r.get('/admin/document-types', async (_req, res, next) => {
    try { res.json(await s.listDocumentTypes(db, actorOf(res))); } catch (e) { next(e); }
  });
  r.post('/admin/document-types', async (req, res, next) => {
    try { res.status(201).json(await s.createDocumentType(db, actorOf(res), parse(documentTypeBody, req.body ?? {}))); } catch (e) { next(e); }
  });
  r.patch('/admin/document-types/:code', async (req, res, next) => {
    try {
      const { code } = parse(documentTypeParams, req.params);
      res.json(await s.updateDocumentType(db, actorOf(res), code, parse(documentTypePatch, req.body ?? {})));
    } catch (e) { next(e); }
  });

  r.get('/admin/agencies/:code/slots', async (req, res, next) => {
    try { res.json(await s.getSlots(db, actorOf(res), parse(agencyParams, req.params).code)); } catch (e) { next(e); }
  });
  r.put('/admin/agencies/:code/slots', async (req, res, next) => {
    try {
      const { code } = parse(agencyParams, req.params);
      await s.getAgency(db, actorOf(res), code); // 403/404 before the body is judged
      res.json(await s.replaceSlots(db, actorOf(res), code, parse(slotsBody, req.body)));
    } catch (e) { next(e); }
  });

  r.get('/admin/agencies/:code/days', async (req, res, next) => {
    try {
      const { code } = parse(agencyParams, req.params);
      res.json(await s.listAgencyDays(db, actorOf(res), code, parse(yearQuery, req.query).year));
    } catch (e) { next(e); }
  });
  r.post('/admin/agencies/:code/days', async (req, res, next) => {
    try {
      const { code } = parse(agencyParams, req.params);
      await s.getAgency(db, actorOf(res), code);
      const { day, created } = await s.saveAgencyDay(db, actorOf(res), code, parse(agencyDayBody, req.body ?? {}));
      res.status(created ? 201 : 200).json(day);
    } catch (e) { next(e); }
  });
  r.delete('/admin/agencies/:code/days/:day', async (req, res, next) => {
    try {
      const { code } = parse(agencyParams, req.params);
      await s.getAgency(db, actorOf(res), code);
      await s.deleteAgencyDay(db, actorOf(res), code, parse(dayParams, req.params).day);
      res.status(204).end();
    } catch (e) { next(e); }
  });

  r.get('/admin/public-holidays', async (req, res, next) => {
    try { res.json(await s.listPublicHolidays(db, actorOf(res), parse(yearQuery, req.query).year)); } catch (e) { next(e); }
  });
  r.post('/admin/public-holidays', async (req, res, next) => {
    try {
      await s.assertSystemAdmin(db, actorOf(res), s.PUBLIC_HOLIDAYS);
      const { holiday, created } = await s.savePublicHoliday(db, actorOf(res), parse(publicHolidayBody, req.body ?? {}));
      res.status(created ? 201 : 200).json(holiday);
    } catch (e) { next(e); }
  });
  r.delete('/admin/public-holidays/:day', async (req, res, next) => {
    try {
      await s.assertSystemAdmin(db, actorOf(res), s.PUBLIC_HOLIDAYS);
      await s.deletePublicHoliday(db, actorOf(res), parse(dayParams, req.params).day);
      res.status(204).end();
    } catch (e) { next(e); }
  });
  return r;
}
