// Messages of the appointment workflow, shared with the web server (sandbox-safe).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AppointmentStatus } from '../domain/appointments.js';
import type { Actor } from '../domain/types.js';

export interface AppointmentInput {
  code: string;
  agencyCode: string;
  agencyName: string;
  account: { username: string; fullName: string; phone: string | null };
  documentTypeName: string;
  day: string;
  time: string;
  /** Working slots and days, as booked (rescheduling is checked against them again by the server). */
  /** For tests and demos: fire the reminder and the no-show after these delays instead of the real instants. */
  shortTimers?: { reminderMs: number; noShowMs: number };
}

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

export const rescheduleUpdate = defineUpdate<AppointmentState, [{ by: AppointmentActor; day: string; time: string; reason: string }]>('reschedule');
export const cancelAppointmentUpdate = defineUpdate<AppointmentState, [{ by: AppointmentActor }]>('cancelAppointment');
export const markProcessedUpdate = defineUpdate<AppointmentState, [{ by: AppointmentActor; dossierCode: string }]>('markProcessed');
export const getAppointmentQuery = defineQuery<AppointmentState>('getAppointment');

export const appointmentWorkflowId = (code: string) => `appointment-${code}`;
