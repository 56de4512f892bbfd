import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  attestationBlocks,
  attestationLines,
} from './attestation.js';
import { vnDate as formatDateVn, vnLongDate as formatLongDateVn, vnTimeDate as formatDateTimeVn } from './vn-time.js';

describe('Vietnam-time date formatting', () => {
  it('shifts UTC to +07:00 across the day boundary', () => {
    // 2025-06-20T17:30:05Z is 00:30:05 on 21/06/2025 in Hà Nội.
    const d = new Date('2025-06-20T17:30:05Z');
    expect(formatDateVn(d)).toBe('21/06/2025');
    expect(formatDateTimeVn(d)).toBe('00:30:05 21/06/2025');
    expect(formatLongDateVn(d)).toBe('ngày 21 tháng 06 năm 2025');
  });

  it('crosses the year boundary', () => {
    expect(formatDateTimeVn(new Date('2024-12-31T16:59:59Z'))).toBe('23:59:59 31/12/2024');
    expect(formatDateTimeVn(new Date('2024-12-31T17:00:00Z'))).toBe('00:00:00 01/01/2025');
  });
});

describe('attestationLines', () => {
  const base = {
    agencyName: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng',
    documentTypeName: 'Giấy khai sinh',
    dossierCode: 'G22.29-250620-010009',
    date: new Date('2025-06-20T03:00:00Z'),
    signerName: 'Trần Văn Ánh',
    signerTitle: 'PHÓ TRƯỞNG PHÒNG',
  };

  it('has no line for the number and the book before sealing (no dotted blank; the seal block prints them)', () => {
    const lines = attestationLines(base);
    expect(lines).toEqual([
      'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng',
      'LỜI CHỨNG',
      'Chứng thực bản sao đúng với bản chính.',
      'Loại giấy tờ: Giấy khai sinh',
      'Mã chứng thực: G22.29-250620-010009',
      'Ngày 20 tháng 06 năm 2025',
      'PHÓ TRƯỞNG PHÒNG',
      'Trần Văn Ánh',
    ]);
  });

  it('fills number, book and copies when given', () => {
    const lines = attestationLines({ ...base, copies: 2, certificationNumber: '12/ĐT', registerBookName: '01/2025-SCT/BS' });
    expect(lines).toContain('Số bản sao: 2');
    expect(lines).toContain('Số chứng thực: 12/ĐT    Quyển số: 01/2025-SCT/BS');
    expect(attestationBlocks(base).dateLine).toBe('Ngày 20 tháng 06 năm 2025');
    for (const line of attestationLines({ ...base, copies: 2 })) expect(line).not.toMatch(/\.{3,}|…/);
  });

  it('is pure: imports only the Vietnam-time module, which imports nothing (safe in the workflow sandbox)', () => {
    const read = (file: string) => readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8');
    const src = read('./attestation.ts');
    const vnTime = read('./vn-time.ts');
    expect(src.match(/^\s*import\s/gm)).toHaveLength(1);
    expect([...src.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1])).toEqual(['./vn-time.js']);
    expect(vnTime).not.toMatch(/^\s*import\s/m);
    for (const s of [src, vnTime]) expect(s).not.toMatch(/\bIntl\b|toLocale/);
  });
});
