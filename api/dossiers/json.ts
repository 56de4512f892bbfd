// The dossier routes of the JSON API /api/v1 (SPEC §5a), for staff tokens: create, list, read, PDF and actions.
// Errors: 4xx {error, message} (api/http/errors.ts).
import { DEFAULT_PROCESS, reviewSteps, type ProcessDefinition } from '../../domain/process.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { parseVnDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import type { DossierStatus } from '../../domain/dossier.js';
import { createDossier } from '../appointments/service.js';
import { workflowIdFor } from '../../workflows/messages.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf as actor } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { discard, parseMultipart } from '../http/upload.js';
import { dossierListQuery } from './schemas.js';
import { listOrder, type CreateDossierInput, type DossierPage } from './service.js';

const STATUSES: DossierStatus[] = ['awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal', 'completed', 'cancelled'];

const processJson = (p: ProcessDefinition) => ({ version: p.version, steps: p.steps, separationOfDuties: p.separationOfDuties, autoDeliver: p.autoDeliver });

export function dossierJson(v: DossierPage) {
  return {
    // Only when true: an action still running, or the read model's snapshot because the workflow could not be asked.
    ...(v.processing ? { processing: true } : {}), ...(v.waitingFor ? { waitingFor: v.waitingFor } : {}), ...(v.stale ? { stale: true } : {}),
    code: v.code, status: v.status, agencyCode: v.agencyCode, agencyName: v.agencyName,
    applicant: v.applicant, documentType: v.documentType, copies: v.copies, pageCount: v.pageCount, fee: v.fee,
    certificationNumber: v.certificationNumber, registerBook: v.registerBook, returnReason: v.returnReason, cancelReason: v.cancelReason,
    dueDate: v.dueDate, signedBy: v.signedBy, sealedBy: v.sealedBy, delivery: v.delivery, createdBy: v.createdBy, createdAt: v.createdAt,
    scan: v.scan, signedPdf: v.signedPdf, sealedPdf: v.sealedPdf, history: v.history,
    // The process pinned when the dossier started (version 0: the built-in one), and where it is in its review steps.
    process: processJson(v.process ?? DEFAULT_PROCESS),
    reviewStep: v.status === 'awaiting_review' ? { index: v.reviewIndex ?? 0, ...reviewSteps(v.process ?? DEFAULT_PROCESS)[v.reviewIndex ?? 0] } : null,
    reviews: v.reviews ?? [],
  };
}

export function dossiersJson(deps: AppDeps) {
  const r = express.Router();
  const { dossiers } = deps;

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
      const result = await dossiers.list(actor(res), { agencyCode: q.agencyCode || undefined, withSubtree: q.tree === '1', statuses, applicantKind: q.applicantKind, code: q.code, q: q.q, from, to, ...listOrder(q, 'newest'), page: q.page, pageSize: q.pageSize });
      res.json({
        // `totalCapped`: there are more than `total` (a broad search, counted up to 10,000); no page past it is served.
        total: result.total, ...(result.capped ? { totalCapped: true } : {}), page: result.page, pageSize: result.pageSize,
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

  // The workflow's own history (supervisors, testers): replays with `npm run replay`.
  r.get('/dossiers/:code/history', async (req, res, next) => {
    try {
      const json = await dossiers.history(actor(res), String(req.params.code));
      res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="${workflowIdFor(String(req.params.code))}.json"` }).send(json);
    } catch (e) { next(e); }
  });

  r.get('/dossiers/:code/pdf', async (req, res, next) => {
    try {
      const { ref, kind } = await dossiers.currentPdf(actor(res), req.params.code, String(req.query.which ?? ''));
      res.set({ 'Content-Type': 'application/pdf', 'Content-Length': String(ref.size), 'Content-Disposition': `attachment; filename="${req.params.code}-${kind}.pdf"`, 'X-Document-Kind': kind });
      deps.storage.stream(ref.sha256).on('error', next).pipe(res);
    } catch (e) { next(e); }
  });

  const key = (req: Request) => req.get('idempotency-key') ?? (req.body?.idempotencyKey as string | undefined) ?? '';
  const act = (name: 'returnToCreator' | 'approve' | 'cancel' | 'sign' | 'seal' | 'deliver' | 'resend') => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const v = await dossiers.act(actor(res), String(req.params.code), name, req.body ?? {}, key(req));
      // Accepted, still running: 202; GET /dossiers/{code} follows it (the same Idempotency-Key finds it again).
      if (v.processing) return res.status(202).json({ code: v.code, status: v.status, processing: true });
      res.json(dossierJson(v));
    } catch (e) { next(e); }
  };
  r.post('/dossiers/:code/return', act('returnToCreator'));
  r.post('/dossiers/:code/approve', act('approve'));
  r.post('/dossiers/:code/cancel', act('cancel'));
  r.post('/dossiers/:code/sign', act('sign'));
  r.post('/dossiers/:code/seal', act('seal'));
  r.post('/dossiers/:code/deliver', act('deliver'));
  r.post('/dossiers/:code/resend', act('resend'));
  // The leader's signature with a token outside the server (README "Ký số bằng USB token"): prepare, sign elsewhere, complete.
  r.post('/dossiers/:code/sign/prepare', async (req, res, next) => {
    try {
      const p = await dossiers.prepareSign(actor(res), String(req.params.code), req.body ?? {}, key(req), deps.certificates);
      res.json({ preparationId: p.preparationId, digest: p.digest, digestAlgorithm: 'SHA-256', signedAttributes: p.signedAttributes, expiresAt: p.expiresAt, certificate: p.certificate });
    } catch (e) { next(e); }
  });
  r.post('/dossiers/:code/sign/complete', async (req, res, next) => {
    try {
      const v = await dossiers.completeSign(actor(res), String(req.params.code), req.body ?? {}, key(req));
      if (v.processing) return res.status(202).json({ code: v.code, status: v.status, processing: true });
      res.json(dossierJson(v));
    } catch (e) { next(e); }
  });
  r.post('/dossiers/:code/resubmit', async (req, res, next) => {
    try {
      // The dossier's new details, if any (applicantKind, idNumber, fullName, email, phone, documentType, copies),
      // as JSON or as the multipart's fields beside a new scan.
      let file = null; let k = key(req); let edit: Record<string, unknown> = req.body ?? {};
      if (req.is('multipart/form-data')) {
        const parsed = await parseMultipart(req, deps.storage);
        file = parsed.file;
        k = req.get('idempotency-key') ?? parsed.fields.idempotencyKey ?? '';
        edit = parsed.fields;
      }
      try {
        const v = await dossiers.act(actor(res), String(req.params.code), 'resubmit', edit, k, file);
        if (v.processing) return res.status(202).json({ code: v.code, status: v.status, processing: true });
        res.json(dossierJson(v));
      } catch (e) { await discard(file); throw e; }
    } catch (e) { next(e); }
  });

  return r;
}
