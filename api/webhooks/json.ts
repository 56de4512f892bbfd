// JSON API of webhooks, after the token check (admins of the agency's scope; 403 without the role, 404 outside it):
// GET|POST /admin/agencies/{code}/webhooks, PATCH /admin/webhooks/{id} {active}, GET /admin/webhooks/{id}/deliveries,
// POST /admin/webhook-deliveries/{id}/resend.
import express from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { paging, parse } from '../http/schemas.js';
import { WebhookService, type Subscription } from './service.js';

const id = (raw: unknown) => (typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : -1);
export const subscriptionJson = (s: Subscription) => ({ id: s.id, agencyCode: s.agency_code, url: s.url, events: s.events, active: s.active, createdBy: s.created_by, createdAt: s.created_at });

export function webhookJson(deps: AppDeps) {
  const r = express.Router();
  const hooks = new WebhookService(deps.db, deps.temporal, deps.config);
  r.get('/admin/agencies/:code/webhooks', async (req, res, next) => {
    try { res.json((await hooks.list(actorOf(res), String(req.params.code))).items.map(subscriptionJson)); } catch (e) { next(e); }
  });
  r.post('/admin/agencies/:code/webhooks', async (req, res, next) => {
    try {
      const { subscription, secret } = await hooks.create(actorOf(res), String(req.params.code), { url: req.body?.url, events: req.body?.events });
      res.status(201).json({ ...subscriptionJson(subscription), secret });
    } catch (e) { next(e); }
  });
  r.patch('/admin/webhooks/:id', async (req, res, next) => {
    try {
      const active = req.body?.active;
      if (typeof active !== 'boolean') throw new DomainError('validation', 'Trường "active" phải là true hoặc false.', 'active');
      res.json(subscriptionJson(await hooks.setActive(actorOf(res), id(req.params.id), active)));
    } catch (e) { next(e); }
  });
  r.get('/admin/webhooks/:id/deliveries', async (req, res, next) => {
    try {
      const p = parse(paging, req.query);
      const d = await hooks.deliveries(actorOf(res), id(req.params.id), p.page, p.pageSize);
      res.json({ items: d.items.map((x) => ({ id: x.id, eventId: x.event_id, type: x.event_type, dossierCode: x.dossier_code, status: x.status, attempts: x.attempts, lastStatus: x.last_status, lastError: x.last_error, run: x.run, createdAt: x.created_at, sentAt: x.sent_at })), total: d.total, page: d.page, pageSize: d.pageSize });
    } catch (e) { next(e); }
  });
  r.post('/admin/webhook-deliveries/:id/resend', async (req, res, next) => {
    try { res.status(202).json(await hooks.resend(actorOf(res), id(req.params.id))); } catch (e) { next(e); }
  });
  return r;
}
