// Who may do what, in which state: the single table the workflow's update validators consult.
import type { DossierState, DossierStatus } from './dossier.js';
import { ROLE_LABELS, type Actor, type Role } from './types.js';
import { DomainError } from './errors.js';
import { normalizeText } from './text.js';
import { DEFAULT_PROCESS, reviewSteps, STEP_LABELS, stepLabel, type ProcessDefinition, type ProcessStep, type ProcessStepKind } from './process.js';

export type Action = 'submit' | 'returnToCreator' | 'resubmit' | 'cancel' | 'approve' | 'sign' | 'seal' | 'deliver' | 'resend';

/** For each action, the step of the dossier's process whose role it needs ('current': the step the dossier waits
 *  on, a review or the signature) and the statuses it may start from. */
export const ACTION_RULES: Record<Action, { step: ProcessStepKind | 'current'; from: DossierStatus[] }> = {
  submit: { step: 'submit', from: ['draft'] },
  returnToCreator: { step: 'current', from: ['awaiting_review', 'awaiting_signature'] },
  resubmit: { step: 'submit', from: ['returned'] },
  cancel: { step: 'submit', from: ['returned'] },
  approve: { step: 'review', from: ['awaiting_review'] },
  sign: { step: 'sign', from: ['awaiting_signature'] },
  seal: { step: 'seal', from: ['awaiting_seal'] },
  deliver: { step: 'deliver', from: ['completed'] },
  resend: { step: 'deliver', from: ['completed'] },
};

/** What the rules read of a dossier: its status and agency, and (dossiers started under a process definition) the
 *  pinned process, the review step it waits on and who performed which step. */
export type RuleState = Pick<DossierState, 'status' | 'agencyCode' | 'busy' | 'delivery'> & Partial<Pick<DossierState, 'process' | 'reviewIndex' | 'performers'>>;

/** The step of the dossier's process an action performs now (the review step it waits on, for a review). */
export function actionStep(state: RuleState, action: Action): { step: ProcessStep; key: string | null } {
  const process = state.process ?? DEFAULT_PROCESS;
  const kind = ACTION_RULES[action].step;
  const reviewing = state.status === 'awaiting_review' && (kind === 'review' || kind === 'current');
  if (reviewing) {
    const i = state.reviewIndex ?? 0;
    const step = reviewSteps(process)[i];
    if (step) return { step, key: `review:${i}` };
  }
  const firstReview = reviewSteps(process)[0];
  if (kind === 'review' && firstReview) return { step: firstReview, key: 'review:0' };
  const fixed = kind === 'current' || kind === 'review' ? 'sign' : kind;
  const step = process.steps.find((s) => s.step === fixed)!;
  // Delivery is the seal keeper finishing the dossier, not a step of its own for the separation of duties.
  return { step, key: fixed === 'deliver' ? null : fixed };
}

/** The role an action needs on this dossier, from its process. */
export const requiredRole = (state: RuleState, action: Action): Role => actionStep(state, action).step.role;

const STATE_REFUSALS: Record<DossierStatus, string> = {
  draft: 'Hồ sơ chưa được trình ký.',
  awaiting_review: 'Hồ sơ đang chờ kiểm tra trước khi trình ký.',
  awaiting_signature: 'Hồ sơ đang chờ lãnh đạo ký.',
  returned: 'Hồ sơ đã bị trả lại cho cán bộ tư pháp.',
  awaiting_seal: 'Hồ sơ đã được ký và đang chờ đóng dấu.',
  completed: 'Hồ sơ đã hoàn thành.',
  cancelled: 'Hồ sơ đã bị hủy.',
};

/** The name of a performed step (its key in DossierState.performers). */
function performedLabel(process: ProcessDefinition, key: string): string {
  if (key.startsWith('review:')) return stepLabel(reviewSteps(process)[Number(key.slice(7))] ?? { step: 'review', role: 'reviewer' });
  return STEP_LABELS[key as ProcessStepKind] ?? key;
}

/** Throws a DomainError explaining (in Vietnamese) why the actor may not do the action now. */
export function checkAction(state: RuleState, action: Action, actor: Actor): void {
  const rule = ACTION_RULES[action];
  if (!actor || typeof actor.username !== 'string' || !Array.isArray(actor.roles)) {
    throw new DomainError('unauthenticated', 'Không xác định được người thực hiện.');
  }
  const { step, key } = actionStep(state, action);
  if (!actor.roles.includes(step.role)) {
    throw new DomainError('forbidden', `Bạn không có ${ROLE_LABELS[step.role]} để thực hiện thao tác này.`);
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
  if (state.process?.separationOfDuties && key) {
    const other = Object.entries(state.performers ?? {}).find(([k, who]) => k !== key && who.includes(actor.username));
    if (other) {
      throw new DomainError('forbidden', `Quy trình của đơn vị không cho một người thực hiện hai bước của cùng một hồ sơ: bạn đã thực hiện bước “${performedLabel(state.process, other[0])}” của hồ sơ này.`);
    }
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

/** The role the dossier waits on now (its process's step), or null when it waits on nobody (a draft, finished). */
export function awaitedRole(state: RuleState): Role | null {
  switch (state.status) {
    case 'awaiting_review': return requiredRole(state, 'approve');
    case 'awaiting_signature': return requiredRole(state, 'sign');
    case 'returned': return requiredRole(state, 'resubmit');
    case 'awaiting_seal': return requiredRole(state, 'seal');
    default: return null;
  }
}
