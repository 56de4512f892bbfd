// Validators for Vietnamese identity numbers and contacts (sandbox-safe, pure).

/** Old ID card (CMND): 9 digits. */
export function isCmnd(s: string): boolean {
  return /^\d{9}$/.test(s);
}

/** Citizen ID (CCCD): 12 digits; the first three are a province code 001–096. */
export function isCccd(s: string): boolean {
  if (!/^\d{12}$/.test(s)) return false;
  const province = Number(s.slice(0, 3));
  return province >= 1 && province <= 96;
}

/** Tax code (MST): 10 digits with a check digit, or 10-3 for a branch (dependent unit). */
export function isMst(s: string): boolean {
  const m = /^(\d{10})(?:-(\d{3}))?$/.exec(s);
  if (!m) return false;
  const d = m[1].split('').map(Number);
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  const sum = weights.reduce((acc, w, i) => acc + w * d[i], 0);
  const check = 10 - (sum % 11);
  if (check === 10) return false; // such a prefix is never issued
  if (m[2] !== undefined && m[2] === '000') return false;
  return check === d[9];
}

export function isEmail(s: string): boolean {
  return s.length <= 254 && /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(s);
}

/** Vietnamese phone numbers: 0 or +84, then 9 digits (mobile 3/5/7/8/9, landline 2x with 10 digits). */
export function isPhone(s: string): boolean {
  const n = s.replace(/[\s.]/g, '');
  return /^(0|\+84)([35789]\d{8}|2\d{9})$/.test(n);
}

export function normalizePhone(s: string): string {
  return s.replace(/[\s.]/g, '');
}

export type IdKind = 'cmnd' | 'cccd' | 'mst';

export function idKind(s: string): IdKind | null {
  if (isCmnd(s)) return 'cmnd';
  if (isCccd(s)) return 'cccd';
  if (isMst(s)) return 'mst';
  return null;
}

/** Explains, in Vietnamese, why an ID number is refused; null when it is valid for the kind. */
export function idNumberError(s: string, kind: 'citizen' | 'business'): string | null {
  if (kind === 'citizen') {
    if (isCmnd(s) || isCccd(s)) return null;
    if (/^\d{12}$/.test(s)) return 'Số CCCD có mã tỉnh không hợp lệ (ba chữ số đầu phải từ 001 đến 096).';
    return 'Số CMND phải gồm 9 chữ số, số CCCD phải gồm 12 chữ số.';
  }
  if (isMst(s)) return null;
  if (/^\d{10}(-\d{3})?$/.test(s)) return 'Mã số thuế không đúng chữ số kiểm tra.';
  return 'Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số - 3 chữ số đối với đơn vị phụ thuộc.';
}
