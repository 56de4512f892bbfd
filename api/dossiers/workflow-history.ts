// "Lịch sử workflow" (issue 11 point 3): for supervisors and testers, every event of the dossier's workflow history
// as Temporal keeps it — updates, activities with each attempt, failures and retries, timers and timeouts — with
// times, how long each took, in Vietnamese; beside "Xem tiến trình", which tells only people's actions.
import protos, { type temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface HistoryRow { id: number; at: string; /** Temporal's own name of the event (EVENT_TYPE_…). */ type: string; kind: 'update' | 'activity' | 'timer' | 'task' | 'workflow' | 'failure' | 'other'; label: string; detail: string; took: string | null }

const ACTIVITY_NAMES: Record<string, string> = {
  signDossier: 'ký số bản sao', allocateCertificationNumber: 'cấp số chứng thực', sealDossier: 'đóng dấu số', deliverDossier: 'gửi bản sao điện tử',
  recordEvent: 'ghi nhật ký, cập nhật hồ sơ', recordDossier: 'ghi hồ sơ', prepareExternalSignature: 'chuẩn bị ký bằng thiết bị', completeExternalSignature: 'hoàn tất ký bằng thiết bị',
};
const UPDATE_NAMES: Record<string, string> = {
  submit: 'trình ký', returnToCreator: 'trả lại', resubmit: 'xử lý tiếp', cancel: 'hủy', approve: 'kiểm tra, đồng ý', sign: 'ký số', seal: 'đóng dấu',
  deliver: 'hoàn thành và chuyển', resend: 'gửi lại', prepareSign: 'chuẩn bị ký', completeSign: 'hoàn tất ký',
};

/** The marker the SDK records for a local activity (the dossier's quick database steps). */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
/** Rows that are an activity run: scheduled as a task, or run by the worker in a workflow task. */
export const isActivityRun = (r: HistoryRow) => r.type === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' || (r.type === 'EVENT_TYPE_MARKER_RECORDED' && r.kind === 'activity');
/** Rows that are a second or later attempt of an activity. */
export const isRetry = (r: HistoryRow) => (r.type === 'EVENT_TYPE_ACTIVITY_TASK_STARTED' || isActivityRun(r)) && /^lần thử (?!1\b)\d+/.test(r.detail);

const EVENT_TYPES = protos.temporal.api.enums.v1.EventType as unknown as Record<number, string>;
const eventTypeName = (t: unknown) => (typeof t === 'number' ? EVENT_TYPES[t] ?? String(t) : String(t ?? ''));
const ms = (t: any): number => Number(t?.seconds ?? 0) * 1000 + Math.floor(Number(t?.nanos ?? 0) / 1e6);
const iso = (t: any) => new Date(ms(t)).toISOString();
const seconds = (d: any) => (d ? Number(d.seconds ?? 0) + Number(d.nanos ?? 0) / 1e9 : 0);

/** A duration as people read it: 850 ms, 4,2 giây, 3 phút 5 giây, 2 giờ 10 phút, 3 ngày 4 giờ. */
export function tookText(msTaken: number): string {
  if (msTaken < 1000) return `${Math.max(0, Math.round(msTaken))} ms`;
  const s = msTaken / 1000;
  if (s < 60) return `${s.toFixed(1).replace('.', ',')} giây`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} phút ${Math.round(s % 60)} giây`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} giờ ${m % 60} phút`;
  return `${Math.floor(h / 24)} ngày ${h % 24} giờ`;
}
const durationText = (d: any) => tookText(seconds(d) * 1000);
const activityName = (type: string) => (ACTIVITY_NAMES[type] ? `${ACTIVITY_NAMES[type]} (${type})` : type);
const payloadJson = (p: any): any => { try { return JSON.parse(Buffer.from(p?.data ?? []).toString('utf8')); } catch { return undefined; } };
const failureText = (f: any): string => (f ? `${f.message ?? ''}${f.applicationFailureInfo?.type ? ` [${f.applicationFailureInfo.type}]` : ''}${f.cause ? ` ← ${failureText(f.cause)}` : ''}` : '');

