// The process definition's rules: what an admin may publish, and how the action rules read a pinned process.
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { checkProcess, DEFAULT_PROCESS, sameProcess, type ProcessDefinition } from './process.js';
import { awaitedRole, checkAction, requiredRole, type RuleState } from './rules.js';
import type { Actor, Role } from './types.js';

const fixed = (reviews: Record<string, string>[] = []): Record<string, string>[] => [
  { step: 'submit', role: 'creator' }, ...reviews, { step: 'sign', role: 'signer' }, { step: 'seal', role: 'sealer' }, { step: 'deliver', role: 'sealer' },
];
const refusal = (f: () => unknown) => { try { f(); return null; } catch (e) { return `${(e as DomainError).code}:${(e as DomainError).field ?? ''}`; } };
const actor = (username: string, roles: Role[]): Actor => ({ username, fullName: username, agencyCode: 'A', roles });

describe('checkProcess', () => {
  it('accepts the fixed steps with up to five named review steps between submit and sign', () => {
    const p = checkProcess({ steps: fixed([{ step: 'review', role: 'reviewer', label: '  Lãnh đạo   phòng kiểm tra ' }, { step: 'review', role: 'signer', label: 'Phó chủ tịch xem' }]), separationOfDuties: true, autoDeliver: false });
    expect(p.steps.map((s) => `${s.step}/${s.role}/${s.label ?? ''}`)).toEqual([
      'submit/creator/', 'review/reviewer/Lãnh đạo phòng kiểm tra', 'review/signer/Phó chủ tịch xem', 'sign/signer/', 'seal/sealer/', 'deliver/sealer/',
    ]);
    expect(sameProcess(checkProcess({ ...DEFAULT_PROCESS }), DEFAULT_PROCESS)).toBe(true);
  });
  it('refuses, naming the field, what the law or the form does not allow', () => {
    const cases: unknown[] = [
      null, [], { steps: 'x', separationOfDuties: false, autoDeliver: false },
      { steps: fixed().slice(1), separationOfDuties: false, autoDeliver: false },
      { steps: [...fixed(), { step: 'sign', role: 'signer' }], separationOfDuties: false, autoDeliver: false },
      { steps: fixed([{ step: 'review', role: 'reviewer' }]), separationOfDuties: false, autoDeliver: false },
      { steps: fixed([{ step: 'review', role: 'supervisor', label: 'x' }]), separationOfDuties: false, autoDeliver: false },
      { steps: fixed([{ step: 'review', role: 'reviewer', label: 'a\u0000b' }]), separationOfDuties: false, autoDeliver: false },
      { steps: fixed([{ step: 'approve', role: 'reviewer', label: 'x' }]), separationOfDuties: false, autoDeliver: false },
      { steps: fixed().map((s) => (s.step === 'sign' ? { ...s, role: 'creator' } : s)), separationOfDuties: false, autoDeliver: false },
    ];
    for (const c of cases) expect(refusal(() => checkProcess(c)), JSON.stringify(c)).toMatch(/^validation:(steps|body)$/);
    expect(refusal(() => checkProcess({ steps: fixed(), separationOfDuties: 'yes', autoDeliver: false }))).toBe('validation:separationOfDuties');
    expect(refusal(() => checkProcess({ steps: fixed(), separationOfDuties: false }))).toBe('validation:autoDeliver');
  });
});

describe('the action rules under a pinned process', () => {
  const process: ProcessDefinition & { agencyCode: string } = { version: 3, agencyCode: 'A', ...checkProcess({ steps: fixed([{ step: 'review', role: 'reviewer', label: 'Kiểm tra 1' }, { step: 'review', role: 'signer', label: 'Kiểm tra 2' }]), separationOfDuties: true, autoDeliver: false }) };
  const state = (s: Partial<RuleState>): RuleState => ({ status: 'awaiting_review', agencyCode: 'A', busy: false, delivery: null, process, reviewIndex: 0, performers: {}, ...s });

  it('each review step needs its own role; the signature and seal theirs', () => {
    expect(requiredRole(state({}), 'approve')).toBe('reviewer');
    expect(requiredRole(state({ reviewIndex: 1 }), 'approve')).toBe('signer');
    expect(requiredRole(state({ reviewIndex: 1 }), 'returnToCreator')).toBe('signer');
    expect(awaitedRole(state({ status: 'awaiting_seal', reviewIndex: null }))).toBe('sealer');
    expect(refusal(() => checkAction(state({}), 'approve', actor('x', ['signer'])))).toBe('forbidden:');
    expect(refusal(() => checkAction(state({}), 'approve', actor('x', ['reviewer'])))).toBeNull();
    expect(refusal(() => checkAction(state({}), 'sign', actor('x', ['signer'])))).toBe('wrong_state:');
  });
  it('with separation of duties, one who performed a step may not perform another of the same dossier', () => {
    const performers = { submit: ['an'], 'review:0': ['binh'], sign: ['chi'] };
    expect(refusal(() => checkAction(state({ reviewIndex: 1, performers }), 'approve', actor('binh', ['reviewer', 'signer'])))).toBe('forbidden:');
    expect(refusal(() => checkAction(state({ status: 'awaiting_seal', reviewIndex: null, performers }), 'seal', actor('chi', ['signer', 'sealer'])))).toBe('forbidden:');
    expect(refusal(() => checkAction(state({ status: 'awaiting_seal', reviewIndex: null, performers }), 'seal', actor('dung', ['sealer'])))).toBeNull();
    // The same step again (a reviewer reviewing a resubmitted dossier) is not another step.
    expect(refusal(() => checkAction(state({ performers }), 'approve', actor('binh', ['reviewer'])))).toBeNull();
    // Without it (an embassy), one person does everything.
    const loose = { ...process, separationOfDuties: false };
    expect(refusal(() => checkAction(state({ process: loose, status: 'awaiting_seal', reviewIndex: null, performers }), 'seal', actor('chi', ['signer', 'sealer'])))).toBeNull();
  });
  it('a dossier without a pinned process follows the rules it started under', () => {
    const old: RuleState = { status: 'awaiting_signature', agencyCode: 'A', busy: false, delivery: null };
    expect(requiredRole(old, 'sign')).toBe('signer');
    expect(refusal(() => checkAction({ ...old, status: 'awaiting_seal', performers: { sign: ['x'] } }, 'seal', actor('x', ['signer', 'sealer'])))).toBeNull();
  });
});
