// Days and waiting in the tests: working days ahead (for appointments, which take Mon–Fri less the national public
// holidays), and polling until something the worker does asynchronously has happened.

import { addDays, dayOfWeek, isWorkingDay, type DayRules } from '../../domain/calendar.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import { PUBLIC_HOLIDAYS } from '../../migrations/20261202_014_public_holidays.js';

/** The seeded national calendar, as every test database has it (before a test adds days of its own). */
const NATIONAL: DayRules = { overrides: Object.fromEntries(PUBLIC_HOLIDAYS.map((h) => [h.day, h.working])) };

const DAY = 86400_000;
/** The day in Vietnam `ahead` days from now, as yyyy-MM-dd. */
const vnDayAhead = (ahead: number) => vnIsoDate(new Date(Date.now() + ahead * DAY));

/** `count` distinct working days (Mon–Fri, not a public holiday) as yyyy-MM-dd, the first at least `ahead` days from
 *  today in Vietnam. */
export function workingDays(count: number, ahead = 2): string[] {
  const out: string[] = [];
  for (let day = vnDayAhead(ahead); out.length < count; day = addDays(day, 1)) if (isWorkingDay(day, NATIONAL)) out.push(day);
  return out;
}

/** A working day (Mon–Fri, not a public holiday) at least `ahead` days from today, as yyyy-MM-dd in Vietnam. */
export function workingDay(ahead: number): string {
  return workingDays(1, ahead)[0];
}

/** The first day of the week `dow` (0 = Sunday … 6 = Saturday) at least `ahead` days from today in Vietnam. */
export function nextWeekday(dow: number, ahead = 1): string {
  let day = vnDayAhead(ahead);
  while (dayOfWeek(day) !== dow) day = addDays(day, 1);
  return day;
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

/**
 * Benchmarks: the median times (ms) of `a` and `b` over `runs` runs each, after one warm-up of each. Each goes
 * first in turn, since the run after a 30 MiB one tends to pay for its garbage collection.
 */
export async function alternatingMedians(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: number; b: number }> {
  const time = async (f: () => Promise<unknown>) => { const t0 = process.hrtime.bigint(); await f(); return Number(process.hrtime.bigint() - t0) / 1e6; };
  await time(a);
  await time(b);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2) bs.push(await time(b));
    as.push(await time(a));
    if (!(i % 2)) bs.push(await time(b));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { a: median(as), b: median(bs) };
}
