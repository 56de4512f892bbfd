// One appointment's life: reminder SMS the day before, rescheduling (SMS + portal notification), cancellation
// by the citizen before the time, taken over by a dossier, or a no-show at the end of its day.
// Sandbox fence: imports only @temporalio/workflow, ../domain and local message files.
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import {
  endOfDayInstant, formatSlot, reminderInstant, slotInstant, type AppointmentActor, type AppointmentInput, type AppointmentState,
} from '../domain/appointments.js';
import { cancelAppointmentUpdate, getAppointmentQuery, markProcessedUpdate, rescheduleUpdate } from './appointment-messages.js';

type Activities = ReturnType<typeof createActivities>;

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds', // activities heartbeat while they run: a killed worker's activity is retried in seconds
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['conflict'] },
});

function refuse(message: string, type = 'wrong_state'): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function isStaff(by: AppointmentActor, agencyCode: string, role: 'creator') {
  return by.kind === 'staff' && by.actor.agencyCode === agencyCode && by.actor.roles.includes(role);
}

export async function appointmentWorkflow(input: AppointmentInput): Promise<AppointmentState> {
  const state: AppointmentState = {
    ...input, status: 'booked', originalDay: input.day, originalTime: input.time, rescheduleReason: null, reschedules: 0,
    dossierCode: null, remindedFor: null, history: [],
  };
  let version = 0;
  let busy = false; // one change at a time: a second one is refused, not interleaved
  let startedAt = Date.now();
  const who = (by: AppointmentActor) => (by.kind === 'staff' ? by.actor.username : by.username);
  // Who made a change, as the audit of administration records it (a citizen from the portal, or staff).
  const auditBy = (by: AppointmentActor) => (by.kind === 'staff' ? { actor: by.actor.username, actorKind: 'staff' as const } : { actor: by.username, actorKind: 'citizen' as const });
  const note = (action: string, by: string, text?: string) => state.history.push({ at: new Date().toISOString(), action, by, note: text });
  const view = () => JSON.parse(JSON.stringify(state)) as AppointmentState;

  setHandler(getAppointmentQuery, view);

  const exclusive = <A, R>(fn: (a: A) => Promise<R>) => async (a: A): Promise<R> => {
    busy = true;
    try { return await fn(a); } finally { busy = false; }
  };
  const notBusy = () => { if (busy) refuse('Lịch hẹn đang được xử lý, vui lòng thử lại sau giây lát.', 'busy'); };

  setHandler(rescheduleUpdate, exclusive(async ({ by, day, time, reason }) => {
    const from = { day: state.day, time: state.time };
    const n = state.reschedules + 1;
    try {
      await act.moveAppointment({ key: `${state.code}:move:${n}`, code: state.code, agencyCode: state.agencyCode, from, to: { day, time } });
    } catch (e) {
      if (e instanceof ActivityFailure && e.cause instanceof ApplicationFailure) refuse(e.cause.message, e.cause.type ?? 'conflict');
      throw e;
    }
    Object.assign(state, { day, time, rescheduleReason: reason.trim(), reschedules: n });
    version += 1;
    startedAt = Date.now();
    note('reschedule', who(by), `${formatSlot(day, time)}: ${reason.trim()}`);
    await act.recordAppointment({ state: view(), audit: { action: 'rescheduled', ...auditBy(by) } });
    const text = `${state.agencyName} doi lich hen ${state.code} sang ${formatSlot(day, time)}. Ly do: ${reason.trim()}`;
    if (state.account.phone) await act.sendSms({ key: `${state.code}:reschedule:${n}:sms`, phone: state.account.phone, text });
    await act.notifyAccount({
      key: `${state.code}:reschedule:${n}:notify`, account: state.account.username, appointmentCode: state.code,
      title: `Lịch hẹn ${state.code} đã được dời`,
      body: `${state.agencyName} đã dời lịch hẹn chứng thực ${state.documentTypeName} của bạn từ ${formatSlot(from.day, from.time)} sang ${formatSlot(day, time)}. Lý do: ${reason.trim()}`,
    });
    return view();
  }), {
    validator: ({ by, day, time, reason }) => {
      notBusy();
      if (!isStaff(by, state.agencyCode, 'creator')) refuse('Bạn không có Quyền tạo bản sao của đơn vị để dời lịch hẹn này.', 'forbidden');
      if (state.status !== 'booked') refuse('Lịch hẹn không còn ở trạng thái chờ xử lý.');
      if (typeof reason !== 'string' || reason.trim().length < 3) refuse('Vui lòng nhập lý do hẹn lại.', 'validation');
      if (day === state.day && time === state.time) refuse('Thời gian hẹn lại trùng với thời gian hẹn hiện tại.', 'validation');
    },
  });

  setHandler(cancelAppointmentUpdate, exclusive(async ({ by }) => {
    state.status = 'cancelled';
    version += 1;
    note('cancel', who(by));
    await act.releaseAppointment({ key: `${state.code}:release`, code: state.code, agencyCode: state.agencyCode, day: state.day, time: state.time });
    await act.recordAppointment({ state: view(), audit: { action: 'cancelled', ...auditBy(by) } });
    return view();
  }), {
    validator: ({ by }) => {
      notBusy();
      if (!(by.kind === 'citizen' && by.username === state.account.username)) refuse('Bạn chỉ có thể hủy lịch hẹn của chính mình.', 'forbidden');
      if (state.status !== 'booked') refuse('Lịch hẹn không còn ở trạng thái chờ xử lý.');
      if (Date.now() >= slotInstant(state.day, state.time).getTime()) refuse('Đã quá giờ hẹn, không thể hủy lịch hẹn.');
    },
  });

  setHandler(markProcessedUpdate, exclusive(async ({ by, dossierCode }) => {
    state.status = 'processed';
    state.dossierCode = dossierCode;
    version += 1;
    note('process', who(by), dossierCode);
    await act.recordAppointment({ state: view(), audit: { action: 'processed', ...auditBy(by) } });
    return view();
  }), {
    validator: ({ by }) => {
      notBusy();
      if (!isStaff(by, state.agencyCode, 'creator')) refuse('Bạn không có Quyền tạo bản sao của đơn vị.', 'forbidden');
      if (state.status !== 'booked') refuse('Lịch hẹn không còn ở trạng thái chờ xử lý.');
    },
  });

  await act.recordAppointment({ state: view() });
  while (state.status === 'booked') {
    const seen = version;
    const slotKey = `${state.day} ${state.time}`;
    const reminderAt = input.shortTimers ? startedAt + input.shortTimers.reminderMs : reminderInstant(state.day).getTime();
    const noShowAt = input.shortTimers ? startedAt + input.shortTimers.noShowMs : endOfDayInstant(state.day).getTime();
    const changed = () => version !== seen || state.status !== 'booked';
    // Remind the day before; an appointment booked after that moment gets no reminder.
    if (state.remindedFor !== slotKey && reminderAt > startedAt && Date.now() < noShowAt) {
      if (await condition(changed, Math.max(reminderAt - Date.now(), 1))) continue;
      if (state.account.phone) {
        await act.sendSms({
          key: `${state.code}:reminder:${slotKey}`, phone: state.account.phone,
          text: `Nhac lich hen ${state.code}: ${formatSlot(state.day, state.time)} tai ${state.agencyName}. Vui long mang ban chinh giay to.`,
        });
      }
      state.remindedFor = slotKey;
      note('remind', 'system');
      continue;
    }
    if (await condition(changed, Math.max(noShowAt - Date.now(), 1))) continue;
    state.status = 'no_show';
    note('noShow', 'system');
    await act.recordAppointment({ state: view(), audit: { action: 'no_show', actor: 'system', actorKind: 'staff' } });
  }
  await condition(allHandlersFinished);
  return view();
}
