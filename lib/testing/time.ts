// Days and waiting in the tests: working days ahead (for appointments, which only take Mon–Fri), and polling until
// something the worker does asynchronously has happened.

const DAY = 86400_000;
/** Now, shifted so that the UTC calendar date is the date in Vietnam (UTC+7). */
const vnNow = () => Date.now() + 7 * 3600_000;

/** `count` distinct working days (Mon–Fri) as yyyy-MM-dd, the first at least `ahead` days from today in Vietnam. */
export function workingDays(count: number, ahead = 2): string[] {
  const out: string[] = [];
  let t = vnNow() + ahead * DAY;
  while (out.length < count) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    t += DAY;
  }
  return out;
}

/** A working day (Mon–Fri) at least `ahead` days from today, as yyyy-MM-dd in Vietnam. */
export function workingDay(ahead: number): string {
  return workingDays(1, ahead)[0];
}

/** The first day of the week `dow` (0 = Sunday … 6 = Saturday) at least `ahead` days from today in Vietnam. */
export function nextWeekday(dow: number, ahead = 1): string {
  let t = vnNow() + ahead * DAY;
  for (;;) { const d = new Date(t); if (d.getUTCDay() === dow) return d.toISOString().slice(0, 10); t += DAY; }
}

/** Polls `f` until it gives something truthy, and returns that; fails after `ms`. */
export async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `probe` until `ok` accepts its value, and returns that value; fails after `ms` saying what it still was. */
export async function eventually<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
