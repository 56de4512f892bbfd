// The agency seal: an INCREMENTAL update appended to the leader-signed bytes (a full re-save would break
// the leader's signature), adding a second visible signature field on the attestation page whose appearance
// carries the certification number, the register book and the date, then signed with the agency key.
// The seal's /ByteRange covers the whole file, so it is the "total document" signature.
import { PDFDocument } from 'pdf-lib-incremental-save';
import { vnDate } from '../../domain/vn-time.js';
import { embedVietnameseFont } from './fonts.js';
import { Appearance, BLACK, SEAL_RECT, wrapText } from './layout.js';
import { addSignatureDict, addSignatureField, fillSignatureField, lockedFields, TIMESTAMPED_CONTENTS_BYTES } from './placeholder.js';
import { identityOf, signPlaceholderInPlace, type SignerKey } from './signer.js';
import type { Timestamper } from './tsa.js';
import { appendUpdate } from './append.js';

export const SEAL_FIELD_NAME = 'DauCoQuan';

export interface SealOptions {
  certificationNumber: string; // e.g. "12/ĐT"
  registerBookName: string;
  sealDate: Date;
  agencyName: string;
  sealImagePng?: Buffer;
  /** PKCS#12 material, or an identity that signs elsewhere (the seal in a PKCS#11 token). */
  key: SignerKey;
  reason?: string;
  /** A TSA to timestamp the seal (PAdES B-T); without one the seal is B-B. */
  timestamper?: Timestamper | null;
}

export async function sealIncremental(signed: Buffer, o: SealOptions): Promise<Buffer> {
  const prepared = await prepareSeal(signed, o);
  return signPlaceholderInPlace(prepared, identityOf(o.key), { timestamper: o.timestamper });
}

/** The signed bytes + an appended update with the seal field and an unsigned placeholder. */
export async function prepareSeal(signed: Buffer, o: Omit<SealOptions, 'key'>): Promise<Buffer> {
  const doc = await PDFDocument.load(signed, { updateMetadata: false });
  if (doc.context.pdfFileDetails.useObjectStreams) {
    // Our signing step never produces these; appending to them yields a file without a findable /Root.
    throw new Error('Cannot seal a PDF that uses cross-reference streams');
  }
  const snapshot = doc.takeSnapshot();
  const page = doc.getPage(doc.getPageCount() - 1); // the attestation page

  const regular = await embedVietnameseFont(doc, 'regular');
  const bold = await embedVietnameseFont(doc, 'bold');
  const [x1, y1, x2, y2] = SEAL_RECT;
  const ap = new Appearance(x2 - x1, y2 - y1);
  const top = ap.height;
  // The number and the book are printed here only (the leader's page, signed before they exist, has no blank
  // line for them); a long book name wraps inside the block instead of running into the leader's column.
  let y = top - 14;
  ap.text(`Số chứng thực: ${o.certificationNumber}`, bold, 12, 4, y, { color: BLACK });
  for (const line of wrapText(regular, `Quyển số: ${o.registerBookName}`, 11, ap.width - 8).slice(0, 3)) {
    y -= 16;
    ap.text(line, regular, 11, 4, y, { color: BLACK });
  }
  y -= 16;
  ap.text(`Ngày: ${vnDate(o.sealDate)}`, regular, 11, 4, y, { color: BLACK });
  const r = Math.min(ap.width, y - 8) / 2 - 2;
  const cy = r + 4;
  if (o.sealImagePng) {
    const img = await doc.embedPng(o.sealImagePng);
    ap.image(img, ap.width / 2 - r, cy - r, 2 * r, 2 * r);
  } else {
    ap.seal(ap.width / 2, cy, r, o.agencyName.toUpperCase(), bold);
  }

  const sigRef = addSignatureDict(doc, {
    name: o.agencyName,
    reason: o.reason ?? `Đóng dấu chứng thực, số ${o.certificationNumber}, quyển số ${o.registerBookName}`,
    location: o.agencyName,
    signingTime: o.sealDate,
    contentsBytes: o.timestamper ? TIMESTAMPED_CONTENTS_BYTES : undefined,
    fieldMdp: 1,
    lockedFields: lockedFields(doc, SEAL_FIELD_NAME),
  });
  // The seal closes the e-copy: every field there is locked, and after it no change at all but long-term validation data
  // (DSS, document timestamps). Validators then flag any other appended update as a violation.
  // The leader's step made the seal's field, empty and locking; an e-copy signed before that gets a new field.
  const appearanceRef = ap.register(doc);
  if (!fillSignatureField(doc, SEAL_FIELD_NAME, { sigRef, appearanceRef, snapshot })) {
    addSignatureField(doc, page, { fieldName: SEAL_FIELD_NAME, rect: SEAL_RECT, sigRef, appearanceRef, snapshot, lock: 1 });
  }

  return appendUpdate(signed, await doc.saveIncremental(snapshot));
}
