// Screens of administration ("Quản trị"): "Cơ quan, đơn vị" (the tree of the administrator's scope: add an agency
// under one, edit, move, deactivate) and "Nhật ký quản trị" (the audit list with before and after, Excel export).
// Staff only (the admin role); mounted inside the session router (api/app.ts, screenRoutes). Forms post and
// redirect (post/redirect/get) and work without JavaScript; a refusal renders the form again with its message.
import express, { type Request, type Response } from 'express';
import { ADMIN_ENTITY_LABELS } from '../../domain/admin-audit.js';
import { AGENCY_KIND_LABELS, type Agency } from '../../domain/agency.js';
import type { AppDeps } from '../http/deps.js';
import { sendXlsx } from '../http/excel.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { pageCount, pageUrlFor } from '../http/paging.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { parse } from '../http/schemas.js';
import { agencyBody, agencyParams, agencyPatch, auditQuery } from './schemas.js';
import {
  actionLabel, ADMIN_ONLY, auditWorkbook, createAgency, describeChanges, entityLabel, getAgency, listAgencies, listAuditEvents, parentOf, scopeOf, updateAgency,
} from './service.js';

const AGENCIES = '/quan-tri/co-quan';
const AUDIT = '/quan-tri/nhat-ky';
const SECTION = 'Quản trị';

/** The form as typed (strings), to show it again. */
const formOf = (body: unknown) => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;

