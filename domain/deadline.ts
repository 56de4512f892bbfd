// NĐ 23/2015 Điều 7: the copy is returned the same working day, or the next working day when the request is
// received after 15:00. Working days are those of the one calendar (domain/calendar.ts): Monday to Friday, less
// the national public holidays, plus the Government's make-up working days, with the agency's own days off and
// working days winning. A dossier's workflow gets these rules in its input (DossierInput.calendar, built by the
// web server when the dossier is created); without them (dossiers started before, tests of the rule alone) the
// working days are Monday to Friday.
import { isWorkingDay, nextWorkingDay, type DayRules } from './calendar.js';
import { vnIsoDate, vnParts } from './vn-time.js';

/** The day ('yyyy-MM-dd', Vietnam) by which the e-copy is due. */
export function dueDate(receivedAt: Date, rules?: DayRules): string {
  const day = vnIsoDate(receivedAt);
  if (!isWorkingDay(day, rules)) return nextWorkingDay(day, rules);
  return vnParts(receivedAt).hour >= 15 ? nextWorkingDay(day, rules) : day;
}
