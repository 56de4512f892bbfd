import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { ACTION_RULES, checkAction, checkReason, requiredRole, type Action } from './rules.js';
import type { DossierStatus } from './dossier.js';
import type { Actor, Role } from './types.js';

const actor = (roles: Role[], agencyCode = 'A'): Actor => ({ username: 'u', fullName: 'U', agencyCode, roles });
const state = (status: DossierStatus, busy = false) => ({ status, agencyCode: 'A', busy, delivery: null });
const refusal = (f: () => void) => { try { f(); return null; } catch (e) { return (e as DomainError).code; } };

describe('who may do what, when', () => {
  const statuses: DossierStatus[] = ['draft', 'awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal', 'completed', 'cancelled'];
  it('allows each action only to its role, in its states', () => {
    for (const [action, rule] of Object.entries(ACTION_RULES) as [Action, (typeof ACTION_RULES)[Action]][]) {
      for (const s of statuses) {
        // A re-send needs a first delivery to have been made.
        const st = action === 'resend' ? { ...state(s), delivery: { status: 'sent' as const, at: 'x', email: 'a@b.vn', portal: false, error: null, requests: 1 } } : state(s);
        const got = refusal(() => checkAction(st, action, actor([requiredRole(st, action)])));
        expect(got, `${action} in ${s}`).toBe(rule.from.includes(s) ? null : 'wrong_state');
      }
    }
  });
  it('checks role, then agency, then busy, then state', () => {
    expect(refusal(() => checkAction(state('awaiting_signature'), 'sign', actor(['creator'])))).toBe('forbidden');
    expect(refusal(() => checkAction(state('awaiting_signature'), 'sign', actor(['signer'], 'B')))).toBe('wrong_agency');
    expect(refusal(() => checkAction(state('awaiting_signature', true), 'sign', actor(['signer'])))).toBe('busy');
    expect(refusal(() => checkAction(state('awaiting_seal'), 'sign', actor(['signer'])))).toBe('wrong_state');
  });
  it('one person may hold all three working roles', () => {
    const all = actor(['creator', 'signer', 'sealer']);
    expect(refusal(() => checkAction(state('draft'), 'submit', all))).toBeNull();
    expect(refusal(() => checkAction(state('awaiting_signature'), 'sign', all))).toBeNull();
    expect(refusal(() => checkAction(state('awaiting_seal'), 'seal', all))).toBeNull();
  });
  it('re-sends only after a delivery, and not while one is being sent', () => {
    expect(refusal(() => checkAction(state('completed'), 'resend', actor(['sealer'])))).toBe('wrong_state');
    expect(refusal(() => checkAction({ ...state('completed'), delivery: { status: 'pending', at: 'x', email: null, portal: true, error: null, requests: 1 } }, 'resend', actor(['sealer'])))).toBe('busy');
    expect(refusal(() => checkAction({ ...state('completed'), delivery: { status: 'failed', at: 'x', email: null, portal: true, error: 'x', requests: 1 } }, 'resend', actor(['sealer'])))).toBeNull();
  });
  it('delivers once', () => {
    expect(refusal(() => checkAction({ ...state('completed'), delivery: { status: 'sent' as const, at: 'x', email: null, portal: true, error: null, requests: 1 } }, 'deliver', actor(['sealer'])))).toBe('wrong_state');
  });
  it('reasons are required, in Vietnamese', () => {
    expect(() => checkReason('', 'lý do trả lại')).toThrow(/Vui lòng nhập lý do trả lại/);
    expect(() => checkReason('x'.repeat(1001), 'lý do trả lại')).toThrow(/quá dài/);
    expect(checkReason('  Bản scan không rõ  ', 'lý do')).toBe('Bản scan không rõ');
    // The workflow's validator refuses what no read-model write could store (a NUL) or a screen should show.
    expect(() => checkReason('Bản scan\u0000 mờ', 'lý do trả lại')).toThrow('Trường "Lý do trả lại" chứa ký tự không hợp lệ.');
    expect(() => checkReason('Bản scan \u202Emờ', 'lý do trả lại')).toThrow(/không hợp lệ/);
    expect(checkReason('Trang 1 mờ.\nTrang 2 thiếu.', 'lý do')).toBe('Trang 1 mờ.\nTrang 2 thiếu.');
  });
});
