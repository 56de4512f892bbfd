// Fonts with Vietnamese glyphs. DejaVu comes from the npm package `dejavu-fonts-ttf` so the runtime does
// not depend on apt; Debian's fonts-dejavu-core is the fallback. DejaVu embeds correctly with subsetting
// (checked with pdftoppm/pdftotext), unlike some Noto builds.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib-incremental-save';

export type FontStyle = 'regular' | 'bold';

const FILES: Record<FontStyle, string> = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' };
const cache = new Map<FontStyle, Buffer>();

function locate(file: string): string {
  try {
    return createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`);
  } catch {
    const sys = `/usr/share/fonts/truetype/dejavu/${file}`;
    if (existsSync(sys)) return sys;
    throw new Error(`Font ${file} not found: install the npm package dejavu-fonts-ttf (or Debian fonts-dejavu-core)`);
  }
}

/** Raw TTF bytes (read once per process). */
export function fontBytes(style: FontStyle = 'regular'): Buffer {
  let b = cache.get(style);
  if (!b) {
    b = readFileSync(locate(FILES[style]));
    cache.set(style, b);
  }
  return b;
}

/** fontkit parses the TTF and, lazily, its big layout tables (GSUB/GPOS/cmap) per font object: that was
 *  ~50 ms per signing step. The parsed font is read-only (each document gets its own subset), so one
 *  instance per TTF is shared by all documents of the process. */
const parsed = new Map<Uint8Array, unknown>();
const cachingFontkit = {
  create(data: Uint8Array, postscriptName?: string) {
    let font = parsed.get(data);
    if (!font) parsed.set(data, (font = fontkit.create(data, postscriptName)));
    return font;
  },
} as unknown as typeof fontkit;

/** Embed a subset of DejaVu Sans into `doc` (only the glyphs actually used are written). */
export async function embedVietnameseFont(doc: PDFDocument, style: FontStyle = 'regular'): Promise<PDFFont> {
  doc.registerFontkit(cachingFontkit);
  return doc.embedFont(fontBytes(style), { subset: true });
}
