// The leader's signature: append the attestation page, put a visible signature field on it, sign.
// Fast path: when the scan has a classic xref table, the page is added as an INCREMENTAL update on the
// original bytes (the 30 MB scan is parsed once and never re-serialised). Scans with xref/object streams
// are re-saved once without object streams (pdf-lib-incremental-save cannot append to those, and the seal
// step needs a classic file).
import { PDFDocument, rgb, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib-incremental-save';
import { ATTESTATION_SENTENCE, attestationBlocks, type AttestationBlocks, type AttestationInput } from '../../domain/attestation.js';
import { renderAttestation, type AttestationTemplate } from '../../domain/templates.js';
import { vnTimeDate } from '../../domain/vn-time.js';
import { embedVietnameseFont } from './fonts.js';
import { DEFAULT_PLACEMENT, type SignaturePlacement } from '../../domain/placement.js';
import { A4, Appearance, BLACK, leaderRectAt, MARGIN, SEAL_RECT, SIGN_BLUE, wrapText } from './layout.js';
import { addSignatureDict, addSignatureField, certifyWith, hasSignatures, markPageAncestors, TIMESTAMPED_CONTENTS_BYTES } from './placeholder.js';
import { SEAL_FIELD_NAME } from './seal.js';
import { identityOf, signPlaceholderInPlace, type SignerKey } from './signer.js';
import type { Timestamper } from './tsa.js';
import { appendUpdate } from './append.js';

export const LEADER_FIELD_NAME = 'ChuKyLanhDao';

export interface SignOptions {
  attestation: AttestationInput;
  signerName: string;
  signerTitle: string;
  signatureImagePng?: Buffer;
  /** PKCS#12 material, or an identity that signs elsewhere (the seal in a PKCS#11 token). */
  key: SignerKey;
  reason?: string;
  location?: string;
  signingTime?: Date;
  /** A TSA to timestamp the signature (PAdES B-T); without one the signature is B-B. */
  timestamper?: Timestamper | null;
  /** Where the signature box goes on the attestation page (its name line moves with it); default: the right column. */
  placement?: SignaturePlacement;
  /** The attestation text's template (the latest published one, read by the activity); default: version 1. */
  template?: AttestationTemplate;
}

/** The attestation page's blocks from the template given (version 1's text without one). */
function blocksOf(o: Pick<SignOptions, 'attestation' | 'signerName' | 'signerTitle' | 'template'>): AttestationBlocks {
  const a = { ...o.attestation, signerName: o.signerName, signerTitle: o.signerTitle };
  return o.template ? renderAttestation(o.template, a) : attestationBlocks(a);
}

export async function signWithAttestation(scan: Buffer, o: SignOptions): Promise<Buffer> {
  const signingTime = o.signingTime ?? new Date();
  const prepared = await prepareAttestation(scan, { ...o, signingTime });
  return signPlaceholderInPlace(prepared, identityOf(o.key), { timestamper: o.timestamper });
}

/** The scan + attestation page + an unsigned signature placeholder (for signing elsewhere, e.g. a token). */
export async function prepareAttestation(scan: Buffer, o: Omit<SignOptions, 'key'>): Promise<Buffer> {
  const signingTime = o.signingTime ?? new Date();
  const doc = await PDFDocument.load(scan, { updateMetadata: false });
  if (doc.isEncrypted) throw new Error('Encrypted PDF cannot be certified');
  const incremental = !doc.context.pdfFileDetails.useObjectStreams && hasClassicXref(scan);
  const snapshot = incremental ? doc.takeSnapshot() : undefined;

  const regular = await embedVietnameseFont(doc, 'regular');
  const bold = await embedVietnameseFont(doc, 'bold');
  const page = doc.addPage(A4);
  if (snapshot) markPageAncestors(doc, page, snapshot);
  const b = blocksOf(o);
  drawAttestationText(page, b, { regular, bold });
  // The signature box where the leader placed it, the name under it.
  const leaderRect = leaderRectAt(o.placement ?? DEFAULT_PLACEMENT);
  const [lx1, ly1, lx2, ly2] = leaderRect;
  centred(page, b.signerName, bold, 12, ly1 - 16, (lx1 + lx2) / 2);

  // The widget's appearance: the signature image (if any) above "Ký bởi" / "Ngày ký" lines.
  const ap = new Appearance(lx2 - lx1, ly2 - ly1);
  const img: PDFImage | undefined = o.signatureImagePng ? await doc.embedPng(o.signatureImagePng) : undefined;
  const who = `Ký bởi: ${o.signerName}`;
  const when = `Ngày ký: ${vnTimeDate(signingTime)}`;
  if (img) {
    ap.image(img, 2, 26, ap.width - 4, ap.height - 28);
    ap.text(who, regular, 8, ap.width / 2, 14, { color: SIGN_BLUE, align: 'center' });
    ap.text(when, regular, 8, ap.width / 2, 4, { color: SIGN_BLUE, align: 'center' });
  } else {
    ap.rect(1, 1, ap.width - 2, ap.height - 2, SIGN_BLUE);
    ap.text(who, bold, 10, ap.width / 2, ap.height / 2 + 8, { color: SIGN_BLUE, align: 'center' });
    ap.text(when, regular, 9, ap.width / 2, ap.height / 2 - 10, { color: SIGN_BLUE, align: 'center' });
  }
  const certifiable = !hasSignatures(doc);
  const sigRef = addSignatureDict(doc, {
    name: o.signerName,
    reason: o.reason ?? `${o.signerTitle} ký chứng thực bản sao ${o.attestation.dossierCode}`,
    location: o.location ?? o.attestation.agencyName,
    signingTime,
    contentsBytes: o.timestamper ? TIMESTAMPED_CONTENTS_BYTES : undefined,
    // The leader's signature certifies the e-copy: after it, only filling forms and signing (the seal), plus the
    // long-term validation data. A scan that carries signatures already cannot be certified (DocMDP must come
    // first); its e-copy is locked by the seal alone.
    docMdp: certifiable ? 2 : undefined,
  });
  if (certifiable) certifyWith(doc, sigRef, snapshot);
  addSignatureField(doc, page, {
    fieldName: LEADER_FIELD_NAME,
    rect: leaderRect,
    sigRef,
    appearanceRef: ap.register(doc),
    snapshot,
  });
  // The seal's field is made now, empty and locking: a certification signature allows signing an existing
  // field afterwards, not adding a visible one (ISO 32000-2 §12.8.2.2; pyHanko holds validators to it).
  const [sx1, sy1, sx2, sy2] = SEAL_RECT;
  addSignatureField(doc, page, { fieldName: SEAL_FIELD_NAME, rect: SEAL_RECT, appearanceRef: new Appearance(sx2 - sx1, sy2 - sy1).register(doc), snapshot, lock: 1 });

  if (snapshot) return appendUpdate(scan, await doc.saveIncremental(snapshot));
  return Buffer.from(await doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false }));
}

