// The register's pure rules, shared by the worker's numbering and the book screens: the electronic book's suffix,
// certification numbers, book names and years, and the refusal of a closed year.
import { vnDate } from './vn-time.js';
import { DomainError } from './errors.js';

export const BOOK_SUFFIX = '/ĐT';

export const formatCertificationNumber = (n: number) => `${n}${BOOK_SUFFIX}`;

export const REGISTER_BOOK_NOT_FOUND = 'Không tìm thấy sổ chứng thực của đơn vị.';

/** Normalises a book name so that it ends with the electronic-book suffix '/ĐT'. */
export function bookName(raw: string): string {
  const n = raw.trim().normalize('NFC').replace(/\s*\/\s*(ĐT|đt|DT|dt)$/u, '');
  return `${n}${BOOK_SUFFIX}`;
}

/** The year a book numbers: the year of its open date (its close date is in the same year). */
export const bookYear = (b: { open_date: string }) => Number(b.open_date.slice(0, 4));

/** A year closed at year end (khóa sổ) takes no new book and no number. */
export function refuseClosedYear(year: number, y: { closed_at: Date | null }) {
  if (y.closed_at) throw new DomainError('conflict', `Năm ${year} đã khóa sổ ngày ${vnDate(y.closed_at)}: không thêm sổ, không cấp số chứng thực của năm ${year} nữa.`);
}
