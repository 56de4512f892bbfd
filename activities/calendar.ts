// The one working-day calendar's SQL: an agency's rules over a window of days, from the national public holidays
// (public_holidays) and the agency's own days (agency_days), which win. The web app reaches it through the
// features' queries.ts (appointments: a day's slots; dossiers: the calendar in a new dossier's workflow input).
import type { CalendarWindow } from '../domain/calendar.js';
import type { Db } from '../lib/db.js';

/** The days of `from`…`through` ('yyyy-MM-dd', both included) that differ from Monday to Friday for the agency. */
export async function workingCalendar(db: Db, agencyCode: string, from: string, through: string): Promise<CalendarWindow> {
  const [national, own] = await Promise.all([
    db.selectFrom('public_holidays').select(['day', 'working']).where('day', '>=', from).where('day', '<=', through).orderBy('day').execute(),
    db.selectFrom('agency_days').select(['day', 'working'])
      .where('agency_code', '=', agencyCode).where('day', '>=', from).where('day', '<=', through).orderBy('day').execute(),
  ]);
  const overrides: Record<string, boolean> = {};
  for (const r of [...national, ...own]) overrides[r.day] = r.working;
  return { from, through, overrides };
}
