// JSON API of process definitions, mounted inside /api/v1 after the bearer-token check: the agency's current
// process (GET), a new version (POST → 201 {version}), one version. Role and scope are checked by the service.
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { processParams, versionParams } from './schemas.js';
import { getProcess, getProcessVersion, publishProcess } from './service.js';

export function processJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  r.get('/admin/agencies/:code/process', async (req, res, next) => {
    try { res.json(await getProcess(db, actorOf(res), parse(processParams, req.params).code)); } catch (e) { next(e); }
  });
  r.post('/admin/agencies/:code/process', async (req, res, next) => {
    try {
      const p = await publishProcess(db, actorOf(res), parse(processParams, req.params).code, req.body);
      res.status(201).json({ version: p.version });
    } catch (e) { next(e); }
  });
  r.get('/admin/agencies/:code/process/versions/:version', async (req, res, next) => {
    try {
      const { code, version } = parse(versionParams, req.params);
      res.json(await getProcessVersion(db, actorOf(res), code, version));
    } catch (e) { next(e); }
  });
  return r;
}
