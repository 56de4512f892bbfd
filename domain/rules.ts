// Who may do what, in which state: the single table the workflow's update validators consult.
import type { DossierState, DossierStatus } from './dossier.js';
import { ROLE_LABELS, type Actor, type Role } from './types.js';
import { DomainError } from './errors.js';
import { normalizeText } from './text.js';

export type Action = 'submit' | 'returnToCreator' | 'resubmit' | 'cancel' | 'sign' | 'seal' | 'deliver' | 'resend';

export const ACTION_RULES: Record<Action, { role: Role; from: DossierStatus[] }> = {
  submit: { role: 'creator', from: ['draft'] },
  returnToCreator: { role: 'signer', from: ['awaiting_signature'] },
  resubmit: { role: 'creator', from: ['returned'] },
  cancel: { role: 'creator', from: ['returned'] },
  sign: { role: 'signer', from: ['awaiting_signature'] },
  seal: { role: 'sealer', from: ['awaiting_seal'] },
  deliver: { role: 'sealer', from: ['completed'] },
  resend: { role: 'sealer', from: ['completed'] },
};

const STATE_REFUSALS: Record<DossierStatus, string> = {
  draft: 'Hồ sơ chưa được trình ký.',
  awaiting_signature: 'Hồ sơ đang chờ lãnh đạo ký.',
  returned: 'Hồ sơ đã bị trả lại cho cán bộ tư pháp.',
  awaiting_seal: 'Hồ sơ đã được ký và đang chờ đóng dấu.',
  completed: 'Hồ sơ đã hoàn thành.',
  cancelled: 'Hồ sơ đã bị hủy.',
};

/** Throws a DomainError explaining (in Vietnamese) why the actor may not do the action now. */
export function checkAction(state: Pick<DossierState, 'status' | 'agencyCode' | 'busy' | 'delivery'>, action: Action, actor: Actor): void {
  const rule = ACTION_RULES[action];
  if (!actor || typeof actor.username !== 'string' || !Array.isArray(actor.roles)) {
    throw new DomainError('unauthenticated', 'Không xác định được người thực hiện.');
  }
  if (!actor.roles.includes(rule.role)) {
    throw new DomainError('forbidden', `Bạn không có ${ROLE_LABELS[rule.role]} để thực hiện thao tác này.`);
  }
  if (actor.agencyCode !== state.agencyCode) {
    throw new DomainError('wrong_agency', 'Hồ sơ thuộc đơn vị khác; bạn không được xử lý hồ sơ này.');
  }
  if (state.busy) {
    throw new DomainError('busy', 'Hồ sơ đang được xử lý, vui lòng chờ trong giây lát.');
  }
  if (!rule.from.includes(state.status)) {
    throw new DomainError('wrong_state', `Không thể thực hiện thao tác này: ${STATE_REFUSALS[state.status]}`);
  }
  if (action === 'deliver' && state.delivery) {
    throw new DomainError('wrong_state', 'Bản sao điện tử đã được chuyển tới người yêu cầu.');
  }
  if (action === 'resend' && !state.delivery) {
    throw new DomainError('wrong_state', 'Hồ sơ chưa được hoàn thành và chuyển bản CTĐT; chưa thể gửi lại.');
  }
  if (action === 'resend' && state.delivery?.status === 'pending') {
    throw new DomainError('busy', 'Bản sao điện tử đang được gửi, vui lòng chờ kết quả trước khi gửi lại.');
  }
}

export function checkReason(reason: unknown, what: string): string {
  const r = typeof reason === 'string' ? reason.trim() : '';
  if (r.length < 3) throw new DomainError('validation', `Vui lòng nhập ${what}.`, 'reason');
  if (r.length > 1000) throw new DomainError('validation', `${what[0].toUpperCase()}${what.slice(1)} quá dài (tối đa 1000 ký tự).`, 'reason');
  // Refused here too (the workflow's validator), so no NUL can be accepted and then fail every read-model write.
  normalizeText(r, { field: 'reason', label: `${what[0].toUpperCase()}${what.slice(1)}`, max: 1000, multiline: true });
  return r;
}
