// NĐ 23/2015 Điều 7: the copy is returned the same working day, or the next working day when the request is
// received after 15:00. Working days here are Monday to Friday (public holidays are not modelled yet).
import { isWorkingDay, nextWorkingDay } from './calendar.js';
import { vnIsoDate, vnParts } from './vn-time.js';

/** The day ('yyyy-MM-dd', Vietnam) by which the e-copy is due. */
export function dueDate(receivedAt: Date): string {
  const day = vnIsoDate(receivedAt);
  if (!isWorkingDay(day)) return nextWorkingDay(day);
  return vnParts(receivedAt).hour >= 15 ? nextWorkingDay(day) : day;
}
