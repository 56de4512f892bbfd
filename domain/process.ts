// An agency's process definition ("Cấu hình quy trình"): which role performs each step of a dossier, the review
// steps between submit and sign, whether one person may perform two steps of one dossier, and whether delivery
// follows the seal by itself. Versions are immutable; a dossier pins the version it started with in its workflow
// input, so a new version changes only new dossiers and a history replays as it ran. Sandbox-safe: pure.
import { DomainError } from './errors.js';
import type { Role } from './types.js';

/** The steps the law fixes (submit, sign, seal, deliver) and the optional review steps between submit and sign. */
export type ProcessStepKind = 'submit' | 'review' | 'sign' | 'seal' | 'deliver';

export interface ProcessStep {
  step: ProcessStepKind;
  role: Role;
  /** What the step is called on screens (a review step's name, e.g. "Lãnh đạo phòng kiểm tra"). */
  label?: string;
}

export interface ProcessDefinition {
  /** 0: the built-in process of an agency that has published none. */
  version: number;
  /** submit, any review steps, sign, seal, deliver: in that order. */
  steps: ProcessStep[];
  /** true: one person may not perform two of submit, review, sign and seal of the same dossier (delivery, the seal
   *  keeper's "Hoàn thành và chuyển", is not a step of its own for this). */
  separationOfDuties: boolean;
  /** true: the e-copy is sent to the applicant as soon as it is sealed, without "Hoàn thành và chuyển". */
  autoDeliver: boolean;
}

/** The roles a step may be given. NĐ 23/2015 and NĐ 45/2020 fix who certifies (the leader signs) and who seals
 *  (the seal keeper); a review step may be anyone of the office who does not only administer or watch. */
export const STEP_ROLES: Record<ProcessStepKind, readonly Role[]> = {
  submit: ['creator'],
  review: ['reviewer', 'signer', 'sealer', 'creator'],
  sign: ['signer'],
  seal: ['sealer'],
  deliver: ['sealer'],
};

export const STEP_LABELS: Record<ProcessStepKind, string> = {
  submit: 'Tiếp nhận, tạo bản sao và trình ký',
  review: 'Kiểm tra',
  sign: 'Lãnh đạo ký chứng thực',
  seal: 'Cấp số chứng thực và đóng dấu',
  deliver: 'Hoàn thành và chuyển bản sao điện tử',
};

/** The process of an agency that has published none, and of every dossier started before processes existed:
 *  exactly the rules the workflow always had. */
export const DEFAULT_PROCESS: ProcessDefinition = {
  version: 0,
  steps: [
    { step: 'submit', role: 'creator' },
    { step: 'sign', role: 'signer' },
    { step: 'seal', role: 'sealer' },
    { step: 'deliver', role: 'sealer' },
  ],
  separationOfDuties: false,
  autoDeliver: false,
};

export const MAX_REVIEW_STEPS = 5;
const LABEL_MAX = 120;

const bad = (message: string, field = 'steps'): never => { throw new DomainError('validation', message, field); };

/**
 * A definition as an admin sends it (no version), checked: the fixed steps once each and in order, review steps
 * (at most MAX_REVIEW_STEPS, each with a label) only between submit and sign, each step's role one it may have.
 */
export function checkProcess(body: unknown): Omit<ProcessDefinition, 'version'> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) bad('Vui lòng gửi quy trình: {steps, separationOfDuties, autoDeliver}.', 'body');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.steps)) bad('Vui lòng liệt kê các bước của quy trình (steps).');
  const steps: ProcessStep[] = [];
  for (const [i, raw] of (b.steps as unknown[]).entries()) {
    if (!raw || typeof raw !== 'object') bad(`Bước thứ ${i + 1} không hợp lệ.`);
    const s = raw as Record<string, unknown>;
    const kind = s.step as ProcessStepKind;
    if (typeof kind !== 'string' || !(kind in STEP_ROLES)) bad(`Bước thứ ${i + 1}: loại bước phải là một trong submit, review, sign, seal, deliver.`);
    const role = s.role as Role;
    if (typeof role !== 'string' || !STEP_ROLES[kind].includes(role)) {
      bad(`Bước “${STEP_LABELS[kind]}” chỉ giao được cho: ${STEP_ROLES[kind].join(', ')}.`);
    }
    let label: string | undefined;
    if (s.label !== undefined && s.label !== null && s.label !== '') {
      if (typeof s.label !== 'string') bad(`Bước thứ ${i + 1}: tên bước phải là chữ.`);
      label = (s.label as string).replace(/\s+/g, ' ').trim();
      // eslint-disable-next-line no-control-regex
      if (!label || label.length > LABEL_MAX || /[\u0000-\u001f\u007f]/.test(label)) bad(`Bước thứ ${i + 1}: tên bước phải có từ 1 đến ${LABEL_MAX} ký tự.`);
    }
    if (kind === 'review' && !label) bad(`Bước kiểm tra thứ ${i}: vui lòng đặt tên bước (ví dụ “Lãnh đạo phòng kiểm tra”).`);
    steps.push({ step: kind, role, ...(label ? { label } : {}) });
  }
  const kinds = steps.map((s) => s.step);
  const fixed = kinds.filter((k) => k !== 'review');
  if (fixed.join(',') !== 'submit,sign,seal,deliver') {
    bad('Quy trình phải có đủ các bước luật định, mỗi bước một lần và theo thứ tự: tiếp nhận (submit), ký (sign), đóng dấu (seal), chuyển (deliver).');
  }
  const signAt = kinds.indexOf('sign');
  if (kinds.slice(signAt).includes('review') || kinds[0] !== 'submit') bad('Bước kiểm tra chỉ đặt được giữa bước tiếp nhận và bước ký.');
  if (kinds.filter((k) => k === 'review').length > MAX_REVIEW_STEPS) bad(`Quy trình có tối đa ${MAX_REVIEW_STEPS} bước kiểm tra.`);
  for (const key of ['separationOfDuties', 'autoDeliver'] as const) {
    if (typeof b[key] !== 'boolean') bad(`Vui lòng chọn ${key === 'separationOfDuties' ? 'có tách người thực hiện các bước hay không' : 'có tự động chuyển bản sao sau khi đóng dấu hay không'} (${key}: true/false).`, key);
  }
  return { steps, separationOfDuties: b.separationOfDuties as boolean, autoDeliver: b.autoDeliver as boolean };
}

export const reviewSteps = (p: ProcessDefinition) => p.steps.filter((s) => s.step === 'review');

/** The role of a fixed step (there is exactly one of each in a checked definition). */
export const stepRole = (p: ProcessDefinition, step: Exclude<ProcessStepKind, 'review'>): Role => p.steps.find((s) => s.step === step)!.role;

/** A step's name on screens: its own label, else the step's. */
export const stepLabel = (s: ProcessStep) => s.label ?? STEP_LABELS[s.step];

/** Whether two definitions say the same (the version aside): publishing the same again makes no new version. */
export const sameProcess = (a: Omit<ProcessDefinition, 'version'>, b: Omit<ProcessDefinition, 'version'>) =>
  JSON.stringify([a.steps, a.separationOfDuties, a.autoDeliver]) === JSON.stringify([b.steps, b.separationOfDuties, b.autoDeliver]);
