// The title block the attestation prints under the date (Nghị định 30/2020/NĐ-CP, the forms of signing).
import { describe, expect, it } from 'vitest';
import { delegationInForce, signingTitle } from './signing-authority.js';

const head = { username: 'lanhdao', title: 'Trưởng phòng Tư pháp' };
const deputy = { username: 'phophong', title: 'Phó Trưởng phòng Tư pháp' };

describe('signing title', () => {
  it('an agency without a head keeps the signer’s own title, as it always printed', () => {
    expect(signingTitle({ head: null, collective: null }, deputy, null)).toBe('Phó Trưởng phòng Tư pháp');
    expect(signingTitle({ head: null, collective: 'Ủy ban nhân dân' }, deputy, 'TL')).toBe('Phó Trưởng phòng Tư pháp');
  });

  it('the head signs in the head’s own title; a deputy signs “KT.” for the head, then the deputy’s title', () => {
    expect(signingTitle({ head, collective: null }, head, null)).toBe('TRƯỞNG PHÒNG TƯ PHÁP');
    expect(signingTitle({ head, collective: null }, deputy, null)).toBe('KT. TRƯỞNG PHÒNG TƯ PHÁP\nPHÓ TRƯỞNG PHÒNG TƯ PHÁP');
    expect(signingTitle({ head, collective: null }, deputy, 'KT')).toBe('KT. TRƯỞNG PHÒNG TƯ PHÁP\nPHÓ TRƯỞNG PHÒNG TƯ PHÁP');
  });

  it('“TL.” under a delegation of that kind; a commune’s collective body heads the block with “TM.”', () => {
    expect(signingTitle({ head, collective: null }, deputy, 'TL')).toBe('TL. TRƯỞNG PHÒNG TƯ PHÁP\nPHÓ TRƯỞNG PHÒNG TƯ PHÁP');
    const chairman = { username: 'chutich', title: 'Chủ tịch' };
    const vice = { username: 'phochutich', title: 'Phó Chủ tịch' };
    expect(signingTitle({ head: chairman, collective: 'Ủy ban nhân dân' }, vice, null)).toBe('TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH');
    expect(signingTitle({ head: chairman, collective: 'Ủy ban nhân dân' }, chairman, null)).toBe('TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH');
  });

  it('a delegation is in force from its first day to its last, unless revoked', () => {
    const d = { from_day: '2026-12-01', to_day: '2026-12-05', revoked_at: null };
    expect(['2026-11-30', '2026-12-01', '2026-12-05', '2026-12-06'].map((day) => delegationInForce(d, day))).toEqual([false, true, true, false]);
    expect(delegationInForce({ ...d, revoked_at: new Date() }, '2026-12-03')).toBe(false);
  });
});
