// /api/v1 routes of appointments: free slots, booking and cancelling (citizen or business token), the agency's
// list and rescheduling (staff token); the document: api/appointments/openapi.ts.
import express, { type Request, type Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { PortalUser } from '../auth/service.js';
import type { AppDeps } from '../http/deps.js';
import { str } from '../http/fields.js';
import type { AppointmentRow } from './queries.js';

/** One appointment as the API shows it (schema `Appointment`). */
const appointmentBody = (a: AppointmentRow) => ({
  code: a.code, status: a.status, agencyCode: a.agency_code, agencyName: a.agency_name,
  documentType: { code: a.document_type_code, name: a.document_type_name },
  time: { date: a.original_day, slot: a.original_start_time },
  newTime: a.day !== a.original_day || a.start_time !== a.original_start_time ? { date: a.day, slot: a.start_time } : null,
  rescheduleReason: a.reschedule_reason, dossierCode: a.dossier_code,
  applicant: { kind: a.kind, fullName: a.full_name, idNumber: a.id_number, phone: a.phone, email: a.email },
});

export function appointmentJson(deps: AppDeps) {
  const r = express.Router();
  const svc = deps.appointments;
  // The API's token check sets one of them: a staff member or a portal account.
  const who = (res: Response) => ({ actor: res.locals.actor as Actor | null, citizen: res.locals.citizen as PortalUser | null });
  const key = (req: Request) => req.get('idempotency-key') ?? '';

  r.get('/appointments/slots', async (req, res, next) => {
    try {
      const q = req.query as Record<string, string>;
      const day = str(q.date);
      res.json({ agencyCode: q.agencyCode, date: day, slots: (await svc.freeSlots(str(q.agencyCode), day)).map((s) => ({ slot: s.time, remaining: s.remaining })) });
    } catch (e) { next(e); }
  });
  r.post('/appointments', async (req, res, next) => {
    try {
      const { citizen } = who(res);
      if (!citizen) throw new DomainError('forbidden', 'Chỉ công dân, doanh nghiệp có tài khoản DVCQG mới đặt được lịch hẹn.');
      const booked = await svc.book(citizen, req.body ?? {});
      res.status(201).json(appointmentBody(await svc.one(booked.code)));
    } catch (e) { next(e); }
  });
  r.get('/appointments', async (_req, res, next) => {
    try {
      const { actor, citizen } = who(res);
      const rows = actor ? await svc.listForAgency(actor.agencyCode) : await svc.listForAccount(citizen!.username);
      res.json({ total: rows.length, items: rows.map(appointmentBody) });
    } catch (e) { next(e); }
  });
  r.get('/appointments/:code', async (req, res, next) => {
    try { res.json(appointmentBody(await svc.visible(String(req.params.code), who(res)))); } catch (e) { next(e); }
  });
  r.post('/appointments/:code/reschedule', async (req, res, next) => {
    try {
      const { actor } = who(res);
      if (!actor) throw new DomainError('forbidden', 'Chỉ cán bộ tư pháp của cơ quan mới dời được lịch hẹn.');
      await svc.reschedule(actor, String(req.params.code), req.body ?? {}, key(req));
      res.json(appointmentBody(await svc.one(String(req.params.code))));
    } catch (e) { next(e); }
  });
  r.post('/appointments/:code/cancel', async (req, res, next) => {
    try {
      const { citizen } = who(res);
      if (!citizen) throw new DomainError('forbidden', 'Chỉ người đặt lịch mới hủy được lịch hẹn.');
      await svc.cancel(citizen, String(req.params.code), key(req));
      res.json(appointmentBody(await svc.one(String(req.params.code))));
    } catch (e) { next(e); }
  });
  return r;
}
