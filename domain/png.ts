// PNG checked by CONTENT, not by file name: signature, chunk layout, CRCs, IHDR, IEND, dimensions.
// PURE module (Uint8Array only, no Node APIs): the image data itself is decompressed in api/images/service.ts (validatePng).
import { DomainError } from './errors.js';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
export const PNG_MIN_SIDE = 50;
export const PNG_MAX_SIDE = 2000;
export const PNG_MAX_BYTES = 2 * 1024 * 1024;

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  /** [offset, length] of each IDAT chunk's data, in order. */
  idat: [number, number][];
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32 = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));

const refuse = (message: string) => new DomainError('bad_file', message, 'image');

/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const BIT_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function hasPngSignature(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_SIGNATURE.every((x, i) => b[i] === x);
}

/** What a file that is not a PNG looks like, for a message the user understands (null: unknown). */
export function sniffOtherFormat(b: Uint8Array): string | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (ascii(b, 0, 4) === 'GIF8') return 'GIF';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'WebP';
  if (ascii(b, 0, 5) === '%PDF-') return 'PDF';
  if (ascii(b, 0, 2) === 'BM') return 'BMP';
  const text = ascii(b, 0, 1024).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (text.startsWith('<') && text.includes('<svg')) return 'SVG';
  if (text.startsWith('<?xml') || text.startsWith('<!doctype') || text.startsWith('<html')) return 'XML/HTML';
  return null;
}

/** The refusal for a file whose first bytes are not a PNG signature. */
export function notPngError(head: Uint8Array): DomainError {
  const other = sniffOtherFormat(head);
  return refuse(other
    ? `Tệp đính kèm là ảnh ${other}, không phải ảnh PNG (đổi tên thành .png không đổi được định dạng). Vui lòng chọn tệp ảnh .png.`
    : 'Tệp đính kèm không phải là ảnh PNG. Vui lòng chọn tệp ảnh định dạng .png.');
}

/**
 * Walks the PNG's chunks and checks its structure. Throws DomainError('bad_file', Vietnamese message, 'image').
 * Checked: signature; IHDR first, 13 bytes, valid fields; every chunk's CRC; PLTE for palette images; IDAT present
 * and consecutive; no unknown critical chunk; IEND last with nothing after it; each side within [min, max].
 */
export function inspectPng(b: Uint8Array, limits: { min?: number; max?: number } = {}): PngInfo {
  const min = limits.min ?? PNG_MIN_SIDE;
  const max = limits.max ?? PNG_MAX_SIDE;
  if (!hasPngSignature(b)) {
    if (b.length < 8 && b.length > 0 && PNG_SIGNATURE.slice(0, b.length).every((x, i) => b[i] === x)) {
      throw refuse('Tệp PNG bị cắt cụt: thiếu dữ liệu (tệp không đầy đủ).');
    }
    throw notPngError(b);
  }
  const truncated = () => refuse('Tệp PNG bị cắt cụt hoặc không đầy đủ: thiếu phần cuối tệp (khối IEND).');
  let pos = 8;
  let info: PngInfo | null = null;
  let sawPlte = false;
  let idatDone = false;
  const idat: [number, number][] = [];
  for (let index = 0; ; index++) {
    if (pos + 8 > b.length) throw truncated();
    const len = u32(b, pos);
    const type = ascii(b, pos + 4, pos + 8);
    if (!/^[A-Za-z]{4}$/.test(type) || len > 0x7fffffff) throw refuse('Tệp PNG bị hỏng: cấu trúc các khối dữ liệu không hợp lệ.');
    const dataStart = pos + 8;
    const dataEnd = dataStart + len;
    if (dataEnd + 4 > b.length) throw truncated();
    if (crc32(b, pos + 4, dataEnd) !== u32(b, dataEnd)) {
      throw refuse(`Tệp PNG bị hỏng: mã kiểm tra (CRC) của khối ${type} không đúng.`);
    }
    if (index === 0 && type !== 'IHDR') throw refuse('Tệp PNG bị hỏng: khối đầu tiên phải là IHDR.');
    if (index > 0 && type === 'IHDR') throw refuse('Tệp PNG bị hỏng: có nhiều hơn một khối IHDR.');
    if (idat.length > 0 && type !== 'IDAT') idatDone = true;
    switch (type) {
      case 'IHDR': {
        if (len !== 13) throw refuse('Tệp PNG bị hỏng: khối IHDR có độ dài không đúng.');
        const width = u32(b, dataStart);
        const height = u32(b, dataStart + 4);
        const [bitDepth, colorType, compression, filter, interlace] = b.subarray(dataStart + 8, dataStart + 13);
        if (!BIT_DEPTHS[colorType]?.includes(bitDepth) || compression !== 0 || filter !== 0 || interlace > 1) {
          throw refuse('Tệp PNG bị hỏng: thông số ảnh trong khối IHDR không hợp lệ.');
        }
        if (width < min || height < min || width > max || height > max) {
          throw refuse(`Kích thước ảnh ${width}×${height} điểm ảnh không phù hợp: mỗi cạnh phải từ ${min} đến ${max} điểm ảnh.`);
        }
        info = { width, height, bitDepth, colorType, interlace, idat };
        break;
      }
      case 'PLTE':
        if (idat.length) throw refuse('Tệp PNG bị hỏng: khối PLTE đứng sau dữ liệu ảnh.');
        if (len === 0 || len % 3 !== 0 || len / 3 > 256) throw refuse('Tệp PNG bị hỏng: bảng màu (PLTE) không hợp lệ.');
        sawPlte = true;
        break;
      case 'IDAT':
        if (idatDone) throw refuse('Tệp PNG bị hỏng: các khối dữ liệu ảnh (IDAT) không liên tiếp.');
        idat.push([dataStart, len]);
        break;
      case 'IEND':
        if (len !== 0) throw refuse('Tệp PNG bị hỏng: khối IEND không hợp lệ.');
        if (dataEnd + 4 !== b.length) throw refuse('Tệp PNG có dữ liệu lạ phía sau điểm kết thúc ảnh (IEND); tệp không được chấp nhận.');
        if (!idat.length) throw refuse('Tệp PNG không có dữ liệu ảnh (IDAT).');
        if (info!.colorType === 3 && !sawPlte) throw refuse('Tệp PNG bị hỏng: ảnh dùng bảng màu nhưng thiếu khối PLTE.');
        return info!;
      default:
        // Upper-case first letter = critical chunk: a decoder that does not know it must not show the image.
        if (type.charCodeAt(0) < 0x61) throw refuse(`Tệp PNG dùng khối dữ liệu ${type} không được hỗ trợ.`);
    }
    pos = dataEnd + 4;
  }
}

/** Size of the decompressed image data (filter bytes included) that the IHDR promises. */
export function expectedRawSize(info: Pick<PngInfo, 'width' | 'height' | 'bitDepth' | 'colorType' | 'interlace'>): number {
  const bits = CHANNELS[info.colorType] * info.bitDepth;
  const rows = (w: number, h: number) => (w === 0 || h === 0 ? 0 : h * (1 + Math.ceil((w * bits) / 8)));
  if (info.interlace === 0) return rows(info.width, info.height);
  // Adam7: [x start, y start, x step, y step] of the 7 passes.
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  return passes.reduce((sum, [x0, y0, dx, dy]) =>
    sum + rows(Math.ceil(Math.max(0, info.width - x0) / dx), Math.ceil(Math.max(0, info.height - y0) / dy)), 0);
}
