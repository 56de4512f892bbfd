// Appointments: the service (free slots, booking, lists, rescheduling, cancelling, taking over by a dossier),
// the JSON API for citizens and staff, and the creator's screens "Lịch hẹn chờ duyệt" / "Dời lịch hẹn".
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { sql } from 'kysely';
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { releasePlace, takePlace } from '../activities/appointments.js';
import {
  APPOINTMENT_STATUS_LABELS, appointmentCode, BEYOND_WINDOW, bookingLimitProblem, DEFAULT_BOOKING_LIMITS, formatSlot, isIsoDay, isWorkingDay, lastBookableDay,
  slotInstant, slotProblem, type BookingLimits, type DayRules,
} from '../domain/appointments.js';
import { parseVnDate, vnDate, vnIsoDate } from '../domain/dates.js';
import { DomainError, HTTP_STATUS } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import type { Db } from '../lib/db.js';
import {
  appointmentWorkflowId, cancelAppointmentUpdate, getAppointmentQuery, markProcessedUpdate, rescheduleUpdate,
  type AppointmentActor, type AppointmentInput, type AppointmentState,
} from '../workflows/appointment-messages.js';
import type * as workflows from '../workflows/index.js';
import type { AppDeps } from './app.js';
import type { PortalUser } from './auth/service.js';
import type { CreateDossierInput } from './dossiers/service.js';
import { bookingBody, parse, rescheduleBody } from './http/schemas.js';
import { discard, type UploadedFile } from './http/upload.js';
import { updateError, WorkflowGone } from './http/workflow-errors.js';

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const APPOINTMENT_WORKFLOW = 'appointmentWorkflow' satisfies keyof typeof workflows;


export class AppointmentService {
  constructor(
    private readonly db: Db, private readonly temporal: Client, private readonly taskQueue: string,
    private readonly shortTimers?: { reminderMs: number; noShowMs: number }, private readonly limits: BookingLimits = DEFAULT_BOOKING_LIMITS,
  ) {}

  async dayRules(agencyCode: string): Promise<DayRules> {
    const rows = await this.db.selectFrom('agency_days').select(['day', 'working']).where('agency_code', '=', agencyCode).execute();
    return { overrides: Object.fromEntries(rows.map((r) => [r.day, r.working])) };
  }

  /** The slots of a day that can still be booked, each with its remaining places (full ones are left out). */
  async freeSlots(agencyCode: string, day: string, now = new Date()) {
    if (!isIsoDay(day)) throw new DomainError('validation', 'Ngày hẹn không hợp lệ (yyyy-MM-dd).', 'date');
    if (day > lastBookableDay(now)) throw new DomainError('validation', BEYOND_WINDOW, 'date');
    const agency = await this.db.selectFrom('agencies').select('code').where('code', '=', agencyCode).executeTakeFirst();
    if (!agency) throw new DomainError('not_found', 'Không tìm thấy cơ quan tiếp nhận.', 'agencyCode');
    if (!isWorkingDay(day, await this.dayRules(agencyCode))) return [];
    const slots = await this.db.selectFrom('appointment_slots').leftJoin('slot_usage', (j) => j
      .onRef('slot_usage.agency_code', '=', 'appointment_slots.agency_code').onRef('slot_usage.start_time', '=', 'appointment_slots.start_time').on('slot_usage.day', '=', day))
      .select(['appointment_slots.start_time as time', 'appointment_slots.capacity', 'slot_usage.used'])
      .where('appointment_slots.agency_code', '=', agencyCode).orderBy('appointment_slots.start_time').execute();
    return slots
      .map((s) => ({ time: s.time, capacity: s.capacity, remaining: s.capacity - (s.used ?? 0) }))
      .filter((s) => s.remaining > 0 && slotInstant(day, s.time).getTime() > now.getTime());
  }

