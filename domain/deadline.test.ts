import { describe, expect, it } from 'vitest';
import type { DayRules } from './calendar.js';
import { dueDate } from './deadline.js';

describe('due date (NĐ 23/2015 Điều 7)', () => {
  it.each([
    ['2026-11-27T09:00:00+07:00', '2026-11-27'], // Friday morning: same day
    ['2026-11-27T14:59:00+07:00', '2026-11-27'],
    ['2026-11-27T15:00:00+07:00', '2026-11-30'], // Friday after 15:00: Monday
    ['2026-11-26T16:30:00+07:00', '2026-11-27'], // Thursday after 15:00: Friday
    ['2026-11-28T10:00:00+07:00', '2026-11-30'], // Saturday: Monday
    ['2026-11-26T20:00:00Z', '2026-11-27'], // 03:00 Friday in Vietnam
  ])('received %s → due %s', (at, due) => {
    expect(dueDate(new Date(at))).toBe(due);
  });
});

describe('due date with public holidays and an agency\'s days', () => {
  // Tết Dương lịch 2027 is Friday 01/01; Tết Âm lịch 2027 (as seeded) Friday 05/02 to Thursday 11/02.
  const national: DayRules = {
    overrides: Object.fromEntries(['2027-01-01', ...['05', '06', '07', '08', '09', '10', '11'].map((d) => `2027-02-${d}`)].map((d) => [d, false])),
  };

  it.each([
    ['2026-12-31T14:59:00+07:00', '2026-12-31'], // the working day before the holiday, before 15:00: same day
    ['2026-12-31T15:00:00+07:00', '2027-01-04'], // … after 15:00: not the holiday, not the weekend: Monday
    ['2027-01-01T09:00:00+07:00', '2027-01-04'], // on the holiday: the next working day
    ['2027-02-04T16:00:00+07:00', '2027-02-12'], // the afternoon before Tết: the first working day after it
    ['2027-02-08T08:00:00+07:00', '2027-02-12'], // a Monday inside Tết
  ])('received %s → due %s', (at, due) => {
    expect(dueDate(new Date(at), national)).toBe(due);
  });

  it('counts an agency\'s make-up Saturday, and its own day off', () => {
    const agency: DayRules = { overrides: { ...national.overrides, '2027-01-02': true, '2027-01-04': false } };
    expect(dueDate(new Date('2026-12-31T15:30:00+07:00'), agency)).toBe('2027-01-02');
    expect(dueDate(new Date('2027-01-02T10:00:00+07:00'), agency)).toBe('2027-01-02'); // received on it, in the morning
    expect(dueDate(new Date('2027-01-02T15:30:00+07:00'), agency)).toBe('2027-01-05'); // Sunday off, Monday the agency's day off
  });

  it('an agency that works on a public holiday counts it', () => {
    const agency: DayRules = { overrides: { ...national.overrides, '2027-01-01': true } };
    expect(dueDate(new Date('2026-12-31T15:30:00+07:00'), agency)).toBe('2027-01-01');
  });

  it('without rules (dossiers started before the calendar) the holiday counts as a working day, as it did', () => {
    expect(dueDate(new Date('2026-12-31T15:00:00+07:00'))).toBe('2027-01-01');
  });
});
