import { describe, expect, it } from 'vitest';
import { appointmentCode, BEYOND_WINDOW, endOfDayInstant, lastBookableDay, formatSlot, isWorkingDay, reminderInstant, slotInstant, slotProblem } from './appointments.js';

const rules = { overrides: { '2026-12-05': true, '2026-12-02': false } };
const slots = ['08:00', '09:00', '14:00'];

describe('appointments', () => {
  it('codes look like the seed', () => {
    expect(appointmentCode('2020-06-23', 0)).toBe('CTĐT-20200623-0000');
    expect(appointmentCode('2026-11-27', 42)).toBe('CTĐT-20261127-0042');
  });
  it('works Monday to Friday, with listed exceptions', () => {
    expect(isWorkingDay('2026-11-27', rules)).toBe(true); // Friday
    expect(isWorkingDay('2026-11-28', rules)).toBe(false); // Saturday
    expect(isWorkingDay('2026-12-05', rules)).toBe(true); // Saturday made a working day
    expect(isWorkingDay('2026-12-02', rules)).toBe(false); // Wednesday off
  });
  it('refuses past slots, days off, times outside working hours', () => {
    const now = new Date('2026-11-27T09:30:00+07:00');
    expect(slotProblem({ day: '2026-11-27', time: '14:00', now, slotTimes: slots, rules })).toBeNull();
    expect(slotProblem({ day: '2026-11-27', time: '09:00', now, slotTimes: slots, rules })).toMatch(/đã qua/);
    expect(slotProblem({ day: '2026-11-28', time: '09:00', now, slotTimes: slots, rules })).toMatch(/ngày nghỉ/);
    expect(slotProblem({ day: '2026-11-30', time: '12:00', now, slotTimes: slots, rules })).toMatch(/giờ làm việc/);
    expect(slotProblem({ day: '2026-02-30', time: '09:00', now, slotTimes: slots, rules })).toMatch(/không hợp lệ/);
  });
  it('books only within the window: 90 days ahead, never the year 2999', () => {
    const now = new Date('2026-11-27T09:30:00+07:00');
    expect(lastBookableDay(now)).toBe('2027-02-25');
    expect(slotProblem({ day: '2027-02-25', time: '09:00', now, slotTimes: slots, rules })).toBeNull(); // a Thursday
    expect(slotProblem({ day: '2027-02-26', time: '09:00', now, slotTimes: slots, rules })).toBe(BEYOND_WINDOW);
    expect(slotProblem({ day: '2999-01-01', time: '09:00', now, slotTimes: slots, rules })).toMatch(/trong vòng 90 ngày tới/);
  });
  it('waits for the right instants (Vietnam time)', () => {
    expect(slotInstant('2026-11-30', '09:00').toISOString()).toBe('2026-11-30T02:00:00.000Z');
    expect(reminderInstant('2026-11-30').toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(endOfDayInstant('2026-11-30').toISOString()).toBe('2026-11-30T16:59:59.999Z');
    expect(formatSlot('2026-11-30', '09:00')).toBe('09:00 30/11/2026');
  });
});
