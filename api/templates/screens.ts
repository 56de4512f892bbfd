// The screen "Mẫu lời chứng, mẫu sổ" under Quản trị (/quan-tri/mau): the attestation text (header, body, date line
// in textareas, the placeholders listed; "Xem trước" draws the page a draft would print, "Ban hành phiên bản mới"
// publishes it) and the register book's Excel layout (a row per column: field, header, width). Both forms post and
// work without JavaScript: the preview is the page rendered again with the image in it; a refusal renders the form
// again with what was typed and its message. Any admin views and previews; a system administrator publishes.
import express, { type Request, type Response } from 'express';
import {
  ATTESTATION_PLACEHOLDERS, REGISTER_FIELDS, TEMPLATE_KIND_LABELS, type AttestationTemplate, type RegisterLayoutTemplate,
} from '../../domain/templates.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { parse } from '../http/schemas.js';
import { ADMIN_ONLY } from '../admin/service.js';
import { attestationForm, registerForm } from './schemas.js';
import { previewAttestation, publishTemplate, templateOverview, templateVersion } from './service.js';

const PAGE = '/quan-tri/mau';
const SECTION = 'Quản trị';
/** Empty rows under the layout's columns, to add columns without JavaScript. */
const SPARE_ROWS = 3;

type AttestationDraft = { header: string; body: string; dateLine: string };
type RegisterDraft = { field: string; header: string; width: string }[];

const attestationDraftOf = (t: AttestationTemplate): AttestationDraft => ({ header: t.header.join('\n'), body: t.body.join('\n'), dateLine: t.dateLine });
const registerDraftOf = (t: RegisterLayoutTemplate): RegisterDraft => t.columns.map((c) => ({ field: c.field, header: c.header, width: String(c.width) }));

interface PageState {
  attestation?: AttestationDraft; register?: RegisterDraft;
  /** Which form the message and the preview belong to. */
  form?: 'attestation' | 'register_book'; error?: string; field?: string; previewPng?: Buffer;
  /** A version chosen from the list to read (?loiChung=N, ?so=N), shown in its form. */
  shown?: { attestation?: number; register_book?: number };
}

export function templateScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const only = staffOnly('admin', ADMIN_ONLY);

  async function render(res: Response, s: PageState, status = 200) {
    const actor = actorOf(res);
    const attestation = await templateOverview(db, actor, 'attestation');
    const register = await templateOverview(db, actor, 'register_book');
    const shownAttestation = s.shown?.attestation ? await templateVersion(db, actor, 'attestation', s.shown.attestation) : attestation.latest;
    const shownRegister = s.shown?.register_book ? await templateVersion(db, actor, 'register_book', s.shown.register_book) : register.latest;
    const columns = s.register ?? registerDraftOf(shownRegister.body);
    res.status(status).render('admin-templates.njk', {
      title: 'Mẫu lời chứng, mẫu sổ', section: SECTION, active: PAGE, labels: TEMPLATE_KIND_LABELS,
      attestation, register, canPublish: attestation.canPublish,
      shownAttestation: shownAttestation.version, shownRegister: shownRegister.version,
      draft: s.attestation ?? attestationDraftOf(shownAttestation.body),
      columns: [...columns, ...Array.from({ length: SPARE_ROWS }, () => ({ field: '', header: '', width: '' }))],
      placeholders: ATTESTATION_PLACEHOLDERS, fields: REGISTER_FIELDS,
      form: s.form, error: s.error, field: s.field,
      preview: s.previewPng ? `data:image/png;base64,${s.previewPng.toString('base64')}` : null,
    });
  }

  const versionQuery = (v: unknown) => (typeof v === 'string' && /^[1-9]\d{0,8}$/.test(v) ? Number(v) : undefined);

  r.get(PAGE, ...only, async (req, res, next) => {
    try { await render(res, { shown: { attestation: versionQuery(req.query.loiChung), register_book: versionQuery(req.query.so) } }); } catch (e) { next(e); }
  });

  // One form, two buttons: "Xem trước" (intent=preview) draws the draft, "Ban hành phiên bản mới" publishes it.
  r.post(`${PAGE}/loi-chung`, ...only, (req: Request, res: Response, next) => {
    const draft = parse(attestationForm, req.body ?? {});
    const preview = req.body?.intent === 'preview';
    return renderAgainOnRefusal(res, next, async () => {
      if (preview) return render(res, { attestation: draft, form: 'attestation', previewPng: await previewAttestation(db, actorOf(res), draft) });
      const { version } = await publishTemplate(db, actorOf(res), 'attestation', draft);
      flash(req, `Đã ban hành mẫu lời chứng phiên bản ${version}: áp dụng cho các bản sao ký từ bây giờ.`);
      res.redirect(303, PAGE);
    }, (status, message, e) => render(res, { attestation: draft, form: 'attestation', error: message, field: e.field }, status));
  });

  r.post(`${PAGE}/so`, ...only, (req: Request, res: Response, next) => {
    const draft = registerForm((req.body ?? {}) as Record<string, unknown>);
    return renderAgainOnRefusal(res, next, async () => {
      const { version } = await publishTemplate(db, actorOf(res), 'register_book', draft);
      flash(req, `Đã ban hành mẫu sổ chứng thực phiên bản ${version}: áp dụng cho các lần xuất Excel từ bây giờ.`);
      res.redirect(303, PAGE);
    }, (status, message, e) => render(res, { register: draft.columns, form: 'register_book', error: message, field: e.field }, status));
  });
  return r;
}
