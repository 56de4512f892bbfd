// Dates as Vietnamese offices see them: Asia/Ho_Chi_Minh is UTC+7 all year (no DST), so a fixed offset is exact.
const VN_OFFSET_MS = 7 * 3600 * 1000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function vnParts(d: Date) {
  const t = new Date(d.getTime() + VN_OFFSET_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), hh: t.getUTCHours(), mi: t.getUTCMinutes(), ss: t.getUTCSeconds() };
}

/** 'yyyy-MM-dd' of the instant in Vietnam. */
export function vnIsoDate(d: Date): string {
  const p = vnParts(d);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** 'dd/MM/yyyy'. */
export function vnDate(d: Date | string): string {
  const p = vnParts(new Date(d));
  return `${pad(p.d)}/${pad(p.m)}/${p.y}`;
}

/** 'dd/MM/yyyy HH:mm:ss', as the seed's lists show. */
export function vnDateTime(d: Date | string): string {
  const p = vnParts(new Date(d));
  return `${pad(p.d)}/${pad(p.m)}/${p.y} ${pad(p.hh)}:${pad(p.mi)}:${pad(p.ss)}`;
}

/** 'ddMMyy', as used in dossier codes. */
export function vnDdMmYy(d: Date): string {
  const p = vnParts(d);
  return `${pad(p.d)}${pad(p.m)}${pad(p.y % 100)}`;
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

/** The last millisecond of a Vietnamese calendar day. */
export function vnDayEnd(isoDate: string): Date {
  return new Date(vnDayStart(isoDate).getTime() + 86400_000 - 1);
}

/** Start of a Vietnamese calendar day as a UTC instant. */
export function vnDayStart(isoDate: string): Date {
  return new Date(Date.parse(`${isoDate}T00:00:00+07:00`));
}
