// Vietnam time, the one place for it: the offset, calendar fields, day boundaries, parsing and formatting of dates.
// Asia/Ho_Chi_Minh has been UTC+07:00 all year (no DST) since 1975, so a fixed offset is exact for our dates.
// PURE module: no imports, no locale-dependent APIs (their data differs between hosts) — the workflow sandbox loads it.

const VN_OFFSET_HOURS = 7;
const VN_OFFSET_MS = VN_OFFSET_HOURS * 3600_000;
/** The offset as ISO 8601 writes it, for instants given as a Vietnamese day and time. */
const VN_OFFSET_ISO = `+${String(VN_OFFSET_HOURS).padStart(2, '0')}:00`;
const DAY_MS = 86400_000;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Calendar fields of the instant in Vietnam. */
export function vnParts(d: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const t = new Date(d.getTime() + VN_OFFSET_MS);
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
    second: t.getUTCSeconds(),
  };
}

/** The year of the instant in Vietnam (a register book's year, the seed's book). */
export function vnYear(d: Date): number {
  return vnParts(d).year;
}

/** 'yyyy-MM-dd' of the instant in Vietnam. */
export function vnIsoDate(d: Date): string {
  const p = vnParts(d);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** 'dd/MM/yyyy' of the instant in Vietnam (an ISO instant as text is read as one). */
export function vnDate(d: Date | string): string {
  const p = vnParts(new Date(d));
  return `${pad(p.day)}/${pad(p.month)}/${pad(p.year, 4)}`;
}

/** 'dd/MM/yyyy HH:mm:ss', as the lists show. */
export function vnDateTime(d: Date | string): string {
  const p = vnParts(new Date(d));
  return `${vnDate(d)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** 'HH:mm:ss dd/MM/yyyy', time first, as the signature stamp prints it. */
export function vnTimeDate(d: Date): string {
  const p = vnParts(d);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${vnDate(d)}`;
}

/** 'ngày dd tháng MM năm yyyy' (the wording of Vietnamese administrative documents). */
export function vnLongDate(d: Date): string {
  const p = vnParts(d);
  return `ngày ${pad(p.day)} tháng ${pad(p.month)} năm ${pad(p.year, 4)}`;
}

/** 'ddMMyy', as used in dossier codes. */
export function vnDdMmYy(d: Date): string {
  const p = vnParts(d);
  return `${pad(p.day)}${pad(p.month)}${pad(p.year % 100)}`;
}

/** A calendar day 'yyyy-MM-dd' (no instant, so no time zone to cross) as 'dd/MM/yyyy'. */
export function vnDateOfDay(isoDay: string): string {
  const [y, m, d] = isoDay.split('-');
  return `${d}/${m}/${y}`;
}

/** Parses 'dd/MM/yyyy' or 'yyyy-MM-dd' into 'yyyy-MM-dd', or null. */
export function parseVnDate(s: string): string | null {
  const t = s.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const [y, mo, d] = m ? [Number(m[3]), Number(m[2]), Number(m[1])] : (m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t)) ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!y) return null;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}

/** The instant of a time ('HH:mm') on a Vietnamese calendar day ('yyyy-MM-dd'). */
export function vnInstant(isoDay: string, time: string): Date {
  return new Date(Date.parse(`${isoDay}T${time}:00${VN_OFFSET_ISO}`));
}

/** Start of a Vietnamese calendar day as a UTC instant. */
export function vnDayStart(isoDay: string): Date {
  return vnInstant(isoDay, '00:00');
}

/** The first instant of a year in Vietnam (00:00 on 1 January there). */
export function vnYearStart(year: number): Date {
  return new Date(Date.UTC(year, 0, 1) - VN_OFFSET_MS);
}

/** The last millisecond of a Vietnamese calendar day. */
export function vnDayEnd(isoDay: string): Date {
  return new Date(vnDayStart(isoDay).getTime() + DAY_MS - 1);
}
