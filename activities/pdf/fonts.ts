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
type GlyphLookup = { getGlyph(id: number, characters?: number[]): { codePoints: number[] } | null };
const cachingFontkit = {
  create(data: Uint8Array, postscriptName?: string) {
    let font = parsed.get(data);
    if (!font) {
      font = fontkit.create(data, postscriptName);
      // Writing a subset creates the components of composite glyphs (u inside ư, ứ …) WITHOUT their characters,
      // and fontkit caches them so. Shared by the next documents, such a glyph would keep its character out of
      // their ToUnicode maps: the text reads "Q yển số" for "Quyển số" (pdftotext, search, copy). A glyph
      // asked for with its characters gets them.
      const f = font as GlyphLookup;
      const getGlyph = f.getGlyph.bind(f);
      f.getGlyph = (id, characters = []) => {
        const g = getGlyph(id, characters);
        if (g && characters.length && !g.codePoints.length) g.codePoints = characters;
        return g;
      };
      parsed.set(data, font);
    }
    return font;
  },
} as unknown as typeof fontkit;

/** Embed a subset of DejaVu Sans into `doc` (only the glyphs actually used are written). */
export async function embedVietnameseFont(doc: PDFDocument, style: FontStyle = 'regular'): Promise<PDFFont> {
  doc.registerFontkit(cachingFontkit);
  return doc.embedFont(fontBytes(style), { subset: true });
}
