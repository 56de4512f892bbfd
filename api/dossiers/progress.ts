// "Xem tiến trình": the dossier's steps read from its own Temporal workflow history, or from its typed audit
// trail once Temporal no longer holds it, in a clerk's words (domain/audit.ts).
import type { Client } from '@temporalio/client';
import { STEP_WORDS, auditEventOf, auditText } from '../../domain/audit.js';
import { fetchDecodedHistory } from '../../lib/payload-codec.js';
import { workflowIdFor } from '../../workflows/messages.js';
import { LOCAL_ACTIVITY_MARKER } from './workflow-history.js';

export interface ProgressStep { at: string; who: string; what: string }

const EDIT_WORDS: Record<string, string> = { applicant: 'thông tin người yêu cầu', documentType: 'loại giấy tờ', copies: 'số bản sao' };

// Updates as accepted by the workflow (the request, before it ran: a seal has no number yet), in the audit's words.
const UPDATE_WORDS: Record<string, (a: Record<string, any>) => string> = {
  submit: () => STEP_WORDS.submitted,
  returnToCreator: (a) => STEP_WORDS.returned(a.reason ?? ''),
  resubmit: (a) => {
    const fields = a.edit ? Object.keys(a.edit).filter((k) => k !== 'fee').map((k) => EDIT_WORDS[k] ?? k) : [];
    return fields.length ? `${STEP_WORDS.resubmitted(Boolean(a.scan))} (sửa ${fields.join(', ')})` : STEP_WORDS.resubmitted(Boolean(a.scan));
  },
  cancel: (a) => STEP_WORDS.cancelled(a.reason ?? ''),
  approve: () => 'Kiểm tra hồ sơ: đồng ý, chuyển bước tiếp theo',
  sign: () => STEP_WORDS.signed,
  seal: () => STEP_WORDS.sealed,
  deliver: () => STEP_WORDS.deliveryRequested,
  resend: (a) => STEP_WORDS.resendRequested(a.email || null),
};

const ACTIVITY_WORDS: Record<string, string> = {
  signDossier: 'Hệ thống: đã ký số bản sao, thêm trang lời chứng',
  allocateCertificationNumber: 'Hệ thống: đã cấp số chứng thực trong sổ',
  sealDossier: 'Hệ thống: đã đóng dấu số của cơ quan',
  deliverDossier: 'Hệ thống: đã gửi bản sao điện tử (email / tài khoản DVCQG)',
};

function decode(payload: { data?: Uint8Array | null } | undefined): any {
  if (!payload?.data) return undefined;
  try { return JSON.parse(Buffer.from(payload.data).toString('utf8')); } catch { return undefined; }
}

const timeOf = (t: any): string => {
  const s = Number(t?.seconds ?? 0);
  const ns = Number(t?.nanos ?? 0);
  return new Date(s * 1000 + Math.floor(ns / 1e6)).toISOString();
};

/** The same steps from the audit trail, for a dossier whose workflow history has passed Temporal's retention. */
export function progressFromEvents(events: { at: Date | string; actor: string; actor_name: string; type: string; payload: unknown }[]): ProgressStep[] {
  return events.map((e) => {
    const event = auditEventOf(e);
    return { at: new Date(e.at).toISOString(), who: `${e.actor_name} (${e.actor})`, what: event ? auditText(event) : e.type };
  });
}

export async function dossierProgress(client: Client, code: string): Promise<ProgressStep[]> {
  const history = await fetchDecodedHistory(client, workflowIdFor(code));
  const steps: ProgressStep[] = [];
  const scheduled = new Map<string, string>();
  const completed = (at: string, type: string, result: any) => {
    if (type === 'allocateCertificationNumber' && result) steps.push({ at, who: 'Hệ thống', what: `Cấp số chứng thực ${result.certificationNumber} trong sổ ${result.registerBookName}` });
    else if (ACTIVITY_WORDS[type]) steps.push({ at, who: 'Hệ thống', what: ACTIVITY_WORDS[type].replace('Hệ thống: đã', 'Đã') });
  };
  for (const ev of history.events ?? []) {
    const at = timeOf(ev.eventTime);
    if (ev.workflowExecutionStartedEventAttributes) {
      const input = decode(ev.workflowExecutionStartedEventAttributes.input?.payloads?.[0]);
      const version = input?.process?.version ? ` (quy trình phiên bản ${input.process.version})` : '';
      steps.push({ at, who: input?.createdBy?.fullName ?? '', what: `Tiếp nhận hồ sơ: ${input?.documentType?.name ?? ''} của ${input?.applicant?.fullName ?? ''}${version}` });
    }
    const acc = ev.workflowExecutionUpdateAcceptedEventAttributes;
    if (acc) {
      const name = acc.acceptedRequest?.input?.name ?? '';
      const arg = decode(acc.acceptedRequest?.input?.args?.payloads?.[0]) ?? {};
      const words = UPDATE_WORDS[name];
      if (words) steps.push({ at, who: `${arg.actor?.fullName ?? ''} (${arg.actor?.username ?? ''})`, what: words(arg) });
    }
    const sch = ev.activityTaskScheduledEventAttributes;
    if (sch) scheduled.set(String(ev.eventId), sch.activityType?.name ?? '');
    const done = ev.activityTaskCompletedEventAttributes;
    if (done) completed(at, scheduled.get(String(done.scheduledEventId)) ?? '', decode(done.result?.payloads?.[0]));
    const failed = ev.activityTaskFailedEventAttributes;
    if (failed) steps.push({ at, who: 'Hệ thống', what: `Thao tác ${scheduled.get(String(failed.scheduledEventId)) ?? ''} không thành công: ${failed.failure?.message ?? ''}` });
    // A quick step run inside a workflow task (a local activity: the register number, say) is a marker.
    const marker = ev.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const type = String(decode(marker.details?.data?.payloads?.[0])?.activity_type ?? '');
      if (marker.failure) steps.push({ at, who: 'Hệ thống', what: `Thao tác ${type} không thành công: ${marker.failure.message ?? ''}` });
      else completed(at, type, decode(marker.details?.result?.payloads?.[0]));
    }
    if (ev.workflowExecutionCompletedEventAttributes) steps.push({ at, who: 'Hệ thống', what: 'Kết thúc xử lý hồ sơ' });
  }
  return steps;
}
