// JSON API of batches, after the token check: POST /batches starts one (202: it runs on), GET /batches/{id} follows it.
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { batchBody } from './schemas.js';
import { BatchService, batchJson } from './service.js';

export function batchJsonRoutes(deps: AppDeps) {
  const r = express.Router();
  const batches = new BatchService(deps.db, deps.temporal, deps.config.taskQueue);
  r.post('/batches', async (req, res, next) => {
    try {
      const b = parse(batchBody, req.body ?? {});
      const state = await batches.start(actorOf(res), b, req.get('idempotency-key') ?? '');
      res.status(202).json(batchJson(state));
    } catch (e) { next(e); }
  });
  r.get('/batches/:id', async (req, res, next) => {
    try { res.json(batchJson(await batches.get(actorOf(res), String(req.params.id)))); } catch (e) { next(e); }
  });
  return r;
}
