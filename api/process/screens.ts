// Screens of process definitions ("Quản trị → Cấu hình quy trình"): the scope's agencies with the version their new
// dossiers start under, and one agency's form (review steps, separation of duties, automatic delivery) that
// publishes a new version, with the versions published before. Plain forms (post/redirect/get), no JavaScript.
import express, { type Request, type Response } from 'express';
import { MAX_REVIEW_STEPS, reviewSteps, STEP_LABELS, STEP_ROLES, stepLabel, type ProcessDefinition } from '../../domain/process.js';
import { ROLE_LABELS } from '../../domain/types.js';
import { ADMIN_ONLY, getAgency } from '../admin/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { parse } from '../http/schemas.js';
import { processFromForm, processParams } from './schemas.js';
import { getProcess, processOverview, publishProcess } from './service.js';

const PROCESSES = '/quan-tri/quy-trinh';
const SECTION = 'Quản trị';

const stepsText = (p: Pick<ProcessDefinition, 'steps'>) => p.steps.map((s) => `${stepLabel(s)} (${ROLE_LABELS[s.role]})`).join(' → ');
const formOf = (body: unknown) => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;

export function processScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const only = staffOnly('admin', ADMIN_ONLY);

  r.get(PROCESSES, ...only, async (_req, res, next) => {
    try {
      const agencies = await processOverview(db, actorOf(res));
      res.render('admin-processes.njk', {
        title: 'Cấu hình quy trình', section: SECTION, active: PROCESSES,
        agencies: agencies.map((a) => ({ ...a, indent: Math.min(a.depth, 8), marks: '— '.repeat(a.depth) })),
      });
    } catch (e) { next(e); }
  });

  /** The form filled from a definition (the current one, or what was sent when refused). */
  async function renderForm(res: Response, code: string, shown?: Omit<ProcessDefinition, 'version'>, status = 200, error?: string) {
    const actor = actorOf(res);
    const agency = await getAgency(db, actor, code);
    const current = await getProcess(db, actor, agency.code);
    const def = shown ?? current;
    const reviews = reviewSteps({ version: 0, ...def });
    const reviewRows = Array.from({ length: MAX_REVIEW_STEPS }, (_, i) => ({ label: reviews[i]?.label ?? '', role: reviews[i]?.role ?? 'reviewer' }));
    res.status(status).render('admin-process-form.njk', {
      title: 'Cấu hình quy trình', section: SECTION, active: PROCESSES, error, agency, current,
      form: { separationOfDuties: def.separationOfDuties, autoDeliver: def.autoDeliver }, reviewRows,
      reviewRoles: STEP_ROLES.review, roleLabels: ROLE_LABELS, stepLabels: STEP_LABELS, maxReviews: MAX_REVIEW_STEPS,
      versions: current.versions.map((v) => ({ ...v, stepsText: stepsText(v) })),
    });
  }

  r.get(`${PROCESSES}/:code`, ...only, async (req, res, next) => {
    try { await renderForm(res, parse(processParams, req.params).code); } catch (e) { next(e); }
  });

  r.post(`${PROCESSES}/:code`, ...only, (req: Request, res: Response, next) => {
    const code = String(req.params.code);
    const body = processFromForm(formOf(req.body));
    return renderAgainOnRefusal(res, next, async () => {
      const p = await publishProcess(db, actorOf(res), parse(processParams, req.params).code, body);
      flash(req, `Đã ban hành phiên bản ${p.version} của quy trình. Hồ sơ tạo từ bây giờ theo phiên bản này; hồ sơ đang xử lý giữ phiên bản cũ.`);
      res.redirect(303, `${PROCESSES}/${encodeURIComponent(code)}`);
    }, (status, message) => renderForm(res, code, body as Omit<ProcessDefinition, 'version'>, status, message), ['not_found']);
  });
  return r;
}
