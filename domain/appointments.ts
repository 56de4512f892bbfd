// Appointments (sandbox-safe, pure): the appointment as its workflow holds it, slot validity, booking limits,
// codes and the instants the workflow waits for.
import { isWorkingDay, type DayRules } from './calendar.js';
import type { AppointmentRecord } from './admin-audit.js';
import type { Actor } from './types.js';
import { vnDateOfDay, vnDayEnd, vnInstant, vnIsoDate } from './vn-time.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export type AppointmentStatus = 'booked' | 'processed' | 'no_show' | 'cancelled';

/** What the appointment workflow starts from. */
export interface AppointmentInput {
  code: string;
  agencyCode: string;
  agencyName: string;
  account: { username: string; fullName: string; phone: string | null };
  documentTypeName: string;
  day: string;
  time: string;
  /** For tests and demos: fire the reminder and the no-show after these delays instead of the real instants. */
  shortTimers?: { reminderMs: number; noShowMs: number };
}

/** The appointment as its workflow holds and answers it. */
export interface AppointmentState extends AppointmentInput {
  status: AppointmentStatus;
  originalDay: string;
  originalTime: string;
  rescheduleReason: string | null;
  reschedules: number;
  dossierCode: string | null;
  remindedFor: string | null;
  history: { at: string; action: string; by: string; note?: string }[];
}

/** The citizen who owns the appointment, or staff; always set by the server from the session or token. */
export type AppointmentActor = { kind: 'staff'; actor: Actor } | { kind: 'citizen'; username: string };

/** The appointment as the audit of administration records it (domain/admin-audit.ts AppointmentRecord). */
export function appointmentRecord(s: Pick<AppointmentState, 'agencyCode' | 'documentTypeName' | 'day' | 'time' | 'status' | 'rescheduleReason' | 'dossierCode'> & { account: { username: string } }): AppointmentRecord {
  return {
    agencyCode: s.agencyCode, account: s.account.username, documentType: s.documentTypeName, day: s.day, time: s.time,
    status: s.status, rescheduleReason: s.rescheduleReason, dossierCode: s.dossierCode,
  };
}

export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  booked: 'Chờ xử lý',
  processed: 'Đã tiếp nhận',
  no_show: 'Không đến',
  cancelled: 'Đã hủy',
};

/** `CTĐT-yyyyMMdd-NNNN`, NNNN counting from 0000 each day, as in the seed. */
export function appointmentCode(isoDay: string, seq: number): string {
  return `CTĐT-${isoDay.replace(/-/g, '')}-${pad(seq, 4)}`;
}

/** The instant a slot starts: 'yyyy-MM-dd' + 'HH:mm' in Vietnam. */
export function slotInstant(isoDay: string, time: string): Date {
  return vnInstant(isoDay, time);
}

/** The day before, 08:00 in Vietnam: when the reminder SMS goes out. */
export function reminderInstant(isoDay: string): Date {
  return new Date(slotInstant(isoDay, '08:00').getTime() - 86400_000);
}

/** The end of the appointment's day in Vietnam: unprocessed by then, it is a no-show. */
export function endOfDayInstant(isoDay: string): Date {
  return vnDayEnd(isoDay);
}

export function isIsoDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** How many days ahead an appointment can be booked or moved to (a bookable window, never the year 2999). */
export const BOOKING_WINDOW_DAYS = 90;
export const BEYOND_WINDOW = `Chỉ đặt được lịch hẹn trong vòng ${BOOKING_WINDOW_DAYS} ngày tới, vui lòng chọn ngày khác.`;

/** The last day (yyyy-MM-dd, in Vietnam) that can be booked now. */
export function lastBookableDay(now: Date): string {
  return vnIsoDate(new Date(now.getTime() + BOOKING_WINDOW_DAYS * 86400_000));
}

/** Why a slot cannot be booked (Vietnamese), or null when it can. */
export function slotProblem(input: { day: string; time: string; now: Date; slotTimes: string[]; rules: DayRules }): string | null {
  if (!isIsoDay(input.day)) return 'Ngày hẹn không hợp lệ.';
  if (input.day > lastBookableDay(input.now)) return BEYOND_WINDOW;
  if (!isWorkingDay(input.day, input.rules)) return 'Ngày đã chọn là ngày nghỉ (ngày lễ, cuối tuần hoặc ngày nghỉ của cơ quan), vui lòng chọn ngày khác.';
  if (!input.slotTimes.includes(input.time)) return 'Giờ hẹn không nằm trong giờ làm việc của cơ quan.';
  if (slotInstant(input.day, input.time).getTime() <= input.now.getTime()) return 'Giờ hẹn đã qua, vui lòng chọn giờ khác.';
  return null;
}

export function formatSlot(isoDay: string, time: string): string {
  return `${time} ${vnDateOfDay(isoDay)}`;
}

/**
 * How many appointments one portal account may hold on one day (so one account cannot take a whole day's places):
 * over all agencies together, and at one agency (an agency may set its own). Cancelled ones do not count.
 */
export interface BookingLimits {
  perDay: number;
  perAgencyDay: number;
  /** Agency code → its own per-agency-day limit. */
  agencies: Record<string, number>;
}

export const DEFAULT_BOOKING_LIMITS: BookingLimits = { perDay: 3, perAgencyDay: 2, agencies: {} };

/**
 * Reads `perDay=3,perAgencyDay=2,perAgencyDay@000.03.25.H51=1` (any subset; the rest keeps the defaults).
 * Throws on anything else, so a mistyped setting stops the start instead of lifting a limit.
 */
export function parseBookingLimits(text: string | undefined, defaults: BookingLimits = DEFAULT_BOOKING_LIMITS): BookingLimits {
  const limits: BookingLimits = { ...defaults, agencies: { ...defaults.agencies } };
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(perDay|perAgencyDay)(?:@([^=\s]+))?=(\d{1,4})$/.exec(part);
    const n = m ? Number(m[3]) : 0;
    if (!m || n < 1 || (m[2] && m[1] !== 'perAgencyDay')) {
      throw new Error(`APPOINTMENT_LIMITS: cannot read "${part}" (expected perDay=N, perAgencyDay=N or perAgencyDay@<agency code>=N, N >= 1)`);
    }
    if (m[2]) limits.agencies[m[2]] = n;
    else limits[m[1] as 'perDay' | 'perAgencyDay'] = n;
  }
  return limits;
}

/**
 * Why the account may not book one more appointment on that day at that agency (Vietnamese), or null.
 * `held` are the agency codes of the account's appointments on that day that still count (not cancelled).
 */
export function bookingLimitProblem(limits: BookingLimits, input: { agencyCode: string; day: string; held: string[] }): string | null {
  const dayText = vnDateOfDay(input.day);
  const atAgency = input.held.filter((a) => a === input.agencyCode).length;
  const perAgency = limits.agencies[input.agencyCode] ?? limits.perAgencyDay;
  if (atAgency >= perAgency) {
    return `Mỗi tài khoản chỉ được đặt tối đa ${perAgency} lịch hẹn trong một ngày tại một cơ quan: bạn đã có ${atAgency} lịch hẹn ngày ${dayText} tại cơ quan này. Vui lòng chọn ngày khác hoặc hủy một lịch hẹn đã đặt.`;
  }
  if (input.held.length >= limits.perDay) {
    return `Mỗi tài khoản chỉ được đặt tối đa ${limits.perDay} lịch hẹn trong một ngày: bạn đã có ${input.held.length} lịch hẹn ngày ${dayText}. Vui lòng chọn ngày khác hoặc hủy một lịch hẹn đã đặt.`;
  }
  return null;
}
