// "Quản trị → Webhook": an agency's subscriptions (add one, the secret shown once; deactivate, reactivate) and each
// subscription's delivery log with "Gửi lại". Admins of the scope; plain forms (post/redirect/get); a refusal shows
// the page again with its message.
import express, { type Request, type Response } from 'express';
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENTS } from '../../domain/webhooks.js';
import { ADMIN_ONLY, listAgencies } from '../admin/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { paging, parse } from '../http/schemas.js';
import { WebhookService } from './service.js';

const HOME = '/quan-tri/webhook';
const SECTION = 'Quản trị';
const id = (raw: unknown) => (typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : -1);
const many = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const agencyPage = (code: string) => `${HOME}?coQuan=${encodeURIComponent(code)}`;

export function webhookScreens(deps: AppDeps) {
  const r = express.Router();
  const only = staffOnly('admin', ADMIN_ONLY);
  const hooks = new WebhookService(deps.db, deps.temporal, deps.config);
  const events = WEBHOOK_EVENTS.map((e) => ({ value: e, label: WEBHOOK_EVENT_LABELS[e] }));

  async function renderList(req: Request, res: Response, code: string, more: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(res);
    const { agency, items } = await hooks.list(actor, code);
    const agencies = (await listAgencies(deps.db, actor)).map((a) => ({ code: a.code, label: `${'— '.repeat(a.depth)}${a.name}` }));
    res.status(status).render('admin-webhooks.njk', {
      title: 'Webhook: gửi sự kiện hồ sơ cho hệ thống khác', section: SECTION, active: HOME, agency, agencies, items, events, labels: WEBHOOK_EVENT_LABELS, form: { url: '', events: [] }, ...more,
    });
  }

  r.get(HOME, ...only, async (req, res, next) => {
    try { await renderList(req, res, typeof req.query.coQuan === 'string' && req.query.coQuan ? req.query.coQuan : actorOf(res).agencyCode); } catch (e) { next(e); }
  });

  r.post(HOME, ...only, (req: Request, res: Response, next) => {
    const code = typeof req.body?.agencyCode === 'string' ? req.body.agencyCode : '';
    const form = { url: typeof req.body?.url === 'string' ? req.body.url : '', events: many(req.body?.events) };
    return renderAgainOnRefusal(res, next, async () => {
      const { subscription, secret } = await hooks.create(actorOf(res), code, form);
      // The secret is shown this once, on this page (never in a redirect, a log or the audit).
      await renderList(req, res, subscription.agency_code, { created: { id: subscription.id, url: subscription.url, secret } }, 201);
    }, (status, error, e) => renderList(req, res, code || actorOf(res).agencyCode, { error, field: e.field, form }, status), ['not_found', 'forbidden']);
  });

  r.post(`${HOME}/:id/trang-thai`, ...only, async (req, res, next) => {
    try {
      const s = await hooks.setActive(actorOf(res), id(req.params.id), req.body?.active === 'true');
      flash(req, s.active ? `Đã bật lại webhook ${s.url}.` : `Đã tắt webhook ${s.url}: không gửi sự kiện mới tới địa chỉ này.`);
      res.redirect(303, agencyPage(s.agency_code));
    } catch (e) { next(e); }
  });

  async function renderLog(req: Request, res: Response, hookId: number, more: Record<string, unknown> = {}, status = 200) {
    const p = parse(paging, req.query);
    const d = await hooks.deliveries(actorOf(res), hookId, p.page, p.pageSize);
    res.status(status).render('admin-webhook-log.njk', {
      title: 'Nhật ký gửi webhook', section: SECTION, active: HOME, d, labels: WEBHOOK_EVENT_LABELS,
      pageCount: Math.max(1, Math.ceil(d.total / d.pageSize)), ...more,
    });
  }

  r.get(`${HOME}/:id`, ...only, async (req, res, next) => {
    try { await renderLog(req, res, id(req.params.id)); } catch (e) { next(e); }
  });

  r.post(`${HOME}/lan-gui/:id/gui-lai`, ...only, (req: Request, res: Response, next) => {
    let hookId = -1;
    return renderAgainOnRefusal(res, next, async () => {
      const again = await hooks.resend(actorOf(res), id(req.params.id));
      hookId = again.subscriptionId;
      flash(req, `Đã gửi lại sự kiện (lần gửi ${again.id}).`);
      res.redirect(303, `${HOME}/${again.subscriptionId}`);
    }, async (status, error) => {
      const sub = typeof req.body?.subscriptionId === 'string' ? id(req.body.subscriptionId) : hookId;
      await renderLog(req, res, sub, { error }, status);
    }, ['not_found', 'forbidden']);
  });
  return r;
}
