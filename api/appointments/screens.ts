// The creator's appointment screens: "Lịch hẹn chờ duyệt" (the agency's list) and "Dời lịch hẹn" (a new day,
// free slot and reason). "Xử lý" opens the new-dossier form, which takes the appointment over (createDossier).
import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { APPOINTMENT_STATUS_LABELS, formatSlot } from '../../domain/appointments.js';
import { parseVnDate, vnDate, vnIsoDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { str } from '../http/fields.js';
import { actorOf, flash, needLogin, needRole } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';

const kindLabel = (k: string) => (k === 'business' ? 'Doanh nghiệp' : 'Công dân');

export function appointmentScreens(deps: AppDeps) {
  const r = express.Router();
  const svc = deps.appointments;
  const creatorOnly = needRole('creator');

  r.get('/lich-hen', needLogin, creatorOnly, async (req, res, next) => {
    try {
      const status = typeof req.query.status === 'string' ? req.query.status : 'booked';
      const items = await svc.listForAgency(actorOf(res).agencyCode, { status: status === 'all' ? undefined : status });
      res.render('appointments.njk', { title: 'Lịch hẹn chờ duyệt', active: '/lich-hen', items, status, kindLabel, formatSlot, statusLabels: APPOINTMENT_STATUS_LABELS });
    } catch (e) { next(e); }
  });

  async function renderReschedule(req: Request, res: Response, status = 200, error?: string) {
    const a = await svc.visible(String(req.params.code), { actor: actorOf(res) });
    const body = (req.body ?? {}) as Record<string, string>;
    const dateText = str(req.query.date) || str(body.date);
    const day = parseVnDate(dateText) ?? vnIsoDate(new Date());
    // A day outside the window has no slots to offer; the refusal itself is the page's error.
    const slots = await svc.freeSlots(a.agency_code, day).catch((e) => { if (e instanceof DomainError) return []; throw e; });
    // A text field in dd/mm/yyyy, as every date on the screens (the native date picker followed the browser's locale).
    const dateValue = parseVnDate(dateText) || !dateText ? vnDate(day) : dateText;
    res.status(status).render('appointment-reschedule.njk', {
      title: 'Dời lịch hẹn', active: '/lich-hen', a, kindLabel, formatSlot, slots, day, dateValue, error,
      form: body, idemKey: crypto.randomUUID(),
    });
  }
  r.get('/lich-hen/:code/doi-lich', needLogin, creatorOnly, async (req, res, next) => { try { await renderReschedule(req, res); } catch (e) { next(e); } });
  r.get('/lich-hen/:code/khung-gio', needLogin, creatorOnly, async (req, res, next) => {
    try {
      const a = await svc.visible(String(req.params.code), { actor: actorOf(res) });
      const day = parseVnDate(str(req.query.date)) ?? '';
      const slots = day ? await svc.freeSlots(a.agency_code, day) : [];
      res.set('Vary', 'HX-Request').render('appointment-slots.njk', { slots, selected: '' });
    } catch (e) { next(e); }
  });
  r.post('/lich-hen/:code/doi-lich', needLogin, creatorOnly, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const code = String(req.params.code);
    const body = req.body as Record<string, string>;
    const s = await svc.reschedule(actorOf(res), code, { date: body.date, slot: body.slot, reason: body.reason }, body._key ?? '');
    flash(req, `Đã dời lịch hẹn ${code} sang ${formatSlot(s.day, s.time)}; đã gửi SMS và thông báo tới người đặt lịch.`);
    res.redirect(303, '/lich-hen');
  }, (status, message) => renderReschedule(req, res, status, message), ['not_found', 'wrong_agency']));
  return r;
}
