// Synthetic inputs for tests and the benchmark: "scan" PDFs and small PNG images.
import { constants as zlibConstants, deflateRawSync, deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFHexString, PDFName, PDFString, StandardFonts, drawObject, popGraphicsState, pushGraphicsState, scale, translate } from 'pdf-lib-incremental-save';

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

// ---- hostile files (Hardening #1, #2, #10) -------------------------------------------------------------------
function adler32(b: Buffer, start = 1): number {
  let a = start & 0xffff, s = start >>> 16;
  for (let i = 0; i < b.length; ) {
    const end = Math.min(b.length, i + 3800); // sums stay below 2^31 between reductions
    for (; i < end; i++) { a += b[i]; s += a; }
    a %= 65521; s %= 65521;
  }
  return ((s << 16) | a) >>> 0;
}
/** zlib's adler32_combine: the checksum of A‖B from those of A and B and B's length. */
function adler32Combine(a1: number, a2: number, len2: number): number {
  const BASE = 65521;
  const rem = len2 % BASE;
  let sum1 = a1 & 0xffff;
  let sum2 = (rem * sum1) % BASE;
  sum1 += (a2 & 0xffff) + BASE - 1;
  sum2 += (a1 >>> 16) + (a2 >>> 16) + BASE - rem;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum2 >= 2 * BASE) sum2 -= 2 * BASE;
  if (sum2 >= BASE) sum2 -= BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

/**
 * A zlib stream of `prefix` then `mib` MiB of spaces, made without ever holding the spaces: one sync-flushed
 * deflate block of 1 MiB refers only to itself, so it can be repeated (about 1 KB per MiB).
 */
export function deflateBomb(prefix: Buffer, mib: number): Buffer {
  const raw = (b: Buffer) => deflateRawSync(b, { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const mibOfSpaces = Buffer.alloc(1024 * 1024, 0x20);
  const block = raw(mibOfSpaces);
  const blockSum = adler32(mibOfSpaces);
  let sum = adler32(prefix);
  for (let i = 0; i < mib; i++) sum = adler32Combine(sum, blockSum, mibOfSpaces.length);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(sum);
  const blocks: Buffer[] = [Buffer.from([0x78, 0xda]), raw(prefix)];
  for (let i = 0; i < mib; i++) blocks.push(block);
  blocks.push(Buffer.from([0x03, 0x00]), trailer); // an empty final block, then the checksum
  return Buffer.concat(blocks);
}

/** A classic PDF (catalog, one page, xref table) from object bodies numbered 1..n; object 1 is the catalog. */
function classicPdf(bodies: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = parts[0].length;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n')]);
    offsets.push(at);
    at += b.length;
    parts.push(b);
  });
  const xref = [`xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/**
 * A one-page PDF carrying an object stream that inflates to `inflatedMiB` MiB (the file: 1.46 MB that
 * inflates to 1.5 GB, i.e. inflatedMiB = 1536).
 */
export function makeInflateBombPdf(inflatedMiB: number): Buffer {
  const prefix = Buffer.from('5 0 << /Producer (bomb) >> ');
  const data = deflateBomb(prefix, inflatedMiB);
  const objStm = Buffer.concat([
    Buffer.from(`<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream'),
  ]);
  return classicPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    objStm,
  ]);
}

export type ActiveContent = 'openActionJavaScript' | 'documentJavaScript' | 'launch' | 'embeddedExe' | 'fileAttachment' | 'additionalActions' | 'xfa' | 'richMedia';

/**
 * A small scan carrying one kind of active content, built with pdf-lib. `objectStreams: true` saves it with
 * compressed object streams, where a byte search cannot see the keys.
 */
export async function makeActiveContentPdf(kind: ActiveContent, o: { objectStreams?: boolean } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Ban chinh', { x: 60, y: 780, size: 20, font });
  const ctx = doc.context;
  const js = (code: string) => ctx.obj({ S: 'JavaScript', JS: PDFHexString.fromText(code) });
  const exe = () => {
    const file = ctx.register(ctx.flateStream(Buffer.from('MZ\x90\x00 not really a program', 'latin1'), { Type: 'EmbeddedFile' }));
    return ctx.register(ctx.obj({ Type: 'Filespec', F: PDFString.of('payload.exe'), UF: PDFHexString.fromText('payload.exe'), EF: { F: file } }));
  };
  const annot = (dict: Record<string, unknown>) => {
    const ref = ctx.register(ctx.obj({ Type: 'Annot', Rect: [60, 60, 200, 100], ...dict } as never));
    page.node.set(PDFName.of('Annots'), ctx.obj([ref]));
  };
  switch (kind) {
    case 'openActionJavaScript':
      doc.catalog.set(PDFName.of('OpenAction'), js('app.alert("x")'));
      break;
    case 'documentJavaScript':
      doc.catalog.set(PDFName.of('Names'), ctx.obj({ JavaScript: { Names: [PDFHexString.fromText('a'), ctx.register(js('app.alert(1)'))] } }));
      break;
    case 'launch':
      annot({ Subtype: 'Link', A: { S: 'Launch', F: PDFString.of('cmd.exe'), Win: { F: PDFString.of('cmd.exe'), P: PDFString.of('/c calc') } } });
      break;
    case 'embeddedExe':
      doc.catalog.set(PDFName.of('Names'), ctx.obj({ EmbeddedFiles: { Names: [PDFHexString.fromText('payload.exe'), exe()] } }));
      break;
    case 'fileAttachment':
      annot({ Subtype: 'FileAttachment', FS: exe() });
      break;
    case 'additionalActions':
      page.node.set(PDFName.of('AA'), ctx.obj({ O: { S: 'URI', URI: PDFString.of('https://evil.example/') } }));
      break;
    case 'xfa':
      doc.catalog.set(PDFName.of('AcroForm'), ctx.obj({ Fields: [], XFA: ctx.register(ctx.flateStream(Buffer.from('<xdp:xdp/>'))) }));
      break;
    case 'richMedia':
      annot({ Subtype: 'RichMedia', RichMediaContent: { Assets: { Names: [] } } });
      break;
  }
  return Buffer.from(await doc.save({ useObjectStreams: !!o.objectStreams }));
}

/** Harmless links and views a scanner or editor may write: a GoTo OpenAction, a /Fit destination, a URI link. */
export async function makePlainLinksPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  const ctx = doc.context;
  doc.catalog.set(PDFName.of('OpenAction'), ctx.obj({ S: 'GoTo', D: [page.ref, 'Fit'] }));
  const link = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [60, 60, 200, 100], A: { S: 'URI', URI: PDFString.of('https://example.vn/') } }));
  page.node.set(PDFName.of('Annots'), ctx.obj([link]));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/**
 * The verification file: a signature dictionary and `refs` references to it (`/V 4 0 R`, 30,000 times
 * in 270 KB), each of which once cost a backward scan of the file.
 */
export function makeSignatureRefFloodPdf(refs = 30_000): Buffer {
  const refsText = ` /V 4 0 R`.repeat(refs);
  return classicPdf([
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <${'0'.repeat(64)}> >>`,
    `<< /FT /Sig /T (ChuKy) /V 4 0 R /Kids [${refsText} ] >>`,
  ]);
}