  private async checkSlot(agencyCode: string, day: string, time: string) {
    const slotTimes = (await this.db.selectFrom('appointment_slots').select('start_time').where('agency_code', '=', agencyCode).execute()).map((s) => s.start_time);
    const problem = slotProblem({ day, time, now: new Date(), slotTimes, rules: await this.dayRules(agencyCode) });
    if (problem) throw new DomainError('validation', problem, problem === BEYOND_WINDOW ? 'date' : 'slot');
  }

  /** The limits that apply to a booking at the agency, for the booking form's hint. */
  limitsAt(agencyCode: string) {
    return { perDay: this.limits.perDay, perAgencyDay: this.limits.agencies[agencyCode] ?? this.limits.perAgencyDay };
  }

  /**
   * Refuses a booking over the account's limits (per day, per day at the agency). The account's row stays locked
   * until the booking commits, so one account's racing bookings are counted one after another.
   */
  private async checkLimits(tx: Db, username: string, agencyCode: string, day: string) {
    await tx.selectFrom('portal_accounts').select('username').where('username', '=', username).forUpdate().executeTakeFirstOrThrow();
    const held = await tx.selectFrom('appointments').select('agency_code')
      .where('account_username', '=', username).where('day', '=', day).where('status', '!=', 'cancelled').execute();
    const problem = bookingLimitProblem(this.limits, { agencyCode, day, held: held.map((a) => a.agency_code) });
    if (problem) throw new DomainError('conflict', problem, 'date');
  }

