import { describe, expect, it } from 'vitest';
import { addDays, addWorkingDays, dayOfWeek, isWorkingDay, nextWorkingDay } from './calendar.js';

// 2026-11-27 is a Friday.
const rules = { overrides: { '2026-11-28': true, '2026-12-01': false } };

describe('working-day calendar', () => {
  it('counts Monday to Friday without rules', () => {
    expect(dayOfWeek('2026-11-27')).toBe(5);
    expect(['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30'].map((d) => isWorkingDay(d))).toEqual([true, false, false, true]);
  });

  it('lets an agency add a make-up day and take a day off', () => {
    expect(isWorkingDay('2026-11-28', rules)).toBe(true);
    expect(isWorkingDay('2026-12-01', rules)).toBe(false);
    expect(isWorkingDay('2026-12-02', rules)).toBe(true);
  });

  it('moves to the next working day', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(nextWorkingDay('2026-11-27')).toBe('2026-11-30');
    expect(nextWorkingDay('2026-11-28')).toBe('2026-11-30');
    expect(nextWorkingDay('2026-11-27', rules)).toBe('2026-11-28');
    expect(nextWorkingDay('2026-11-30', rules)).toBe('2026-12-02');
  });

  it('adds working days', () => {
    expect(addWorkingDays('2026-11-28', 0)).toBe('2026-11-28');
    expect(addWorkingDays('2026-11-26', 3)).toBe('2026-12-01');
    expect(addWorkingDays('2026-11-26', 3, rules)).toBe('2026-11-30');
  });
});
