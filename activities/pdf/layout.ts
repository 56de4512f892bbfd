// Layout of the attestation page and drawing helpers for the signature appearances (form XObjects).
// The seal step reads LEADER_RECT / SEAL_RECT from here, so both steps agree on where things go.
import {
  PDFDocument,
  PDFFont,
  PDFImage,
  PDFName,
  PDFOperator,
  PDFRef,
  closePath,
  degrees,
  drawEllipse,
  drawImage,
  drawRectangle,
  drawText,
  fill,
  lineTo,
  moveTo,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setFillingColor,
  type Color,
} from 'pdf-lib-incremental-save';
import { ATTESTATION_PAGE, DEFAULT_PLACEMENT, SIGNATURE_BOX, type SignaturePlacement } from '../../domain/placement.js';

export type Rect = [x1: number, y1: number, x2: number, y2: number];

/** A4 portrait, in points. */
export const A4: [number, number] = [ATTESTATION_PAGE.width, ATTESTATION_PAGE.height];
export const MARGIN = 60;
/** The leader's signature widget with its lower-left corner at `p` (domain/placement.ts checks the bounds). */
export const leaderRectAt = (p: SignaturePlacement): Rect => [p.x, p.y, p.x + SIGNATURE_BOX.width, p.y + SIGNATURE_BOX.height];
/** Leader's signature widget where it goes by default (right column, under the title). */
export const LEADER_RECT: Rect = leaderRectAt(DEFAULT_PLACEMENT);
/** Agency seal widget (left column). The number, the book and the seal date appear in it. */
export const SEAL_RECT: Rect = [MARGIN, 300, 290, 478];

export const BLACK = rgb(0, 0, 0);
export const SIGN_BLUE = rgb(0.05, 0.2, 0.6);
export const SEAL_RED = rgb(0.82, 0.05, 0.05);

/** How close to the line's end a line built from word widths is measured whole: the sum of the parts leaves out any
 *  kerning across the spaces, a small fraction of a point each. */
const MEASURED_WHOLE_WITHIN = 3;

/** Greedy word wrap by measured width. Each word is measured once and a line's width kept as it grows (measuring
 *  every candidate line whole grows with the square of a paragraph's words); a line near the edge is measured whole,
 *  so the breaks are those of measuring every candidate. */
export function wrapText(font: PDFFont, text: string, size: number, maxWidth: number): string[] {
  const widths = new Map<string, number>();
  const width = (s: string) => {
    let w = widths.get(s);
    if (w === undefined) widths.set(s, (w = font.widthOfTextAtSize(s, size)));
    return w;
  };
  const space = width(' ');
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!line) {
      line = word;
      lineWidth = width(word);
      continue;
    }
    const candidate = `${line} ${word}`;
    let w = lineWidth + space + width(word);
    if (w > maxWidth - MEASURED_WHOLE_WITHIN) w = font.widthOfTextAtSize(candidate, size);
    if (w > maxWidth) {
      lines.push(line);
      line = word;
      lineWidth = width(word);
    } else {
      line = candidate;
      lineWidth = w;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Collects operators and resources of one appearance stream. */
export class Appearance {
  readonly ops: PDFOperator[] = [];
  private fonts = new Map<PDFFont, string>();
  private images = new Map<PDFImage, string>();

  constructor(readonly width: number, readonly height: number) {}

  private fontName(font: PDFFont): string {
    let n = this.fonts.get(font);
    if (!n) this.fonts.set(font, (n = `F${this.fonts.size + 1}`));
    return n;
  }

  text(s: string, font: PDFFont, size: number, x: number, y: number, o: { color?: Color; rotate?: number; align?: 'left' | 'center' } = {}): this {
    const w = font.widthOfTextAtSize(s, size);
    const left = o.align === 'center' ? x - w / 2 : x;
    this.ops.push(
      ...drawText(font.encodeText(s), {
        font: this.fontName(font),
        size,
        x: left,
        y,
        color: o.color ?? BLACK,
        rotate: degrees(o.rotate ?? 0),
        xSkew: degrees(0),
        ySkew: degrees(0),
      }),
    );
    return this;
  }

  /** Draws `img` scaled to fit the box, centred. */
  image(img: PDFImage, x: number, y: number, w: number, h: number): this {
    let n = this.images.get(img);
    if (!n) this.images.set(img, (n = `Im${this.images.size + 1}`));
    const s = Math.min(w / img.width, h / img.height);
    const dw = img.width * s;
    const dh = img.height * s;
    this.ops.push(
      ...drawImage(n, { x: x + (w - dw) / 2, y: y + (h - dh) / 2, width: dw, height: dh, rotate: degrees(0), xSkew: degrees(0), ySkew: degrees(0) }),
    );
    return this;
  }

  rect(x: number, y: number, w: number, h: number, color: Color, borderWidth = 0.8): this {
    this.ops.push(
      ...drawRectangle({ x, y, width: w, height: h, borderWidth, borderColor: color, color: undefined, rotate: degrees(0), xSkew: degrees(0), ySkew: degrees(0) }),
    );
    return this;
  }

  /** A round red seal: two rings, `text` along the upper arc, a star in the middle. */
  seal(cx: number, cy: number, r: number, text: string, font: PDFFont, color: Color = SEAL_RED): this {
    this.ops.push(...drawEllipse({ x: cx, y: cy, xScale: r, yScale: r, color: undefined, borderColor: color, borderWidth: 2 }));
    const inner = r * 0.72;
    this.ops.push(...drawEllipse({ x: cx, y: cy, xScale: inner, yScale: inner, color: undefined, borderColor: color, borderWidth: 0.8 }));
    // Text runs clockwise, centred at the top, on a baseline between the rings.
    const rb = inner + (r - inner) * 0.22;
    const arc = 2 * Math.PI * rb * (300 / 360);
    const size = Math.min(8, (arc / font.widthOfTextAtSize(text, 1)) * 0.98, (r - inner) * 0.75);
    const total = font.widthOfTextAtSize(text, size) / rb; // radians
    let a = Math.PI / 2 + total / 2;
    for (const ch of text) {
      const w = font.widthOfTextAtSize(ch, size);
      this.text(ch, font, size, cx + rb * Math.cos(a), cy + rb * Math.sin(a), { color, rotate: ((a - Math.PI / 2) * 180) / Math.PI });
      a -= w / rb;
    }
    // Five-pointed star.
    const R = inner * 0.45;
    this.ops.push(pushGraphicsState(), setFillingColor(color));
    for (let i = 0; i < 10; i++) {
      const rr = i % 2 === 0 ? R : R * 0.382;
      const t = Math.PI / 2 + (i * Math.PI) / 5;
      const [px, py] = [cx + rr * Math.cos(t), cy + rr * Math.sin(t)];
      this.ops.push(i === 0 ? moveTo(px, py) : lineTo(px, py));
    }
    this.ops.push(closePath(), fill(), popGraphicsState());
    return this;
  }

  /** Registers the form XObject (BBox = [0 0 width height]) and returns its reference. */
  register(doc: PDFDocument): PDFRef {
    const Font: Record<string, PDFRef> = {};
    for (const [f, n] of this.fonts) Font[n] = f.ref;
    const XObject: Record<string, PDFRef> = {};
    for (const [img, n] of this.images) XObject[n] = img.ref;
    const stream = doc.context.formXObject(this.ops, {
      BBox: [0, 0, this.width, this.height],
      Resources: { Font, XObject, ProcSet: [PDFName.of('PDF'), PDFName.of('Text'), PDFName.of('ImageC')] },
    });
    return doc.context.register(stream);
  }
}
