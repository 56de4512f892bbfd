// The working-day calendar, one for the due date and the appointment slots: Monday to Friday, unless the rules
// say otherwise for a day. The rules of an agency are built in one place (activities/calendar.ts): the national
// public holidays and make-up working days (table public_holidays), then the agency's own days (agency_days),
// which win. Calendar days are 'yyyy-MM-dd' (no instant, so no time zone).
// PURE module (sandbox-safe): no imports.

const DAY_MS = 86400_000;

export interface DayRules {
  /** Days listed explicitly: true = working (e.g. a Saturday make-up day), false = day off. */
  overrides: Record<string, boolean>;
}

/**
 * An agency's rules over a window of days, fixed when a dossier is created and carried in its workflow input (the
 * workflow cannot read the database): `overrides` lists the days of `from`…`through` that differ from Monday to
 * Friday. Beyond the window the calendar is Monday to Friday.
 */
export interface CalendarWindow extends DayRules {
  from: string;
  through: string;
}

/** How many days after its creation a dossier's calendar covers: the due date is at most a few working days on,
 *  and a Tết holiday with its weekends is under two weeks. */
export const DOSSIER_CALENDAR_DAYS = 30;

/** The weekday of a calendar day: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(isoDay: string): number {
  return new Date(`${isoDay}T00:00:00Z`).getUTCDay();
}

/** The calendar day `n` days after (or before, when negative) `isoDay`. */
export function addDays(isoDay: string, n: number): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whether offices work that day: the rules' override if they list it, else Monday to Friday. */
export function isWorkingDay(isoDay: string, rules?: DayRules): boolean {
  if (rules && isoDay in rules.overrides) return rules.overrides[isoDay];
  const dow = dayOfWeek(isoDay);
  return dow !== 0 && dow !== 6;
}

/** The first working day after `isoDay` (never `isoDay` itself). */
export function nextWorkingDay(isoDay: string, rules?: DayRules): string {
  let day = isoDay;
  do { day = addDays(day, 1); } while (!isWorkingDay(day, rules));
  return day;
}

/** The working day `n` (>= 0) working days after `isoDay`; `n` = 0 gives `isoDay` itself, working or not. */
export function addWorkingDays(isoDay: string, n: number, rules?: DayRules): string {
  let day = isoDay;
  for (let i = 0; i < n; i++) day = nextWorkingDay(day, rules);
  return day;
}
