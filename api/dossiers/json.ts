// JSON API /api/v1 for machines (SPEC §5a). Errors: 4xx {error, message}.
import express, { type NextFunction, type Request, type Response } from 'express';
import { parseVnDate } from '../../domain/dates.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor, DossierStatus } from '../../domain/types.js';
import type { DossierView } from '../../workflows/messages.js';
import type { AppDeps } from '../app.js';
import { issueToken, loadActor, loadPortalUser, portalSubject, verifyCitizenLogin, verifyStaffLogin, verifyToken } from '../auth/service.js';
import { appointmentApiRoutes, createDossier } from '../appointments.js';
import { deliveryApiRoutes } from '../deliveries.js';
import { openApiDocument } from '../openapi.js';
import { registerApiRoutes } from '../register-api.js';
import type { CreateDossierInput } from './service.js';
import { discard, parseMultipart } from '../http/upload.js';
import { idempotencyKeyGuard } from '../http/idempotency.js';
import { imageApiRoutes } from '../images-routes.js';
import { refuseControlCharacters } from '../http/input-guard.js';
import { dossierListQuery, loginBody, parse } from '../http/schemas.js';
import { verifyApiRoutes } from '../verify-routes.js';

const STATUSES: DossierStatus[] = ['awaiting_signature', 'returned', 'awaiting_seal', 'completed', 'cancelled'];

export function dossierJson(v: DossierView & { processing?: boolean; stale?: boolean }) {
  return {
    // Only when true: an action still running, or the read model's snapshot because the workflow could not be asked.
    ...(v.processing ? { processing: true } : {}), ...(v.stale ? { stale: true } : {}),
    code: v.code, status: v.status, agencyCode: v.agencyCode, agencyName: v.agencyName,
    applicant: v.applicant, documentType: v.documentType, copies: v.copies, pageCount: v.pageCount, fee: v.fee,
    certificationNumber: v.certificationNumber, registerBook: v.registerBook, returnReason: v.returnReason, cancelReason: v.cancelReason,
    dueDate: v.dueDate, signedBy: v.signedBy, sealedBy: v.sealedBy, delivery: v.delivery, createdBy: v.createdBy, createdAt: v.createdAt,
    scan: v.scan, signedPdf: v.signedPdf, sealedPdf: v.sealedPdf, history: v.history,
  };
}

