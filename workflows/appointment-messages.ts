// Messages of the appointment workflow, shared with the web server (sandbox-safe).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AppointmentActor, AppointmentState } from '../domain/appointments.js';

export const rescheduleUpdate = defineUpdate<AppointmentState, [{ by: AppointmentActor; day: string; time: string; reason: string }]>('reschedule');
export const cancelAppointmentUpdate = defineUpdate<AppointmentState, [{ by: AppointmentActor }]>('cancelAppointment');
export const markProcessedUpdate = defineUpdate<AppointmentState, [{ by: AppointmentActor; dossierCode: string }]>('markProcessed');
export const getAppointmentQuery = defineQuery<AppointmentState>('getAppointment');

export const appointmentWorkflowId = (code: string) => `appointment-${code}`;
