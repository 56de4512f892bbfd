// Synthetic inputs for tests and the benchmark: "scan" PDFs and small PNG images.
import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFName, StandardFonts, drawObject, popGraphicsState, pushGraphicsState, scale, translate } from 'pdf-lib-incremental-save';

/**
 * A multi-page scan-like PDF. `imageBytesPerPage` adds an uncompressed random-noise RGB image to every
 * page (noise does not compress, so the file really is that big). `objectStreams: true` produces a
 * PDF 1.5 file with xref/object streams, as many scanners do.
 */
export async function makeScanPdf(o: { pages: number; imageBytesPerPage?: number; objectStreams?: boolean }): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= o.pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Ban chinh - trang ${i}/${o.pages}`, { x: 60, y: 780, size: 20, font });
    if (o.imageBytesPerPage) {
      const side = Math.max(1, Math.floor(Math.sqrt(o.imageBytesPerPage / 3)));
      const img = doc.context.register(
        doc.context.stream(randomBytes(side * side * 3), {
          Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceRGB', BitsPerComponent: 8,
        }),
      );
      const name = page.node.newXObject('Scan', img);
      page.pushOperators(pushGraphicsState(), translate(60, 60), scale(475, 475), drawObject(name as PDFName), popGraphicsState());
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: !!o.objectStreams }));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk: length, type, data and the CRC-32 of type + data (computed here, apart from domain/png.ts). */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** An RGBA PNG drawn by `pixel(x, y) -> [r, g, b, a]`. */
export function makePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A blue scribble on transparent background, standing in for a handwritten signature. */
export function makeSignaturePng(): Buffer {
  return makePng(300, 120, (x, y) => {
    const curve = 60 + 35 * Math.sin(x / 22) * Math.cos(x / 57);
    return Math.abs(y - curve) < 3 ? [20, 40, 160, 255] : [0, 0, 0, 0];
  });
}

/** A red ring on transparent background, standing in for an uploaded seal image. */
export function makeSealPng(): Buffer {
  return makePng(200, 200, (x, y) => {
    const d = Math.hypot(x - 100, y - 100);
    return (d > 88 && d < 97) || (d > 60 && d < 64) ? [210, 20, 20, 255] : [0, 0, 0, 0];
  });
}