const centred = (page: PDFPage, s: string, font: PDFFont, size: number, y: number, cx: number) =>
  page.drawText(s, { x: cx - font.widthOfTextAtSize(s, size) / 2, y, size, font, color: BLACK });

/** The attestation page's text: the heading, the attestation, the date and the signer's title in the right column,
 *  the legal footer. The signature box and the name under it are drawn where the leader placed them. */
function drawAttestationText(page: PDFPage, b: AttestationBlocks, fonts: { regular: PDFFont; bold: PDFFont }) {
  const { regular, bold } = fonts;
  const [W, H] = A4;
  const contentW = W - 2 * MARGIN;
  let y = H - 70;
  for (const line of wrapText(bold, b.header[0], 13, contentW)) {
    page.drawText(line, { x: (W - bold.widthOfTextAtSize(line, 13)) / 2, y, size: 13, font: bold, color: BLACK });
    y -= 18;
  }
  page.drawLine({ start: { x: W / 2 - 70, y: y + 8 }, end: { x: W / 2 + 70, y: y + 8 }, thickness: 0.7, color: BLACK });
  y -= 36;
  for (const line of b.header.slice(1)) {
    page.drawText(line, { x: (W - bold.widthOfTextAtSize(line, 17)) / 2, y, size: 17, font: bold });
    y -= 36;
  }
  for (const text of b.body) {
    // The law's sentence in bold, wherever a template puts it (version 1: the first line).
    const font = text.includes(ATTESTATION_SENTENCE) ? bold : regular;
    for (const line of wrapText(font, text, 12, contentW)) {
      page.drawText(line, { x: MARGIN, y, size: 12, font });
      y -= 20;
    }
  }
  const column = leaderRectAt(DEFAULT_PLACEMENT);
  const columnX = (column[0] + column[2]) / 2;
  // The title block may take several lines (TM. …, KT. …, the signer's own title): stacked upwards from the place the
  // one-line title always had, so the signature box below keeps its room; the date above them.
  const titles = b.signerTitle.split('\n').map((t) => t.trim()).filter(Boolean);
  const raise = Math.max(0, titles.length - 1) * 15;
  centred(page, b.dateLine, regular, 12, SEAL_RECT[3] - 12 + raise, columnX);
  titles.forEach((t, i) => centred(page, t, bold, 12, SEAL_RECT[3] - 32 + raise - i * 15, columnX));
  page.drawText('Bản sao điện tử được chứng thực từ bản chính (Nghị định 23/2015/NĐ-CP, Nghị định 45/2020/NĐ-CP).', {
    x: MARGIN, y: 40, size: 8, font: regular, color: BLACK,
  });
}

/**
 * The attestation page alone as the leader will sign it, without the signature box and the name under it (the
 * screen draws those where the leader drags them), and with a faint outline where the agency seal goes: the
 * background of "Xử lý"'s placement. One A4 page, our own content: rendered to an image by the web server.
 */
export async function attestationPreviewPdf(o: Pick<SignOptions, 'attestation' | 'signerName' | 'signerTitle' | 'template'>): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const regular = await embedVietnameseFont(doc, 'regular');
  const bold = await embedVietnameseFont(doc, 'bold');
  const page = doc.addPage(A4);
  drawAttestationText(page, blocksOf(o), { regular, bold });
  const [sx1, sy1, sx2, sy2] = SEAL_RECT;
  const grey = rgb(0.6, 0.6, 0.6);
  page.drawRectangle({ x: sx1, y: sy1, width: sx2 - sx1, height: sy2 - sy1, borderColor: grey, borderWidth: 0.6, borderDashArray: [4, 3] });
  const note = 'Vị trí đóng dấu của cơ quan';
  page.drawText(note, { x: (sx1 + sx2) / 2 - regular.widthOfTextAtSize(note, 9) / 2, y: (sy1 + sy2) / 2, size: 9, font: regular, color: grey });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** True when the last startxref points at a classic `xref` table (not an xref stream). */
export function hasClassicXref(pdf: Buffer): boolean {
  const tail = pdf.subarray(Math.max(0, pdf.length - 2048));
  const i = tail.lastIndexOf('startxref');
  if (i < 0) return false;
  const m = /^startxref\s+(\d+)/.exec(tail.subarray(i, i + 40).toString('latin1'));
  if (!m) return false;
  const off = Number(m[1]);
  return off < pdf.length && pdf.subarray(off, off + 4).toString('latin1') === 'xref';
}
