// JSON API of the templates, mounted inside /api/v1 after the bearer-token check: /admin/templates/{kind} (the latest
// version and the list; POST publishes the next), /admin/templates/{kind}/{version}, and
// /admin/templates/attestation/preview (the attestation page a draft would print, PNG; nothing published). Role
// checks are the service's: 403 without the admin role, and for publishing without being a system administrator.
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { kindParams, versionParams } from './schemas.js';
import { previewAttestation, publishTemplate, templateOverview, templateVersion } from './service.js';

export function templateJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  r.post('/admin/templates/attestation/preview', async (req, res, next) => {
    try {
      const png = await previewAttestation(db, actorOf(res), req.body ?? {});
      res.set({ 'Content-Type': 'image/png', 'Content-Length': String(png.length), 'Cache-Control': 'private, no-store' }).send(png);
    } catch (e) { next(e); }
  });
  r.get('/admin/templates/:kind', async (req, res, next) => {
    try { res.json(await templateOverview(db, actorOf(res), parse(kindParams, req.params).kind)); } catch (e) { next(e); }
  });
  r.post('/admin/templates/:kind', async (req, res, next) => {
    try { res.status(201).json(await publishTemplate(db, actorOf(res), parse(kindParams, req.params).kind, req.body ?? {})); } catch (e) { next(e); }
  });
  r.get('/admin/templates/:kind/:version', async (req, res, next) => {
    try {
      const { kind, version } = parse(versionParams, req.params);
      res.json(await templateVersion(db, actorOf(res), kind, version));
    } catch (e) { next(e); }
  });
  return r;
}
