// Thông tư 226/2016/TT-BTC Điều 4: "2.000 đồng/trang. Từ trang thứ ba trở lên thu 1.000 đồng/trang,
// nhưng mức thu tối đa không quá 200.000 đồng/bản". Pages counted on the original; charged per copy.

export const FEE_FIRST_PAGES = 2000;
export const FEE_LATER_PAGES = 1000;
export const FEE_MAX_PER_COPY = 200_000;

export function feePerCopy(pages: number): number {
  if (!Number.isInteger(pages) || pages < 1) throw new RangeError('pages must be a positive integer');
  const raw = FEE_FIRST_PAGES * Math.min(pages, 2) + FEE_LATER_PAGES * Math.max(0, pages - 2);
  return Math.min(raw, FEE_MAX_PER_COPY);
}

export function dossierFee(pages: number, copies: number): number {
  if (!Number.isInteger(copies) || copies < 1) throw new RangeError('copies must be a positive integer');
  return feePerCopy(pages) * copies;
}

export function formatVnd(amount: number): string {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' đồng';
}
