// JSON API of the deliveries (after the bearer-token and staff checks, api/app.ts): GET /deliveries (the agency's
// e-mail deliveries; sealer) and GET /dossiers/{code}/deliveries (every delivery attempt of a dossier).
import express from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, needRole } from '../http/guards.js';
import { deliveryListQuery, parse } from '../http/schemas.js';
import { attemptsOf, isDeliveryStatus, listDeliveries } from './service.js';

export function deliveryJson(deps: AppDeps) {
  const r = express.Router();
  r.get('/deliveries', needRole('sealer', 'Bạn không có Quyền đóng dấu bản sao.'), async (req, res, next) => {
    try {
      const q = parse(deliveryListQuery, req.query);
      if (q.status && !isDeliveryStatus(q.status)) throw new DomainError('validation', 'Trạng thái gửi không hợp lệ (pending, sent, failed).');
      res.json(await listDeliveries(deps.db, actorOf(res).agencyCode, q));
    } catch (e) { next(e); }
  });
  r.get('/dossiers/:code/deliveries', async (req, res, next) => {
    try {
      await deps.dossiers.row(actorOf(res), String(req.params.code));
      res.json(await attemptsOf(deps.db, String(req.params.code)));
    } catch (e) { next(e); }
  });
  return r;
}
