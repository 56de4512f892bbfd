// The whole PNG check used before an image is stored: structure (domain/png.ts) + the image data decompresses to
// exactly what IHDR promises + pdf-lib (which draws it on the attestation page) decodes it. Also who may change what.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { imageOwnerFor, validatePng } from './service.js';
import { makePng, makeSealPng, makeSignaturePng, PNG_SIGNATURE as SIG, pngChunk as chunk } from '../../activities/pdf/fixtures.js';

function png(w: number, h: number, raw: Buffer, o: { bitDepth?: number; colorType?: number; interlace?: number; extra?: Buffer[] } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([o.bitDepth ?? 8, o.colorType ?? 6, 0, 0, o.interlace ?? 0], 8);
  return Buffer.concat([SIG, chunk('IHDR', ihdr), ...(o.extra ?? []), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** An Adam7-interlaced RGBA PNG of a solid colour, built pass by pass. */
function interlacedPng(w: number, h: number, rgba: number[]): Buffer {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const parts: Buffer[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil(Math.max(0, w - x0) / dx);
    const ph = Math.ceil(Math.max(0, h - y0) / dy);
    if (!pw || !ph) continue;
    for (let y = 0; y < ph; y++) {
      const row = Buffer.alloc(1 + pw * 4);
      for (let x = 0; x < pw; x++) row.set(rgba, 1 + x * 4);
      parts.push(row);
    }
  }
  return png(w, h, Buffer.concat(parts), { interlace: 1 });
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(DomainError); return e as DomainError; }
  throw new Error('expected a refusal');
}

describe('validatePng accepts', () => {
  it('RGBA seal and signature images', async () => {
    expect(await validatePng(makeSealPng())).toMatchObject({ width: 200, height: 200 });
    expect(await validatePng(makeSignaturePng())).toMatchObject({ width: 300, height: 120 });
  });
  it('a palette PNG, a 16-bit grey PNG and an interlaced PNG', async () => {
    const palette = png(64, 64, Buffer.alloc(64 * 65), { colorType: 3, extra: [chunk('PLTE', Buffer.from([200, 0, 0, 255, 255, 255]))] });
    expect(await validatePng(palette)).toMatchObject({ colorType: 3 });
    const grey16 = png(50, 50, Buffer.alloc(50 * (1 + 100), 0x40), { bitDepth: 16, colorType: 0 });
    // every row's filter byte must be 0..4: rebuild with filter 0 per row
    const rows = Buffer.alloc(50 * 101, 0x40);
    for (let y = 0; y < 50; y++) rows[y * 101] = 0;
    expect(await validatePng(png(50, 50, rows, { bitDepth: 16, colorType: 0 }))).toMatchObject({ bitDepth: 16 });
    await expect(validatePng(grey16)).rejects.toThrow(/bộ lọc/);
    expect(await validatePng(interlacedPng(73, 61, [10, 160, 60, 255]))).toMatchObject({ interlace: 1, width: 73 });
  });
});

describe('validatePng refuses with a clear Vietnamese message', () => {
  it('image data shorter than IHDR promises (CRCs all correct)', async () => {
    const e = await refusal(validatePng(png(100, 100, Buffer.alloc(50 * 401))));
    expect(e.message).toMatch(/không đầy đủ/);
  });
  it('a compression bomb: far more data than IHDR promises', async () => {
    const e = await refusal(validatePng(png(60, 60, Buffer.alloc(64 * 1024 * 1024))));
    expect(e.message).toMatch(/nhiều hơn kích thước/);
  });
  it('IDAT that is not zlib data', async () => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(60, 0); ihdr.writeUInt32BE(60, 4); ihdr.set([8, 6, 0, 0, 0], 8);
    const bad = Buffer.concat([SIG, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from('không phải zlib')), chunk('IEND', Buffer.alloc(0))]);
    expect((await refusal(validatePng(bad))).message).toMatch(/giải nén/);
  });
  it('over 2 MB, even if it were a PNG', async () => {
    const e = await refusal(validatePng(Buffer.concat([makeSealPng(), Buffer.alloc(2 * 1024 * 1024)])));
    expect(e.code).toBe('too_large');
    expect(e.message).toMatch(/2 MB/);
  });
  it('the structural refusals too (JPEG, SVG, truncated, tiny)', async () => {
    expect((await refusal(validatePng(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0, 0, 0, 0, 0, 0])))).message).toMatch(/JPEG/);
    expect((await refusal(validatePng(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')))).message).toMatch(/SVG/);
    expect((await refusal(validatePng(makeSealPng().subarray(0, 300)))).message).toMatch(/cắt cụt|không đầy đủ/);
    expect((await refusal(validatePng(makePng(20, 200, () => [0, 0, 0, 255])))).message).toMatch(/20×200/);
  });
});

describe('who may change which image', () => {
  const staff = (username: string, roles: Actor['roles']): Actor => ({ username, fullName: username, agencyCode: '000.03.25.H51', roles });
  it('the seal: only a sealer, and always for their own agency', () => {
    expect(imageOwnerFor(staff('vanthu', ['sealer']), 'seal')).toBe('000.03.25.H51');
    for (const roles of [['signer'], ['creator'], ['admin'], ['supervisor']] as Actor['roles'][]) {
      expect(() => imageOwnerFor(staff('x', roles), 'seal')).toThrow(/Quyền đóng dấu/);
    }
  });
  it('a signature: only the signer themself', () => {
    expect(imageOwnerFor(staff('lanhdao', ['signer']), 'signature')).toBe('lanhdao');
    expect(imageOwnerFor(staff('lanhdao', ['signer']), 'signature', 'LanhDao')).toBe('lanhdao');
    expect(() => imageOwnerFor(staff('lanhdao', ['signer']), 'signature', 'lanhdao2')).toThrow(/người dùng khác/);
    expect(() => imageOwnerFor(staff('vanthu', ['sealer']), 'signature')).toThrow(/Quyền ký/);
    expect(() => imageOwnerFor(staff('vanthu', ['sealer', 'admin']), 'signature', 'lanhdao')).toThrow(DomainError);
  });
});
