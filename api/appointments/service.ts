// Appointments: the use cases the JSON API, the creator's screens and the citizen portal call (free slots, booking,
// lists, rescheduling, cancelling, taking over by a dossier), and `createDossier`, which takes an appointment over.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import crypto from 'node:crypto';
import { appointmentCode, BEYOND_WINDOW, bookingLimitProblem, DEFAULT_BOOKING_LIMITS, isIsoDay, lastBookableDay, slotInstant, slotProblem, type BookingLimits } from '../../domain/appointments.js';
import { isWorkingDay, type DayRules } from '../../domain/calendar.js';
import { parseVnDate, vnIsoDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { appointmentWorkflow } from '../../workflows/appointment.js';
import { appointmentWorkflowId, cancelAppointmentUpdate, getAppointmentQuery, markProcessedUpdate, rescheduleUpdate } from '../../workflows/appointment-messages.js';
import { type AppointmentActor, type AppointmentInput, type AppointmentState } from '../../domain/appointments.js';
import { appointmentRecord } from '../../domain/appointments.js';
import { recordAdminEvent, unrecordAdminEvent } from '../admin/service.js';
import type { PortalUser } from '../auth/service.js';
import type { CreateDossierInput } from '../dossiers/service.js';
import type { AppDeps } from '../http/deps.js';
import { parse } from '../http/schemas.js';
import { discard, type UploadedFile } from '../http/upload.js';
import { updateError, WorkflowGone } from '../http/workflow-errors.js';
import * as q from './queries.js';
import { bookingBody, rescheduleBody } from './schemas.js';
import { assertRole } from '../http/guards.js';

export class AppointmentService {
  constructor(
    private readonly db: Db, private readonly temporal: Client, private readonly taskQueue: string,
    private readonly shortTimers?: { reminderMs: number; noShowMs: number }, private readonly limits: BookingLimits = DEFAULT_BOOKING_LIMITS,
  ) {}

  /** The agency's rules for the day: national public holidays, then its own days off and working days. */
  async dayRules(agencyCode: string, day: string): Promise<DayRules> {
    if (!isIsoDay(day)) return { overrides: {} }; // refused as an invalid day by the caller, never sent to SQL
    return q.workingCalendar(this.db, agencyCode, day, day);
  }

  /** The agencies a citizen can book at (those with slots), by name. */
  bookableAgencies() {
    return q.bookableAgencies(this.db);
  }

  /** The slots of a day that can still be booked, each with its remaining places (full ones are left out). */
  async freeSlots(agencyCode: string, day: string, now = new Date()) {
    if (!isIsoDay(day)) throw new DomainError('validation', 'Ngày hẹn không hợp lệ (yyyy-MM-dd).', 'date');
    if (day > lastBookableDay(now)) throw new DomainError('validation', BEYOND_WINDOW, 'date');
    if (!(await q.findAgency(this.db, agencyCode))) throw new DomainError('not_found', 'Không tìm thấy cơ quan tiếp nhận.', 'agencyCode');
    if (!isWorkingDay(day, await this.dayRules(agencyCode, day))) return [];
    const slots = await q.slotsWithUsage(this.db, agencyCode, day);
    return slots
      .map((s) => ({ time: s.time, capacity: s.capacity, remaining: s.capacity - (s.used ?? 0) }))
      .filter((s) => s.remaining > 0 && slotInstant(day, s.time).getTime() > now.getTime());
  }

  private async checkSlot(agencyCode: string, day: string, time: string) {
    const slotTimes = await q.slotTimes(this.db, agencyCode);
    const problem = slotProblem({ day, time, now: new Date(), slotTimes, rules: await this.dayRules(agencyCode, day) });
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
    await q.lockAccount(tx, username);
    const problem = bookingLimitProblem(this.limits, { agencyCode, day, held: await q.agenciesHeld(tx, username, day) });
    if (problem) throw new DomainError('conflict', problem, 'date');
  }

  async book(citizen: PortalUser, input: unknown) {
    const { agencyCode, date: day, slot: time, documentType } = parse(bookingBody, input);
    const agency = await q.findAgency(this.db, agencyCode);
    if (!agency) throw new DomainError('validation', 'Vui lòng chọn cơ quan tiếp nhận.', 'agencyCode');
    const found = await q.findDocumentType(this.db, documentType);
    if (!found) throw new DomainError('validation', 'Vui lòng chọn loại giấy tờ cần chứng thực.', 'documentType');
    if (!found.active) throw new DomainError('validation', `Loại giấy tờ “${found.name}” đã ngừng sử dụng: vui lòng chọn loại giấy tờ khác.`, 'documentType');
    const dt = { code: found.code, name: found.name };
    await this.checkSlot(agencyCode, day, time);
    const account = await q.portalAccount(this.db, citizen.username);
    // The booking is committed first, then its workflow started: no transaction stays open across the Temporal
    // call. A start that fails gives the place back and removes the booking, so nothing half-made is left.
    const booked = await this.db.transaction().execute(async (tx) => {
      await this.checkLimits(tx, citizen.username, agencyCode, day);
      if (!(await q.takePlace(tx, agencyCode, day, time))) throw new DomainError('conflict', 'Khung giờ đã chọn đã đủ người, vui lòng chọn giờ khác.', 'slot');
      const bookedDay = vnIsoDate(new Date());
      const code = appointmentCode(bookedDay, await q.nextAppointmentNumber(tx, bookedDay));
      await q.insertAppointment(tx, {
        code, agency_code: agencyCode, account_username: citizen.username, document_type_code: dt.code, day, start_time: time,
        status: 'booked', original_day: day, original_start_time: time,
      });
      await recordAdminEvent(tx, {
        actor: citizen.username, actorKind: 'citizen', agencyCode, event: {
          entity: 'appointment', entityId: code, action: 'booked', before: null,
          after: appointmentRecord({ agencyCode, account: { username: citizen.username }, documentTypeName: dt.name, day, time, status: 'booked', rescheduleReason: null, dossierCode: null }),
        },
      });
      return code;
    });
    const wf: AppointmentInput = {
      code: booked, agencyCode, agencyName: agency.name, account: { username: account.username, fullName: account.full_name, phone: account.phone },
      documentTypeName: dt.name, day, time, ...(this.shortTimers ? { shortTimers: this.shortTimers } : {}),
    };
    try {
      await this.temporal.workflow.start(appointmentWorkflow, { taskQueue: this.taskQueue, workflowId: appointmentWorkflowId(booked), args: [wf] });
    } catch (e) {
      await this.db.transaction().execute(async (tx) => {
        // The booking is undone as if never made, so its event goes with it (a failed change records nothing).
        await unrecordAdminEvent(tx, { entity: 'appointment', entityId: booked, action: 'booked' });
        await q.deleteAppointment(tx, booked);
        await q.releasePlace(tx, agencyCode, day, time);
      });
      // Its id is taken on the Temporal server (a database restored behind it): the booking was undone and the
      // next try takes the next number, so this is a temporary refusal, never a 500.
      if (e instanceof WorkflowExecutionAlreadyStartedError) {
        throw new DomainError('unavailable', 'Chưa đặt được lịch hẹn do hệ thống đang bận; lịch hẹn chưa được ghi nhận, vui lòng thử lại.');
      }
      throw e;
    }
    return { code: booked, agencyCode, agencyName: agency.name, day, slot: time, status: 'booked' as const, documentType: dt };
  }

  listForAgency(agencyCode: string, opts: { status?: string } = {}) {
    return q.appointmentsOfAgency(this.db, agencyCode, opts);
  }

  listForAccount(username: string) {
    return q.appointmentsOfAccount(this.db, username);
  }

  async one(code: string): Promise<q.AppointmentRow> {
    const a = await q.findAppointment(this.db, code);
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
    assertRole(actor, 'creator', 'Bạn không có Quyền tạo bản sao để dời lịch hẹn.');
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
