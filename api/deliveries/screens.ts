// Screens of the deliveries: "Quản lý gửi lại email" (the agency's e-mail deliveries with their status, and
// re-sends; sealer), and the e-mailed download links of e-copies too large to attach (/tai-ve/:token, no login).
import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { pageCount, pageUrlFor } from '../http/paging.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { deliveryListQuery, parse } from '../http/schemas.js';
import { listDeliveries, openDownloadLink } from './service.js';

const STATUS_LABELS: Record<string, string> = { pending: 'Đang gửi', sent: 'Đã gửi', failed: 'Gửi lỗi' };

const sealerOnly = staffOnly('sealer');

export function deliveryScreens(deps: AppDeps) {
  const r = express.Router();

  // E-mailed links for e-copies too large to attach: unguessable, expiring, no login needed.
  r.get('/tai-ve/:token', async (req, res, next) => {
    try {
      const link = await openDownloadLink(deps.db, req.params.token);
      res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="ban-sao-dien-tu-${link.dossier_code}.pdf"` });
      deps.storage.stream(link.file_sha256).on('error', next).pipe(res);
    } catch (e) { next(e); }
  });

  // --- Quản lý gửi lại email ---
  async function render(req: Request, res: Response, status = 200, error?: string) {
    const q = parse(deliveryListQuery, req.query);
    const result = await listDeliveries(deps.db, actorOf(res).agencyCode, q);
    const params = { status: q.status, code: q.code, q: q.q, pageSize: String(result.pageSize) };
    res.status(status).render('deliveries.njk', {
      title: 'Quản lý gửi lại email', active: '/gui-lai-email', result, filter: params, error, statusLabels: STATUS_LABELS,
      pageCount: pageCount(result.total, result.pageSize), pageUrl: pageUrlFor('/gui-lai-email', params),
      idemKey: crypto.randomUUID(),
    });
  }
  r.get('/gui-lai-email', ...sealerOnly, async (req, res, next) => { try { await render(req, res); } catch (e) { next(e); } });
  r.post('/gui-lai-email/:code', ...sealerOnly, (req, res, next) => {
    const code = String(req.params.code);
    return renderAgainOnRefusal(res, next, async () => {
      const body = req.body as Record<string, string>;
      const v = await deps.dossiers.act(actorOf(res), code, 'resend', { email: body.email }, body._key ?? '');
      flash(req, `Đã yêu cầu gửi lại bản sao điện tử của hồ sơ ${code} tới ${v.applicant.email}.`);
      res.redirect(303, '/gui-lai-email');
    }, (status, message) => render(req, res, status, `Hồ sơ ${code}: ${message}`), ['not_found', 'wrong_agency']);
  });
  return r;
}
