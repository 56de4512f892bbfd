import { describe, expect, it } from 'vitest';
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
