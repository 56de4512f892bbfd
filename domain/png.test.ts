// PNG structure checks (pure): real PNGs made here, and the usual impostors and damage.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makePng, makeSealPng, makeSignaturePng, PNG_SIGNATURE as SIG, pngChunk as chunk } from '../activities/pdf/fixtures.js';
import { DomainError } from './errors.js';
import { crc32, expectedRawSize, inspectPng, sniffOtherFormat } from './png.js';

function ihdr(w: number, h: number, bitDepth = 8, colorType = 6, interlace = 0): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(w, 0);
  b.writeUInt32BE(h, 4);
  b.set([bitDepth, colorType, 0, 0, interlace], 8);
  return chunk('IHDR', b);
}
const IEND = chunk('IEND', Buffer.alloc(0));
const red = (): [number, number, number, number] => [200, 10, 10, 255];

function refusal(f: () => unknown): DomainError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(DomainError); return e as DomainError; }
  throw new Error('expected a refusal');
}

describe('inspectPng accepts real PNGs', () => {
  it('reads width, height and the image data chunks of an RGBA PNG', () => {
    const info = inspectPng(makeSealPng());
    expect(info).toMatchObject({ width: 200, height: 200, bitDepth: 8, colorType: 6, interlace: 0 });
    expect(info.idat.length).toBe(1);
    expect(inspectPng(makeSignaturePng())).toMatchObject({ width: 300, height: 120 });
  });

  it('accepts the bounds 50 and 2000 px, a palette PNG with PLTE, and ancillary chunks it does not know', () => {
    expect(inspectPng(makePng(50, 2000, red))).toMatchObject({ width: 50, height: 2000 });
    const raw = Buffer.alloc(60 * 61); // 60 rows of filter byte + 60 palette indices
    const palette = Buffer.concat([ihdr(60, 60, 8, 3), chunk('PLTE', Buffer.from([255, 0, 0, 0, 0, 255])), chunk('tEXt', Buffer.from('Comment\0chu ky')),
      chunk('IDAT', deflateSync(raw)), IEND]);
    expect(inspectPng(Buffer.concat([SIG, palette]))).toMatchObject({ colorType: 3, width: 60 });
  });
});

describe('inspectPng refuses, in Vietnamese, with bad_file on the image field', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    ['a JPEG renamed .png', () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(200)]), /JPEG/],
    ['an SVG renamed .png', () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle r="40"/></svg>'), /SVG/],
    ['an SVG without an XML prolog', () => Buffer.from('  <svg width="200" height="200"></svg>'), /SVG/],
    ['a GIF', () => Buffer.from('GIF89a\x01\x00\x01\x00'), /GIF/],
    ['a PDF', () => Buffer.from('%PDF-1.7\n...'), /PDF/],
    ['random bytes', () => Buffer.from('xin chào, đây không phải ảnh'), /không phải là ảnh PNG/],
    ['only the first bytes of the signature', () => SIG.subarray(0, 5), /cắt cụt/],
    ['a PNG truncated in the middle', () => { const p = makeSealPng(); return p.subarray(0, Math.floor(p.length / 2)); }, /cắt cụt|không đầy đủ/],
    ['a PNG cut just before IEND', () => { const p = makeSealPng(); return p.subarray(0, p.length - 12); }, /cắt cụt|IEND/],
    ['a wrong CRC in IHDR', () => { const p = Buffer.from(makeSealPng()); p[8 + 8 + 12] ^= 0x01; return p; }, /CRC.*IHDR/],
    ['a wrong CRC in IDAT', () => { const p = Buffer.from(makeSealPng()); p[8 + 25 + 8 + 3] ^= 0xff; return p; }, /CRC.*IDAT/],
    ['a first chunk other than IHDR', () => Buffer.concat([SIG, chunk('tEXt', Buffer.from('a\0b')), ihdr(60, 60), chunk('IDAT', deflateSync(Buffer.alloc(60 * 241))), IEND]), /IHDR/],
    ['a 10×10 image', () => makePng(10, 10, red), /10×10.*từ 50 đến 2000/],
    ['a 3000×60 image', () => makePng(3000, 60, red), /3000×60/],
    ['a huge size announced in IHDR (100000×100000)', () => Buffer.concat([SIG, ihdr(100000, 100000), chunk('IDAT', deflateSync(Buffer.alloc(10))), IEND]), /100000×100000/],
    ['a zero width', () => Buffer.concat([SIG, ihdr(0, 60), IEND]), /0×60/],
    ['an invalid bit depth for RGBA', () => Buffer.concat([SIG, ihdr(60, 60, 4, 6), IEND]), /IHDR/],
    ['no IDAT', () => Buffer.concat([SIG, ihdr(60, 60), IEND]), /IDAT/],
    ['IDAT chunks that are not consecutive', () => Buffer.concat([SIG, ihdr(60, 60), chunk('IDAT', Buffer.from([0x78])), chunk('tEXt', Buffer.from('a\0b')), chunk('IDAT', Buffer.from([0x01])), IEND]), /liên tiếp/],
    ['a palette image without PLTE', () => Buffer.concat([SIG, ihdr(60, 60, 8, 3), chunk('IDAT', deflateSync(Buffer.alloc(60 * 61))), IEND]), /PLTE/],
    ['an unknown critical chunk', () => Buffer.concat([SIG, ihdr(60, 60), chunk('ABCD', Buffer.alloc(4)), chunk('IDAT', deflateSync(Buffer.alloc(60 * 241))), IEND]), /ABCD/],
    ['data after IEND (a polyglot)', () => Buffer.concat([makeSealPng(), Buffer.from('<html><script>alert(1)</script></html>')]), /sau điểm kết thúc/],
    ['an empty file', () => Buffer.alloc(0), /không phải là ảnh PNG/],
  ];
  for (const [name, make, says] of cases) {
    it(`refuses ${name}`, () => {
      const e = refusal(() => inspectPng(make()));
      expect(e.code).toBe('bad_file');
      expect(e.field).toBe('image');
      expect(e.message).toMatch(says);
      expect(e.message).toMatch(/[ảạăâđêôơư]/);
    });
  }
});

describe('helpers', () => {
  it('names the format a file really has', () => {
    expect(sniffOtherFormat(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe('JPEG');
    expect(sniffOtherFormat(Buffer.from('\uFEFF<svg></svg>'))).toBe('SVG');
    expect(sniffOtherFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('WebP');
    expect(sniffOtherFormat(Buffer.from('hello'))).toBeNull();
  });

  it('computes the raw data size for plain and Adam7-interlaced images', () => {
    expect(expectedRawSize({ width: 200, height: 200, bitDepth: 8, colorType: 6, interlace: 0 })).toBe(200 * (1 + 800));
    expect(expectedRawSize({ width: 60, height: 60, bitDepth: 1, colorType: 0, interlace: 0 })).toBe(60 * (1 + 8));
    expect(expectedRawSize({ width: 50, height: 50, bitDepth: 16, colorType: 2, interlace: 0 })).toBe(50 * (1 + 300));
    // 8×8 RGBA, interlaced: passes are 1×1, 1×1, 2×1, 2×2, 4×2, 4×4, 8×4 pixels.
    const rows = (w: number, h: number) => h * (1 + 4 * w);
    expect(expectedRawSize({ width: 8, height: 8, bitDepth: 8, colorType: 6, interlace: 1 }))
      .toBe(rows(1, 1) + rows(1, 1) + rows(2, 1) + rows(2, 2) + rows(4, 2) + rows(4, 4) + rows(8, 4));
  });

  it('crc32 matches the PNG reference value of IEND', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });
});
