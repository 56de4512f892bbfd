import { PDFDocument, type PDFFont } from 'pdf-lib-incremental-save';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ATTESTATION_SENTENCE } from '../../domain/attestation.js';
import { embedVietnameseFont } from './fonts.js';
import { wrapText } from './layout.js';

/** The breaks as found by measuring every candidate line whole (what wrapText did before). */
function wrapMeasuringEachLine(font: PDFFont, text: string, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(candidate, size) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}

describe('wrapping text by measured width', () => {
  let fonts: PDFFont[];
  beforeAll(async () => {
    const doc = await PDFDocument.create();
    fonts = [await embedVietnameseFont(doc, 'regular'), await embedVietnameseFont(doc, 'bold')];
  });
  const texts = [
    `${ATTESTATION_SENTENCE} Giấy khai sinh của Nguyễn Thị Thu, số G22.29-250620-010009, do Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng cấp.`,
    'Quyển số: 01/2025-SCT/BS Phòng Tư pháp huyện Châu Thành, tỉnh Sóc Trăng (sổ chứng thực bản sao từ bản chính)',
    'AVAWAYAT To Ty Yo LTA fi fl ffi Ỷ Ỳ Ỹ ĐẠI HỌC QUỐC GIA THÀNH PHỐ HỒ CHÍ MINH', // kerning pairs across the spaces
    'một-từ-rất-dài-không-có-khoảng-trắng-nào-vượt-quá-độ-rộng-của-dòng-chữ ngắn',
  ];

  it('breaks where measuring every candidate line whole breaks, at every width', () => {
    for (const font of fonts) for (const text of texts) for (const size of [8, 12, 17]) {
      for (let maxWidth = 40; maxWidth <= 480; maxWidth += 11) {
        expect(wrapText(font, text, size, maxWidth)).toEqual(wrapMeasuringEachLine(font, text, size, maxWidth));
      }
    }
  });

  it('measures each word about once, not each candidate line', () => {
    const font = fonts[0];
    const long = Array.from({ length: 40 }, () => texts[0]).join(' '); // some 1,400 words
    const measure = vi.spyOn(font, 'widthOfTextAtSize');
    const lines = wrapText(font, long, 12, 475);
    const words = long.split(/\s+/).length;
    expect(lines.length).toBeGreaterThan(40);
    expect(measure.mock.calls.length).toBeLessThan(words / 2 + 2 * lines.length); // distinct words, and the line ends
    measure.mockRestore();
  });
});