  async book(citizen: PortalUser, input: unknown) {
    const { agencyCode, date: day, slot: time, documentType } = parse(bookingBody, input);
    const agency = await this.db.selectFrom('agencies').selectAll().where('code', '=', agencyCode).executeTakeFirst();
    if (!agency) throw new DomainError('validation', 'Vui lòng chọn cơ quan tiếp nhận.', 'agencyCode');
    const dt = await this.db.selectFrom('document_types').select(['code', 'name']).where('code', '=', documentType).executeTakeFirst();
    if (!dt) throw new DomainError('validation', 'Vui lòng chọn loại giấy tờ cần chứng thực.', 'documentType');
    await this.checkSlot(agencyCode, day, time);
    const account = await this.db.selectFrom('portal_accounts').selectAll().where('username', '=', citizen.username).executeTakeFirstOrThrow();
    // The booking is committed first, then its workflow started: no transaction stays open across the Temporal
    // call. A start that fails gives the place back and removes the booking, so nothing half-made is left.
    const booked = await this.db.transaction().execute(async (tx) => {
      await this.checkLimits(tx, citizen.username, agencyCode, day);
      if (!(await takePlace(tx, agencyCode, day, time))) throw new DomainError('conflict', 'Khung giờ đã chọn đã đủ người, vui lòng chọn giờ khác.', 'slot');
      const bookedDay = vnIsoDate(new Date());
      const seq = await tx.insertInto('appointment_sequences').values({ day: bookedDay, last: 0 })
        .onConflict((oc) => oc.column('day').doUpdateSet({ last: sql`appointment_sequences.last + 1` })).returning('last').executeTakeFirstOrThrow();
      const code = appointmentCode(bookedDay, seq.last);
      await tx.insertInto('appointments').values({
        code, agency_code: agencyCode, account_username: citizen.username, document_type_code: dt.code, day, start_time: time,
        status: 'booked', original_day: day, original_start_time: time,
      }).execute();
      return code;
    });
    const wf: AppointmentInput = {
      code: booked, agencyCode, agencyName: agency.name, account: { username: account.username, fullName: account.full_name, phone: account.phone },
      documentTypeName: dt.name, day, time, ...(this.shortTimers ? { shortTimers: this.shortTimers } : {}),
    };
    try {
      await this.temporal.workflow.start<typeof workflows.appointmentWorkflow>(APPOINTMENT_WORKFLOW, { taskQueue: this.taskQueue, workflowId: appointmentWorkflowId(booked), args: [wf] });
    } catch (e) {
      await this.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('appointments').where('code', '=', booked).execute();
        await releasePlace(tx, agencyCode, day, time);
      });
      throw e;
    }
    return { code: booked, agencyCode, day, slot: time, status: 'booked' as const, documentType: dt };
  }

  private listQuery() {
    return this.db.selectFrom('appointments')
      .innerJoin('portal_accounts', 'portal_accounts.username', 'appointments.account_username')
      .innerJoin('document_types', 'document_types.code', 'appointments.document_type_code')
      .innerJoin('agencies', 'agencies.code', 'appointments.agency_code')
      .select([
        'appointments.code', 'appointments.agency_code', 'agencies.name as agency_name', 'appointments.status', 'appointments.day', 'appointments.start_time',
        'appointments.original_day', 'appointments.original_start_time', 'appointments.reschedule_reason', 'appointments.dossier_code', 'appointments.created_at',
        'appointments.document_type_code', 'document_types.name as document_type_name',
        'portal_accounts.username as account', 'portal_accounts.kind', 'portal_accounts.full_name', 'portal_accounts.id_number', 'portal_accounts.phone', 'portal_accounts.email',
      ]);
  }

  listForAgency(agencyCode: string, opts: { status?: string } = {}) {
    let q = this.listQuery().where('appointments.agency_code', '=', agencyCode);
    if (opts.status) q = q.where('appointments.status', '=', opts.status as 'booked');
    return q.orderBy('appointments.day').orderBy('appointments.start_time').execute();
  }

  listForAccount(username: string) {
    return this.listQuery().where('appointments.account_username', '=', username).orderBy('appointments.created_at', 'desc').execute();
  }

  async one(code: string) {
    const a = await this.listQuery().where('appointments.code', '=', code).executeTakeFirst();
    if (!a) throw new DomainError('not_found', `Không tìm thấy lịch hẹn ${code}.`);
    return a;
  }

  /** Staff see their agency's appointments; a citizen sees only their own. */
  async visible(code: string, who: { actor?: Actor | null; citizen?: PortalUser | null }) {
    const a = await this.one(code);
    if (who.actor && a.agency_code !== who.actor.agencyCode) throw new DomainError('wrong_agency', 'Lịch hẹn thuộc đơn vị khác.');
    if (!who.actor && who.citizen?.username !== a.account) throw new DomainError('not_found', `Không tìm thấy lịch hẹn ${code}.`);
    return a;
  }

  private async update<A>(code: string, def: UpdateDefinition<AppointmentState, [A]>, args: A, updateId: string): Promise<AppointmentState> {
    try {
      return await this.temporal.workflow.getHandle(appointmentWorkflowId(code)).executeUpdate(def, { args: [args], updateId });
    } catch (e) {
      const err = updateError(e, 'Lịch hẹn không còn ở trạng thái chờ xử lý.');
      throw err instanceof WorkflowGone ? new DomainError('wrong_state', err.message) : err;
    }
  }

  async reschedule(actor: Actor, code: string, input: unknown, key: string) {
    const a = await this.visible(code, { actor });
    if (!actor.roles.includes('creator')) throw new DomainError('forbidden', 'Bạn không có Quyền tạo bản sao để dời lịch hẹn.');
    const typed = parse(rescheduleBody, input);
    const day = parseVnDate(typed.date) ?? '';
    const time = typed.slot;
    const reason = typed.reason;
    if (reason.length < 3) throw new DomainError('validation', 'Vui lòng nhập lý do hẹn.', 'reason');
    if (!day) throw new DomainError('validation', 'Ngày hẹn lại không hợp lệ.', 'date');
    await this.checkSlot(a.agency_code, day, time);
    const by: AppointmentActor = { kind: 'staff', actor };
    return this.update(code, rescheduleUpdate, { by, day, time, reason }, `${actor.username}:reschedule:${key || crypto.randomUUID()}`);
  }

  async cancel(citizen: PortalUser, code: string, key: string) {
    await this.visible(code, { citizen });
    return this.update(code, cancelAppointmentUpdate, { by: { kind: 'citizen', username: citizen.username } as AppointmentActor }, `${citizen.username}:cancel:${key || crypto.randomUUID()}`);
  }

  /** An appointment the creator may take over now; with an ID number, it must be the one who booked it. */
  async pending(actor: Actor, code: string, idNumber?: string) {
    const a = await this.visible(code, { actor });
    if (a.status !== 'booked') throw new DomainError('wrong_state', 'Lịch hẹn không còn ở trạng thái chờ xử lý.');
    if (idNumber !== undefined && a.id_number !== idNumber.trim()) throw new DomainError('validation', 'Người yêu cầu không khớp với người đặt lịch hẹn.', 'idNumber');
    return a;
  }

  async markProcessed(actor: Actor, code: string, dossierCode: string) {
    await this.visible(code, { actor });
    return this.update(code, markProcessedUpdate, { by: { kind: 'staff', actor } as AppointmentActor, dossierCode }, `process:${dossierCode}`);
  }

  state(code: string) {
    return this.temporal.workflow.getHandle(appointmentWorkflowId(code)).query(getAppointmentQuery);
  }
}