export function apiRoutes(deps: AppDeps) {
  const r = express.Router();
  const { db, dossiers } = deps;

  r.get('/openapi.json', (_req, res) => res.json(openApiDocument));

  r.post('/auth/token', express.json({ limit: '16kb' }), refuseControlCharacters, async (req, res, next) => {
    try {
      const { username, password } = req.body ?? {};
      const typed = parse(loginBody, req.body ?? {});
      const staff = typed.username && (await db.selectFrom('users').select('username').where('username', '=', typed.username.toLowerCase()).executeTakeFirst());
      if (staff || req.body?.kind === 'staff') {
        const a = await verifyStaffLogin(db, deps.throttle, req.ip ?? '', username, password);
        return res.json({ token: await issueToken(db, deps.config.sessionSecret, a.username), expiresIn: 12 * 3600 });
      }
      // A citizen's or business's portal account.
      const p = await verifyCitizenLogin(db, deps.throttle, req.ip ?? '', username, password);
      res.json({ token: await issueToken(db, deps.config.sessionSecret, portalSubject(p.username)), expiresIn: 12 * 3600 });
    } catch (e) { next(e); }
  });

  r.use(verifyApiRoutes(deps)); // public: GET /verify/{code}, POST /verify (api/verify-routes.ts)

  // Every other route needs a bearer token; the acting user comes from it.
  r.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
      const subject = m ? await verifyToken(db, deps.config.sessionSecret, m[1]) : null;
      const citizen = subject?.startsWith('p:') ? await loadPortalUser(db, subject.slice(2)) : null;
      const actor = subject && !subject.startsWith('p:') ? await loadActor(db, subject) : null;
      if (!actor && !citizen) throw new DomainError('unauthenticated', 'Thiếu hoặc sai mã truy cập (Bearer token).');
      res.locals.actor = actor;
      res.locals.citizen = citizen;
      next();
    } catch (e) { next(e); }
  });
  r.use(express.json({ limit: '64kb' }), refuseControlCharacters);
  r.use(idempotencyKeyGuard); // a malformed Idempotency-Key is a 400 before any route acts
  r.use(appointmentApiRoutes(deps)); // citizens and staff
  // Everything below is for staff only.
  r.use((_req, res, next) => next(res.locals.actor ? undefined : new DomainError('forbidden', 'Chức năng này dành cho cán bộ của cơ quan chứng thực.')));
  const actor = (res: Response) => res.locals.actor as Actor;

  r.get('/document-types', async (_req, res, next) => {
    try { res.json(await dossiers.documentTypes()); } catch (e) { next(e); }
  });

  r.post('/dossiers', async (req, res, next) => {
    try {
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Gửi hồ sơ dạng multipart/form-data với tệp "scan".');
      const { fields, file } = await parseMultipart(req, deps.storage);
      const v = await createDossier(deps, actor(res), fields as unknown as CreateDossierInput, file, req.get('idempotency-key') ?? fields.idempotencyKey ?? '');
      res.status(201).json(dossierJson(v));
    } catch (e) { next(e); }
  });

  r.get('/dossiers', async (req, res, next) => {
    try {
      const q = parse(dossierListQuery, req.query);
      const statuses = q.status ? q.status.split(',').filter((s): s is DossierStatus => STATUSES.includes(s as DossierStatus)) : [];
      if (q.status && statuses.length === 0) throw new DomainError('validation', `Trạng thái không hợp lệ; dùng một trong: ${STATUSES.join(', ')}.`);
      const from = q.from ? parseVnDate(q.from) : null;
      const to = q.to ? parseVnDate(q.to) : null;
      if ((q.from && !from) || (q.to && !to)) throw new DomainError('validation', 'Ngày không hợp lệ (yyyy-MM-dd hoặc dd/MM/yyyy).');
      const result = await dossiers.list(actor(res), { statuses, applicantKind: q.applicantKind, code: q.code, q: q.q, from, to, page: q.page, pageSize: q.pageSize });
      res.json({
        total: result.total, page: result.page, pageSize: result.pageSize,
        items: result.items.map((d) => ({
          code: d.code, status: d.status, applicantKind: d.applicant_kind, applicantName: d.applicant_name, idNumber: d.applicant_id_number,
          email: d.applicant_email, documentType: d.document_type_name, certificationNumber: d.certification_number, createdAt: d.created_at,
        })),
      });
    } catch (e) { next(e); }
  });

  r.get('/dossiers/:code', async (req, res, next) => {
    try { res.json(dossierJson(await dossiers.get(actor(res), req.params.code))); } catch (e) { next(e); }
  });

  r.get('/dossiers/:code/pdf', async (req, res, next) => {
    try {
      const { ref, kind } = await dossiers.currentPdf(actor(res), req.params.code, String(req.query.which ?? ''));
      res.set({ 'Content-Type': 'application/pdf', 'Content-Length': String(ref.size), 'Content-Disposition': `attachment; filename="${req.params.code}-${kind}.pdf"`, 'X-Document-Kind': kind });
      deps.storage.stream(ref.sha256).on('error', next).pipe(res);
    } catch (e) { next(e); }
  });

  const key = (req: Request) => req.get('idempotency-key') ?? (req.body?.idempotencyKey as string | undefined) ?? '';
  const act = (name: 'returnToCreator' | 'cancel' | 'sign' | 'seal' | 'deliver' | 'resend') => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const v = await dossiers.act(actor(res), String(req.params.code), name, req.body ?? {}, key(req));
      // Accepted, still running: 202; GET /dossiers/{code} follows it (the same Idempotency-Key finds it again).
      if (v.processing) return res.status(202).json({ code: v.code, status: v.status, processing: true });
      res.json(dossierJson(v));
    } catch (e) { next(e); }
  };
  r.post('/dossiers/:code/return', act('returnToCreator'));
  r.post('/dossiers/:code/cancel', act('cancel'));
  r.post('/dossiers/:code/sign', act('sign'));
  r.post('/dossiers/:code/seal', act('seal'));
  r.post('/dossiers/:code/deliver', act('deliver'));
  r.post('/dossiers/:code/resend', act('resend'));
  r.use(deliveryApiRoutes(deps)); // GET /deliveries, /dossiers/{code}/deliveries
  r.post('/dossiers/:code/resubmit', async (req, res, next) => {
    try {
      let file = null; let k = key(req);
      if (req.is('multipart/form-data')) {
        const parsed = await parseMultipart(req, deps.storage);
        file = parsed.file;
        k = req.get('idempotency-key') ?? parsed.fields.idempotencyKey ?? '';
      }
      try {
        const v = await dossiers.act(actor(res), String(req.params.code), 'resubmit', {}, k, file);
        if (v.processing) return res.status(202).json({ code: v.code, status: v.status, processing: true });
        res.json(dossierJson(v));
      } catch (e) { await discard(file); throw e; }
    } catch (e) { next(e); }
  });

  r.use(registerApiRoutes(deps)); // register books and the fee report (api/register-api.ts)

  r.use('/images', imageApiRoutes(deps)); // seal and signature images (PNG), api/images-routes.ts

  return r;
}
