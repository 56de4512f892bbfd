// NĐ 23/2015 Điều 7: the copy is returned the same working day, or the next working day when the request is
// received after 15:00. Working days here are Monday to Friday (public holidays are not modelled yet).
import { vnIsoDate } from './vn-time.js';

const DAY = 86400_000;
const VN = 7 * 3600_000;

function isWorkingDay(isoDate: string): boolean {
  const dow = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

function nextWorkingDay(isoDate: string): string {
  let t = Date.parse(`${isoDate}T00:00:00Z`);
  do { t += DAY; } while (!isWorkingDay(new Date(t).toISOString().slice(0, 10)));
  return new Date(t).toISOString().slice(0, 10);
}

/** The day ('yyyy-MM-dd', Vietnam) by which the e-copy is due. */
export function dueDate(receivedAt: Date): string {
  const day = vnIsoDate(receivedAt);
  const hour = new Date(receivedAt.getTime() + VN).getUTCHours();
  if (!isWorkingDay(day)) return nextWorkingDay(day);
  return hour >= 15 ? nextWorkingDay(day) : day;
}
