// Frozen: national public holidays (ngày nghỉ lễ, tết) for the one working-day calendar that the due date
// (NĐ 23/2015 Điều 7) and the appointment slots share. A row is a day off (working = false) or a make-up
// working day set by the Government (working = true, e.g. a Saturday worked in exchange for a bridge day).
// An agency's own days (agency_days) still win for that agency.
//
// Seeded for 2026 and 2027 from Bộ luật Lao động 2019 Điều 112 khoản 1 (Tết Dương lịch 1/1; Tết Âm lịch 5 ngày;
// Giỗ Tổ Hùng Vương 10/3 âm lịch; Chiến thắng 30/4; Quốc tế lao động 1/5; Quốc khánh 2/9 và 01 ngày liền kề)
// and Điều 111 khoản 3 (a holiday on the weekly rest day gives a day off on the next working day). Lunar dates
// by Hồ Ngọc Đức's algorithm for UTC+7 (mùng 1 Tết: 17/02/2026 and 06/02/2027; 10/3 âm lịch: 26/04/2026 and
// 16/04/2027). What is and is not an official announcement:
// - Tết Âm lịch 2026: the Government's announced schedule for civil servants, 14/02–22/02/2026 (27 tháng Chạp
//   Ất Tỵ to mùng 6 Bính Ngọ), whose working days are 16–20/02.
// - Tết Âm lịch 2027: not announced when this was written; the five days of the law are taken as 29 tháng Chạp
//   to mùng 4 (05/02–09/02/2027), and the two that fall on the weekend are given back on 10 and 11/02.
// - The day next to Quốc khánh is the Government's choice each year; taken here as 01/09/2026 and 03/09/2027.
// - No make-up working days are seeded (none known for certain). Swapped days (hoán đổi) the Government later
//   announces, and Ngày Văn hóa Việt Nam 24/11 if it becomes a day off, are added as rows, not code.
import { Kysely } from 'kysely';

/** The seeded days (exported for the tests' choice of working days; the table is what the app reads). */
export const PUBLIC_HOLIDAYS: { day: string; name: string; working: boolean }[] = [
  { day: '2026-01-01', name: 'Tết Dương lịch', working: false },
  ...['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((day) => ({ day, name: 'Tết Âm lịch (Tết Nguyên đán Bính Ngọ)', working: false })),
  { day: '2026-04-26', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', working: false },
  { day: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương', working: false },
  { day: '2026-04-30', name: 'Ngày Chiến thắng (30/4)', working: false },
  { day: '2026-05-01', name: 'Ngày Quốc tế lao động (1/5)', working: false },
  { day: '2026-09-01', name: 'Nghỉ lễ Quốc khánh (ngày liền kề)', working: false },
  { day: '2026-09-02', name: 'Quốc khánh (2/9)', working: false },
  { day: '2027-01-01', name: 'Tết Dương lịch', working: false },
  ...['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09'].map((day) => ({ day, name: 'Tết Âm lịch (Tết Nguyên đán Đinh Mùi)', working: false })),
  ...['2027-02-10', '2027-02-11'].map((day) => ({ day, name: 'Nghỉ bù Tết Âm lịch', working: false })),
  { day: '2027-04-16', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', working: false },
  { day: '2027-04-30', name: 'Ngày Chiến thắng (30/4)', working: false },
  { day: '2027-05-01', name: 'Ngày Quốc tế lao động (1/5)', working: false },
  { day: '2027-05-03', name: 'Nghỉ bù Ngày Quốc tế lao động', working: false },
  { day: '2027-09-02', name: 'Quốc khánh (2/9)', working: false },
  { day: '2027-09-03', name: 'Nghỉ lễ Quốc khánh (ngày liền kề)', working: false },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('public_holidays')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('working', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.insertInto('public_holidays').values(PUBLIC_HOLIDAYS).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('public_holidays').execute();
}