export function adminScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const only = staffOnly('admin', ADMIN_ONLY);

  /** The scope's agencies as the parent picker offers them: indented by depth, the active ones only. */
  async function parentOptions(res: Response, except?: string) {
    const all = await listAgencies(db, actorOf(res));
    return all.filter((a) => a.code !== except && a.active).map((a) => ({ code: a.code, label: `${'— '.repeat(a.depth)}${a.name} (${a.code})` }));
  }

  async function renderTree(res: Response) {
    const agencies = await listAgencies(db, actorOf(res));
    res.render('admin-agencies.njk', {
      title: 'Cơ quan, đơn vị', section: SECTION, active: AGENCIES,
      agencies: agencies.map((a) => ({ ...a, kindLabel: AGENCY_KIND_LABELS[a.kind] ?? a.kind, indent: Math.min(a.depth, 8), marks: '— '.repeat(a.depth) })),
    });
  }

  async function renderNew(res: Response, form: Record<string, string>, status = 200, error?: string, field?: string) {
    res.status(status).render('admin-agency-form.njk', {
      title: 'Thêm cơ quan, đơn vị', section: SECTION, active: AGENCIES, error, field, form,
      parents: await parentOptions(res), kinds: AGENCY_KIND_LABELS,
    });
  }

  async function renderEdit(res: Response, agency: Agency, form: Record<string, string>, status = 200, error?: string, field?: string) {
    const top = agency.code === scopeOf(actorOf(res));
    const parent = await parentOf(db, agency);
    res.status(status).render('admin-agency-form.njk', {
      title: 'Sửa cơ quan, đơn vị', section: SECTION, active: AGENCIES, error, field, form, agency, top, parent,
      parents: top ? [] : await parentOptions(res, agency.code), kinds: AGENCY_KIND_LABELS,
    });
  }

  const formFromAgency = (a: Agency): Record<string, string> => ({ name: a.name, parentCode: a.parentCode ?? '', portalCode: a.portalCode, kind: a.kind, address: a.address });

  r.get(AGENCIES, ...only, async (_req, res, next) => {
    try { await renderTree(res); } catch (e) { next(e); }
  });

  r.get(`${AGENCIES}/them-moi`, ...only, async (req, res, next) => {
    try {
      const parent = typeof req.query.capTren === 'string' ? req.query.capTren : '';
      if (parent) await getAgency(db, actorOf(res), parent); // an agency outside the scope is not offered: 404
      await renderNew(res, { parentCode: parent, kind: 'commune' });
    } catch (e) { next(e); }
  });

  r.post(AGENCIES, ...only, (req: Request, res: Response, next) => {
    const form = formOf(req.body);
    return renderAgainOnRefusal(res, next, async () => {
      const a = await createAgency(db, actorOf(res), parse(agencyBody, form));
      flash(req, `Đã thêm “${a.name}” (mã ${a.code}).`);
      res.redirect(303, AGENCIES);
    }, (status, message, e) => renderNew(res, form, status, message, e.field));
  });

  r.get(`${AGENCIES}/:code/sua`, ...only, async (req, res, next) => {
    try {
      const agency = await getAgency(db, actorOf(res), parse(agencyParams, req.params).code);
      await renderEdit(res, agency, formFromAgency(agency));
    } catch (e) { next(e); }
  });

  r.post(`${AGENCIES}/:code/sua`, ...only, async (req, res, next) => {
    const form = formOf(req.body);
    try {
      const agency = await getAgency(db, actorOf(res), parse(agencyParams, req.params).code); // 404 outside the scope
      const top = agency.code === scopeOf(actorOf(res));
      // The top of the scope cannot move (its parent is outside the scope): its form has no parent field.
      const fields = { name: form.name, portalCode: form.portalCode, kind: form.kind, address: form.address, ...(top ? {} : { parentCode: form.parentCode }) };
      await renderAgainOnRefusal(res, next, async () => {
        const a = await updateAgency(db, actorOf(res), agency.code, parse(agencyPatch, fields));
        flash(req, `Đã lưu “${a.name}” (mã ${a.code}).`);
        res.redirect(303, AGENCIES);
      }, (status, message, e) => renderEdit(res, agency, form, status, message, e.field)); // a parent outside the scope: 404 on the form
    } catch (e) { next(e); }
  });

  for (const [path, active] of [['ngung-hoat-dong', false], ['hoat-dong-lai', true]] as const) {
    r.post(`${AGENCIES}/:code/${path}`, ...only, async (req, res, next) => {
      try {
        const agency = await getAgency(db, actorOf(res), parse(agencyParams, req.params).code);
        await renderAgainOnRefusal(res, next, async () => {
          const a = await updateAgency(db, actorOf(res), agency.code, { active });
          flash(req, active ? `“${a.name}” đã hoạt động trở lại.` : `“${a.name}” đã ngừng hoạt động.`);
          res.redirect(303, AGENCIES);
        }, (status, message, e) => renderEdit(res, agency, formFromAgency(agency), status, message, e.field), ['unavailable', 'not_found']);
      } catch (e) { next(e); }
    });
  }

  // Nhật ký quản trị: the list, filtered and paged, and its Excel export.
  r.get(AUDIT, ...only, async (req, res, next) => {
    try {
      const q = parse(auditQuery, req.query);
      const filter = { entity: q.entity, entityId: q.entityId };
      const result = await listAuditEvents(db, actorOf(res), filter, q);
      const params = { entity: q.entity ?? '', entityId: q.entityId, pageSize: q.pageSize };
      res.render('admin-audit.njk', {
        title: 'Nhật ký quản trị', section: SECTION, active: AUDIT, filter: params, entities: ADMIN_ENTITY_LABELS,
        result: { ...result, items: result.items.map((e) => ({ ...e, entityLabel: entityLabel(e.entity), actionLabel: actionLabel(e.action), changes: describeChanges(e) })) },
        pageCount: pageCount(result.total, result.pageSize), pageUrl: pageUrlFor(AUDIT, params),
        exportUrl: `${AUDIT}/xuat-excel?${new URLSearchParams({ entity: params.entity, entityId: params.entityId })}`,
      });
    } catch (e) { next(e); }
  });

  r.get(`${AUDIT}/xuat-excel`, ...only, async (req, res, next) => {
    try {
      const q = parse(auditQuery, req.query);
      sendXlsx(res, await auditWorkbook(db, actorOf(res), { entity: q.entity, entityId: q.entityId }));
    } catch (e) { next(e); }
  });
  return r;
}