const appointmentJson = (a: Awaited<ReturnType<AppointmentService['one']>>) => ({
  code: a.code, status: a.status, agencyCode: a.agency_code, agencyName: a.agency_name,
  documentType: { code: a.document_type_code, name: a.document_type_name },
  time: { date: a.original_day, slot: a.original_start_time },
  newTime: a.day !== a.original_day || a.start_time !== a.original_start_time ? { date: a.day, slot: a.start_time } : null,
  rescheduleReason: a.reschedule_reason, dossierCode: a.dossier_code,
  applicant: { kind: a.kind, fullName: a.full_name, idNumber: a.id_number, phone: a.phone, email: a.email },
});

export function appointmentApiRoutes(deps: AppDeps) {
  const r = express.Router();
  const svc = deps.appointments;
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
      res.status(201).json(appointmentJson(await svc.one(booked.code)));
    } catch (e) { next(e); }
  });
  r.get('/appointments', async (_req, res, next) => {
    try {
      const { actor, citizen } = who(res);
      const rows = actor ? await svc.listForAgency(actor.agencyCode) : await svc.listForAccount(citizen!.username);
      res.json({ total: rows.length, items: rows.map(appointmentJson) });
    } catch (e) { next(e); }
  });
  r.get('/appointments/:code', async (req, res, next) => {
    try { res.json(appointmentJson(await svc.visible(String(req.params.code), who(res)))); } catch (e) { next(e); }
  });
  r.post('/appointments/:code/reschedule', async (req, res, next) => {
    try {
      const { actor } = who(res);
      if (!actor) throw new DomainError('forbidden', 'Chỉ cán bộ tư pháp của cơ quan mới dời được lịch hẹn.');
      await svc.reschedule(actor, String(req.params.code), req.body ?? {}, key(req));
      res.json(appointmentJson(await svc.one(String(req.params.code))));
    } catch (e) { next(e); }
  });
  r.post('/appointments/:code/cancel', async (req, res, next) => {
    try {
      const { citizen } = who(res);
      if (!citizen) throw new DomainError('forbidden', 'Chỉ người đặt lịch mới hủy được lịch hẹn.');
      await svc.cancel(citizen, String(req.params.code), key(req));
      res.json(appointmentJson(await svc.one(String(req.params.code))));
    } catch (e) { next(e); }
  });
  return r;
}

