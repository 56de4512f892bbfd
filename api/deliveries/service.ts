// "Quản lý gửi lại email": the agency's e-mail deliveries with their status, and re-sends (sealer).
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { containsPattern, type Db } from '../../lib/db.js';
import type { AppDeps } from '../app.js';
import { deliveryListQuery, paging, parse } from '../http/schemas.js';

export interface DeliveryFilter { status?: string; code?: string; q?: string; page?: unknown; pageSize?: unknown }

export async function listDeliveries(db: Db, agencyCode: string, f: DeliveryFilter) {
  const { page, pageSize } = parse(paging, { page: f.page, pageSize: f.pageSize });
  let q = db.selectFrom('deliveries').innerJoin('dossiers', 'dossiers.code', 'deliveries.dossier_code')
    .where('dossiers.agency_code', '=', agencyCode).where('deliveries.channel', '=', 'email');
  if (f.status && ['pending', 'sent', 'failed'].includes(f.status)) q = q.where('deliveries.status', '=', f.status as 'sent');
  if (f.code?.trim()) q = q.where('deliveries.dossier_code', 'ilike', containsPattern(f.code.trim()));
  if (f.q?.trim()) {
    const like = containsPattern(f.q.trim());
    q = q.where((eb) => eb.or([eb('deliveries.address', 'ilike', like), eb('dossiers.applicant_name', 'ilike', like)]));
  }
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const items = await q.select([
    'deliveries.dossier_code as code', 'deliveries.address', 'deliveries.status', 'deliveries.error', 'deliveries.attempts',
    'deliveries.sent_at', 'deliveries.created_at', 'dossiers.applicant_name', 'dossiers.document_type_name', 'dossiers.certification_number',
  ]).orderBy('deliveries.created_at', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
  return { total: Number(total), page, pageSize, items };
}

export function attemptsOf(db: Db, code: string) {
  return db.selectFrom('delivery_attempts').selectAll().where('dossier_code', '=', code).orderBy('created_at').orderBy('id').execute();
}

const STATUS_LABELS: Record<string, string> = { pending: 'Đang gửi', sent: 'Đã gửi', failed: 'Gửi lỗi' };

export function deliveryWebRoutes(deps: AppDeps) {
  const r = express.Router();
  const actor = (res: Response) => res.locals.actor as Actor;
  const sealerOnly = (_req: Request, res: Response, next: NextFunction) => {
    if (!res.locals.actor) return res.redirect(303, '/dang-nhap');
    if (!actor(res).roles.includes('sealer')) return next(new DomainError('forbidden', 'Bạn không có quyền truy cập chức năng này.'));
    next();
  };
  async function render(req: Request, res: Response, status = 200, error?: string) {
    const q = parse(deliveryListQuery, req.query);
    const result = await listDeliveries(deps.db, actor(res).agencyCode, q);
    const params = { status: q.status, code: q.code, q: q.q, pageSize: String(result.pageSize) };
    res.status(status).render('deliveries.njk', {
      title: 'Quản lý gửi lại email', active: '/gui-lai-email', result, filter: params, error, statusLabels: STATUS_LABELS,
      pageCount: Math.max(1, Math.ceil(result.total / result.pageSize)),
      pageUrl: (p: number) => `/gui-lai-email?${new URLSearchParams({ ...params, page: String(p) })}`,
      idemKey: crypto.randomUUID(),
    });
  }
  r.get('/gui-lai-email', sealerOnly, async (req, res, next) => { try { await render(req, res); } catch (e) { next(e); } });
  r.post('/gui-lai-email/:code', sealerOnly, async (req, res, next) => {
    const code = String(req.params.code);
    try {
      const body = req.body as Record<string, string>;
      const v = await deps.dossiers.act(actor(res), code, 'resend', { email: body.email }, body._key ?? '');
      req.session!.flash = `Đã yêu cầu gửi lại bản sao điện tử của hồ sơ ${code} tới ${v.applicant.email}.`;
      res.redirect(303, '/gui-lai-email');
    } catch (e) {
      if (e instanceof DomainError && e.code !== 'not_found' && e.code !== 'wrong_agency') {
        try { return await render(req, res, HTTP_STATUS[e.code], `Hồ sơ ${code}: ${e.message}`); } catch (e2) { return next(e2); }
      }
      next(e);
    }
  });
  return r;
}

export function deliveryApiRoutes(deps: AppDeps) {
  const r = express.Router();
  const actor = (res: Response) => res.locals.actor as Actor;
  r.get('/deliveries', async (req, res, next) => {
    try {
      if (!actor(res).roles.includes('sealer')) throw new DomainError('forbidden', 'Bạn không có Quyền đóng dấu bản sao.');
      const q = parse(deliveryListQuery, req.query);
      if (q.status && !['pending', 'sent', 'failed'].includes(q.status)) throw new DomainError('validation', 'Trạng thái gửi không hợp lệ (pending, sent, failed).');
      res.json(await listDeliveries(deps.db, actor(res).agencyCode, q));
    } catch (e) { next(e); }
  });
  r.get('/dossiers/:code/deliveries', async (req, res, next) => {
    try {
      await deps.dossiers.row(actor(res), String(req.params.code));
      res.json(await attemptsOf(deps.db, String(req.params.code)));
    } catch (e) { next(e); }
  });
  return r;
}
