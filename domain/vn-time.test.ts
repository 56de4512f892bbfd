import { describe, expect, it } from 'vitest';
import {
  parseVnDate, vnDate, vnDateOfDay, vnDateTime, vnDayEnd, vnDayStart, vnDdMmYy, vnInstant, vnIsoDate, vnLongDate, vnParts, vnTimeDate,
  vnYear, vnYearStart,
} from './vn-time.js';

describe('Vietnam time', () => {
  // 2025-12-31T17:30:05Z is 00:30:05 on 01/01/2026 in Hà Nội.
  const newYear = new Date('2025-12-31T17:30:05Z');

  it('reads calendar fields across the day and year boundary', () => {
    expect(vnParts(newYear)).toEqual({ year: 2026, month: 1, day: 1, hour: 0, minute: 30, second: 5 });
    expect(vnYear(newYear)).toBe(2026);
    expect(vnYear(new Date('2025-12-31T16:59:59Z'))).toBe(2025);
  });

  it('formats an instant', () => {
    expect(vnIsoDate(newYear)).toBe('2026-01-01');
    expect(vnDate(newYear)).toBe('01/01/2026');
    expect(vnDate('2025-12-31T17:30:05Z')).toBe('01/01/2026');
    expect(vnDateTime(newYear)).toBe('01/01/2026 00:30:05');
    expect(vnTimeDate(newYear)).toBe('00:30:05 01/01/2026');
    expect(vnLongDate(newYear)).toBe('ngày 01 tháng 01 năm 2026');
    expect(vnDdMmYy(newYear)).toBe('010126');
  });

  it('formats a calendar day as the old noon-in-Vietnam instant did', () => {
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 86400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      expect(vnDateOfDay(iso)).toBe(vnDate(`${iso}T12:00:00+07:00`));
    }
  });

  it('parses dd/MM/yyyy and yyyy-MM-dd, refusing impossible days', () => {
    expect(parseVnDate(' 5/3/2026 ')).toBe('2026-03-05');
    expect(parseVnDate('2026-03-05')).toBe('2026-03-05');
    expect(parseVnDate('29/02/2025')).toBeNull();
    expect(parseVnDate('2026-3-5')).toBeNull();
    expect(parseVnDate('')).toBeNull();
  });

  it('gives day and year boundaries as UTC instants', () => {
    expect(vnDayStart('2026-01-01').toISOString()).toBe('2025-12-31T17:00:00.000Z');
    expect(vnDayEnd('2026-01-01').toISOString()).toBe('2026-01-01T16:59:59.999Z');
    expect(vnInstant('2026-01-01', '08:30').toISOString()).toBe('2026-01-01T01:30:00.000Z');
    expect(vnYearStart(2026).getTime()).toBe(vnDayStart('2026-01-01').getTime());
  });
});
