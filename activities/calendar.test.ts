// The one working-day calendar from the database: the seeded national public holidays, an agency's own days
// winning for that agency only, and only the days of the window asked for.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isWorkingDay } from '../domain/calendar.js';
import { dueDate } from '../domain/deadline.js';
import { createDb, migrateToLatest, type Db } from '../lib/db.js';
import { createTestDatabase } from '../lib/testing/database.js';
import { workingCalendar } from './calendar.js';

let db: Db;
let dropDb: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const { url, drop } = await createTestDatabase(inject('pgAdminUrl'), `t_cal_${crypto.randomBytes(4).toString('hex')}`);
  dropDb = drop;
  db = createDb(url, 2);
  await migrateToLatest(db);
  await db.insertInto('agencies').values([{ code: 'A1', name: 'UBND Xã A', portal_code: 'G1' }, { code: 'A2', name: 'UBND Xã B', portal_code: 'G2' }]).execute();
});
afterAll(async () => {
  await db?.destroy();
  await dropDb?.();
});

describe('workingCalendar', () => {
  it('has the national public holidays of 2026 and 2027 (BLLĐ 2019 Điều 112)', async () => {
    const y2026 = await workingCalendar(db, 'A1', '2026-01-01', '2026-12-31');
    const y2027 = await workingCalendar(db, 'A1', '2027-01-01', '2027-12-31');
    const offWeekdays = (c: typeof y2026) => Object.keys(c.overrides).filter((d) => !c.overrides[d] && isWorkingDay(d));
    // Tết Dương lịch, Tết Âm lịch (5 days), Giỗ Tổ (on a Sunday in 2026: given back on Monday), 30/4, 1/5, Quốc khánh (2 days).
    expect(offWeekdays(y2026)).toEqual(['2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
      '2026-04-27', '2026-04-30', '2026-05-01', '2026-09-01', '2026-09-02']);
    // 2027: Tết's weekend days and 1/5 (a Saturday) given back on the next working days.
    expect(offWeekdays(y2027)).toEqual(['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11',
      '2027-04-16', '2027-04-30', '2027-05-03', '2027-09-02', '2027-09-03']);
    const names = await db.selectFrom('public_holidays').select('name').where('day', 'in', ['2027-01-01', '2027-09-02']).orderBy('day').execute();
    expect(names.map((n) => n.name)).toEqual(['Tết Dương lịch', 'Quốc khánh (2/9)']);
  });

  it('lets an agency\'s own days win for that agency only, within the window asked for', async () => {
    await db.insertInto('agency_days').values([
      { agency_code: 'A1', day: '2027-01-01', working: true, note: 'Trực lễ' },
      { agency_code: 'A1', day: '2027-01-02', working: true, note: 'Làm bù' },
      { agency_code: 'A1', day: '2027-01-05', working: false, note: 'Nghỉ' },
    ]).execute();
    await db.insertInto('public_holidays').values({ day: '2027-01-09', name: 'Ngày làm bù', working: true }).execute();
    const a1 = await workingCalendar(db, 'A1', '2026-12-31', '2027-01-09');
    expect(a1).toEqual({
      from: '2026-12-31', through: '2027-01-09',
      overrides: { '2027-01-01': true, '2027-01-02': true, '2027-01-05': false, '2027-01-09': true },
    });
    const a2 = await workingCalendar(db, 'A2', '2026-12-31', '2027-01-09');
    expect(a2.overrides).toEqual({ '2027-01-01': false, '2027-01-09': true });
    expect((await workingCalendar(db, 'A1', '2027-01-02', '2027-01-02')).overrides).toEqual({ '2027-01-02': true });
    // The due date on the afternoon before the holiday, for each agency.
    expect(dueDate(new Date('2026-12-31T16:00:00+07:00'), a1)).toBe('2027-01-01');
    expect(dueDate(new Date('2026-12-31T16:00:00+07:00'), a2)).toBe('2027-01-04');
  });
});
