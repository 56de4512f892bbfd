// Thông tư 226/2016/TT-BTC Điều 4, table-driven from the rule's own wording.
import { describe, expect, it } from 'vitest';
import { dossierFee, feePerCopy, formatVnd } from './fee.js';

describe('fee', () => {
  const table: [pages: number, copies: number, fee: number][] = [
    [1, 1, 2_000], // 2.000 đồng/trang
    [2, 1, 4_000],
    [3, 1, 5_000], // từ trang thứ ba trở lên 1.000 đồng/trang
    [10, 1, 12_000],
    [198, 1, 200_000],
    [199, 1, 200_000], // tối đa không quá 200.000 đồng/bản
    [500, 1, 200_000],
    [3, 2, 10_000], // charged per copy
    [500, 3, 600_000],
  ];
  it.each(table)('%i pages × %i copies = %i đồng', (pages, copies, fee) => {
    expect(dossierFee(pages, copies)).toBe(fee);
  });
  it('refuses nonsense', () => {
    expect(() => feePerCopy(0)).toThrow(RangeError);
    expect(() => dossierFee(2, 0)).toThrow(RangeError);
    expect(() => dossierFee(2.5, 1)).toThrow(RangeError);
  });
  it('formats Vietnamese đồng', () => {
    expect(formatVnd(200000)).toBe('200.000 đồng');
    expect(formatVnd(2000)).toBe('2.000 đồng');
  });
});