/** Creator screens: "Lịch hẹn chờ duyệt" and "Dời lịch hẹn". */
export function appointmentWebRoutes(deps: AppDeps) {
  const r = express.Router();
  const svc = deps.appointments;
  const actor = (res: Response) => res.locals.actor as Actor;
  const creatorOnly = (_req: Request, res: Response, next: NextFunction) => {
    if (!res.locals.actor) return res.redirect(303, '/dang-nhap');
    if (!actor(res).roles.includes('creator')) return next(new DomainError('forbidden', 'Bạn không có quyền truy cập chức năng này.'));
    next();
  };
  const kindLabel = (k: string) => (k === 'business' ? 'Doanh nghiệp' : 'Công dân');

  r.get('/lich-hen', creatorOnly, async (req, res, next) => {
    try {
      const status = typeof req.query.status === 'string' ? req.query.status : 'booked';
      const items = await svc.listForAgency(actor(res).agencyCode, { status: status === 'all' ? undefined : status });
      res.render('appointments.njk', { title: 'Lịch hẹn chờ duyệt', active: '/lich-hen', items, status, kindLabel, formatSlot, statusLabels: APPOINTMENT_STATUS_LABELS });
    } catch (e) { next(e); }
  });

  async function renderReschedule(req: Request, res: Response, status = 200, error?: string) {
    const a = await svc.visible(String(req.params.code), { actor: actor(res) });
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
  r.get('/lich-hen/:code/doi-lich', creatorOnly, async (req, res, next) => { try { await renderReschedule(req, res); } catch (e) { next(e); } });
  r.get('/lich-hen/:code/khung-gio', creatorOnly, async (req, res, next) => {
    try {
      const a = await svc.visible(String(req.params.code), { actor: actor(res) });
      const day = parseVnDate(str(req.query.date)) ?? '';
      const slots = day ? await svc.freeSlots(a.agency_code, day) : [];
      res.set('Vary', 'HX-Request').render('appointment-slots.njk', { slots, selected: '' });
    } catch (e) { next(e); }
  });
  r.post('/lich-hen/:code/doi-lich', creatorOnly, async (req, res, next) => {
    const code = String(req.params.code);
    try {
      const body = req.body as Record<string, string>;
      const s = await svc.reschedule(actor(res), code, { date: body.date, slot: body.slot, reason: body.reason }, body._key ?? '');
      req.session!.flash = `Đã dời lịch hẹn ${code} sang ${formatSlot(s.day, s.time)}; đã gửi SMS và thông báo tới người đặt lịch.`;
      res.redirect(303, '/lich-hen');
    } catch (e) {
      if (e instanceof DomainError && e.code !== 'not_found' && e.code !== 'wrong_agency') {
        try { return await renderReschedule(req, res, HTTP_STATUS[e.code], e.message); } catch (e2) { return next(e2); }
      }
      next(e);
    }
  });
  return r;
}

/**
 * Creates a dossier (screens and API alike), taking over the appointment it names: the appointment is checked
 * first (a refusal keeps nothing of the upload) and marked processed once the dossier exists. A repeat of a
 * request (same key) whose dossier was already reserved skips the check, since the first attempt may have
 * taken the appointment over already, and answers that dossier.
 */
export async function createDossier(deps: Pick<AppDeps, 'dossiers' | 'appointments'>, actor: Actor, input: CreateDossierInput, file: UploadedFile | null, key: string) {
  const appointmentCode = typeof input.appointmentCode === 'string' ? input.appointmentCode.trim() : '';
  try {
    const reserved = await deps.dossiers.reservedCode(actor, key);
    if (appointmentCode && !reserved) await deps.appointments.pending(actor, appointmentCode, String(input.idNumber ?? ''));
  } catch (e) { await discard(file); throw e; }
  const view = await deps.dossiers.create(actor, input, file, key);
  // The appointment the dossier was created for (the first attempt's, on a repeat); taken over once.
  if (view.appointmentCode && (await deps.appointments.one(view.appointmentCode)).dossier_code !== view.code) {
    await deps.appointments.markProcessed(actor, view.appointmentCode, view.code);
  }
  return view;
}