/** The rows of the view, in event order. */
export function workflowHistoryRows(events: HistoryEvent[]): HistoryRow[] {
  const byId = new Map<number, HistoryEvent>();
  const activityOf = (scheduledId: unknown) => byId.get(Number(scheduledId))?.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
  const since = (ev: HistoryEvent, fromId: unknown) => { const from = byId.get(Number(fromId)); return from ? tookText(ms(ev.eventTime) - ms(from.eventTime)) : null; };
  const timerStarts = new Map<string, HistoryEvent>();
  const rows: HistoryRow[] = [];
  for (const ev of events) {
    const id = Number(ev.eventId);
    byId.set(id, ev);
    const row = (kind: HistoryRow['kind'], label: string, detail = '', took: string | null = null) => rows.push({ id, at: iso(ev.eventTime), type: eventTypeName(ev.eventType), kind, label, detail, took });
    const a: any = ev;
    if (a.workflowExecutionStartedEventAttributes) {
      const s = a.workflowExecutionStartedEventAttributes;
      row('workflow', 'Bắt đầu workflow', `${s.workflowType?.name ?? ''}, hàng đợi ${s.taskQueue?.name ?? ''}${s.attempt > 1 ? `, lần ${s.attempt}` : ''}`);
    } else if (a.workflowExecutionCompletedEventAttributes) row('workflow', 'Workflow kết thúc', 'Hồ sơ đã xử lý xong; lịch sử không còn thay đổi');
    else if (a.workflowExecutionFailedEventAttributes) row('failure', 'Workflow thất bại', failureText(a.workflowExecutionFailedEventAttributes.failure));
    else if (a.workflowExecutionTerminatedEventAttributes) row('failure', 'Workflow bị dừng (terminate)', `${a.workflowExecutionTerminatedEventAttributes.reason ?? ''} — ${a.workflowExecutionTerminatedEventAttributes.identity ?? ''}`);
    else if (a.workflowExecutionTimedOutEventAttributes) row('failure', 'Workflow quá thời gian');
    else if (a.workflowExecutionCanceledEventAttributes) row('workflow', 'Workflow bị hủy');
    else if (a.workflowExecutionContinuedAsNewEventAttributes) row('workflow', 'Workflow tiếp tục với lần chạy mới (continue-as-new)');
    else if (a.workflowTaskScheduledEventAttributes) row('task', 'Tác vụ workflow: lên lịch', a.workflowTaskScheduledEventAttributes.attempt > 1 ? `lần thử ${a.workflowTaskScheduledEventAttributes.attempt}` : '');
    else if (a.workflowTaskStartedEventAttributes) row('task', 'Tác vụ workflow: worker nhận', a.workflowTaskStartedEventAttributes.identity ?? '', since(ev, a.workflowTaskStartedEventAttributes.scheduledEventId));
    else if (a.workflowTaskCompletedEventAttributes) row('task', 'Tác vụ workflow: hoàn thành', '', since(ev, a.workflowTaskCompletedEventAttributes.startedEventId));
    else if (a.workflowTaskFailedEventAttributes) row('failure', 'Tác vụ workflow: thất bại', `${a.workflowTaskFailedEventAttributes.cause ?? ''} ${failureText(a.workflowTaskFailedEventAttributes.failure)}`.trim());
    else if (a.workflowTaskTimedOutEventAttributes) row('failure', 'Tác vụ workflow: quá thời gian');
    else if (a.activityTaskScheduledEventAttributes) {
      const s = a.activityTaskScheduledEventAttributes;
      const retry = s.retryPolicy;
      row('activity', `Lên lịch hoạt động: ${activityName(s.activityType?.name ?? '')}`,
        [s.startToCloseTimeout ? `tối đa ${durationText(s.startToCloseTimeout)} mỗi lần` : '', retry?.maximumAttempts ? `tối đa ${retry.maximumAttempts} lần thử` : retry ? 'thử lại không giới hạn' : ''].filter(Boolean).join(', '));
    } else if (a.activityTaskStartedEventAttributes) {
      const s = a.activityTaskStartedEventAttributes;
      row('activity', `Bắt đầu hoạt động: ${activityName(activityOf(s.scheduledEventId))}`, `lần thử ${s.attempt ?? 1}${s.lastFailure ? `; lần trước: ${failureText(s.lastFailure)}` : ''}`, since(ev, s.scheduledEventId));
    } else if (a.activityTaskCompletedEventAttributes) {
      row('activity', `Hoàn thành hoạt động: ${activityName(activityOf(a.activityTaskCompletedEventAttributes.scheduledEventId))}`, '', since(ev, a.activityTaskCompletedEventAttributes.scheduledEventId));
    } else if (a.activityTaskFailedEventAttributes) {
      const f = a.activityTaskFailedEventAttributes;
      row('failure', `Hoạt động thất bại: ${activityName(activityOf(f.scheduledEventId))}`, `${failureText(f.failure)}${f.retryState ? ` (${String(f.retryState)})` : ''}`, since(ev, f.scheduledEventId));
    } else if (a.activityTaskTimedOutEventAttributes) {
      const f = a.activityTaskTimedOutEventAttributes;
      row('failure', `Hoạt động quá thời gian: ${activityName(activityOf(f.scheduledEventId))}`, failureText(f.failure), since(ev, f.scheduledEventId));
    } else if (a.activityTaskCancelRequestedEventAttributes) row('activity', 'Yêu cầu hủy hoạt động');
    else if (a.activityTaskCanceledEventAttributes) row('activity', 'Hoạt động đã hủy');
    else if (a.timerStartedEventAttributes) {
      timerStarts.set(a.timerStartedEventAttributes.timerId, ev);
      row('timer', 'Đặt hẹn giờ', `sau ${durationText(a.timerStartedEventAttributes.startToFireTimeout)} (hạn xử lý, chờ gửi lại, nhắc lịch)`);
    } else if (a.timerFiredEventAttributes) {
      const started = timerStarts.get(a.timerFiredEventAttributes.timerId);
      row('timer', 'Hẹn giờ đến hạn', '', started ? tookText(ms(ev.eventTime) - ms(started.eventTime)) : null);
    } else if (a.timerCanceledEventAttributes) row('timer', 'Hủy hẹn giờ', 'điều đang chờ đã xảy ra trước hạn');
    else if (a.workflowExecutionUpdateAcceptedEventAttributes) {
      const input = a.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input;
      const arg = payloadJson(input?.args?.payloads?.[0]) ?? {};
      const name = input?.name ?? '';
      row('update', `Nhận thao tác: ${UPDATE_NAMES[name] ?? name} (${name})`, arg.actor ? `${arg.actor.fullName ?? ''} (${arg.actor.username ?? ''})` : '');
    } else if (a.workflowExecutionUpdateCompletedEventAttributes) {
      const o = a.workflowExecutionUpdateCompletedEventAttributes.outcome;
      row(o?.failure ? 'failure' : 'update', o?.failure ? 'Thao tác bị từ chối' : 'Thao tác hoàn tất', o?.failure ? failureText(o.failure) : '', since(ev, a.workflowExecutionUpdateCompletedEventAttributes.acceptedEventId));
    } else if (a.workflowExecutionSignaledEventAttributes) row('other', `Nhận tín hiệu: ${a.workflowExecutionSignaledEventAttributes.signalName ?? ''}`);
    else if (a.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
      // A quick step run by the worker inside the workflow task (its time is that task's), its result kept here.
      const d = payloadJson(a.markerRecordedEventAttributes.details?.data?.payloads?.[0]) ?? {};
      row('activity', `Hoạt động tại worker: ${activityName(String(d.activity_type ?? ''))}`, `lần thử ${d.attempt ?? 1}, trong tác vụ workflow`);
    } else if (a.markerRecordedEventAttributes) row('other', `Ghi dấu: ${a.markerRecordedEventAttributes.markerName ?? ''}`, 'đánh dấu phiên bản mã (patched)');
    else if (a.upsertWorkflowSearchAttributesEventAttributes) row('other', 'Cập nhật thuộc tính tìm kiếm');
    else if (a.workflowPropertiesModifiedEventAttributes) row('other', 'Cập nhật thuộc tính workflow');
    else row('other', eventTypeName(ev.eventType));
  }
  return rows;
}
