// Our own signature placeholder (the @signpdf placeholders garble Vietnamese or misplace the widget, see
// PLATFORM-NOTES): a /Sig dictionary with a /ByteRange to fill and /Contents zeros, plus a visible
// signature field (merged field + widget) on a given page. Both steps save without object streams, so the
// dictionary stays a plain indirect object whose bytes we can patch in place.
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFPage,
  PDFRef,
  PDFString,
  type DocumentSnapshot,
} from 'pdf-lib-incremental-save';

/** Bytes reserved for the CMS blob (hex-encoded twice that): the signer's chain (B-B)... */
export const SIGNATURE_CONTENTS_BYTES = 12 * 1024;
/** ...and with a signature timestamp (B-T): the TSA's token and its certificates come on top. */
export const TIMESTAMPED_CONTENTS_BYTES = 16 * 1024;
/** ...and for a document timestamp's token alone: the demo TSA's is about 2 KiB (its certificate included); 8 KiB
 *  leave room for a TSA that sends a chain of three 4096-bit certificates. */
export const DOC_TIMESTAMP_CONTENTS_BYTES = 8 * 1024;
const MARK = '**********';
/** How pdf-lib serialises our /ByteRange placeholder array. */
export const BYTE_RANGE_PLACEHOLDER = `/ByteRange [ 0 /${MARK} /${MARK} /${MARK} ]`;

export interface SignatureDictOptions {
  /** Signer's name (Vietnamese kept intact: UTF-16 hex string). */
  name: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** The claimed signing time (/M): PAdES baseline keeps it out of the CMS. */
  signingTime: Date;
  /** Bytes to reserve for the CMS (default SIGNATURE_CONTENTS_BYTES). */
  contentsBytes?: number;
  /** A certification signature (DocMDP, ISO 32000-2 §12.8.2.2): the changes allowed after it, 1 none, 2 forms and signing. */
  docMdp?: MdpLevel;
  /** Locks the fields once this signature is made (FieldMDP), and after it allows only `p` (PDF 2.0). */
  fieldMdp?: MdpLevel;
  /** The fields it locks (/Action /Include), as the signed field's /Lock names them (lockedFields); default /All. */
  lockedFields?: string[];
}

/** The DocMDP permission levels: 1 no changes, 2 filling forms and signing, 3 also annotations. DSS and
 *  document timestamps (long-term validation) are allowed at every level (ISO 32000-2 §12.8.2.2.2). */
export type MdpLevel = 1 | 2 | 3;

/** Registers the /Sig value dictionary and returns its reference. */
export function addSignatureDict(doc: PDFDocument, o: SignatureDictOptions): PDFRef {
  const ctx = doc.context;
  const byteRange = PDFArray.withContext(ctx);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(MARK));
  const dict = ctx.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached', // PAdES baseline (ETSI EN 319 142-1), for every signature we make
    M: PDFString.fromDate(o.signingTime),
    Name: PDFHexString.fromText(o.name),
  });
  if (o.reason) dict.set(PDFName.of('Reason'), PDFHexString.fromText(o.reason));
  if (o.location) dict.set(PDFName.of('Location'), PDFHexString.fromText(o.location));
  if (o.contactInfo) dict.set(PDFName.of('ContactInfo'), PDFHexString.fromText(o.contactInfo));
  const references: PDFDict[] = [];
  if (o.docMdp) references.push(ctx.obj({ Type: 'SigRef', TransformMethod: 'DocMDP', TransformParams: { Type: 'TransformParams', P: o.docMdp, V: '1.2' } }));
  if (o.fieldMdp) {
    const fields = o.lockedFields ? { Action: 'Include', Fields: o.lockedFields.map((n) => PDFHexString.fromText(n)) } : { Action: 'All' };
    references.push(ctx.obj({ Type: 'SigRef', TransformMethod: 'FieldMDP', TransformParams: { Type: 'TransformParams', ...fields, P: o.fieldMdp, V: '1.2' } }));
  }
  if (references.length) dict.set(PDFName.of('Reference'), ctx.obj(references));
  // ByteRange then Contents, last: findPlaceholder relies on this order.
  dict.set(PDFName.of('ByteRange'), byteRange);
  dict.set(PDFName.of('Contents'), PDFHexString.of('0'.repeat((o.contentsBytes ?? SIGNATURE_CONTENTS_BYTES) * 2)));
  return ctx.register(dict);
}

export interface SignatureFieldOptions {
  fieldName: string;
  /** [x1, y1, x2, y2] in page space. */
  rect: [number, number, number, number];
  /** The signature value; none for an empty field that a later signer fills (fillSignatureField). */
  sigRef?: PDFRef;
  /** Normal appearance: a form XObject whose BBox is [0 0 width height]; none for an invisible field (a
   *  document timestamp: validators accept one after a lock only without an appearance). */
  appearanceRef?: PDFRef;
  /** When given (incremental update), every pre-existing object we touch is marked for saving. */
  snapshot?: DocumentSnapshot;
  /** A field lock (/Lock, ISO 32000-2 §12.7.5.5): once signed, every field there is now is locked and only `p` is
   *  allowed after. */
  lock?: MdpLevel;
}

/** Adds a visible signature field on `page`, registered in the AcroForm. */
export function addSignatureField(doc: PDFDocument, page: PDFPage, o: SignatureFieldOptions): PDFRef {
  const ctx = doc.context;
  const mark = (ref: unknown) => {
    if (o.snapshot && ref instanceof PDFRef) o.snapshot.markRefForSave(ref);
  };
  const name = uniqueFieldName(doc, o.fieldName);
  const widget = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFHexString.fromText(name),
      F: 4 | 128, // Print + Locked
      Rect: o.rect,
      ...(o.sigRef ? { V: o.sigRef } : {}),
      P: page.ref,
      ...(o.appearanceRef ? { AP: { N: o.appearanceRef } } : {}),
      // The fields there are now, this one included, rather than /All: the EU DSS validator counts a document
      // timestamp's new field as a change to "all fields" and flags B-LTA's own update; P still forbids new fields.
      ...(o.lock ? { Lock: { Type: 'SigFieldLock', Action: 'Include', Fields: [...fieldNames(doc), name].map((n) => PDFHexString.fromText(n)), P: o.lock } } : {}),
    }),
  );

  // Page /Annots: direct array (mark the page) or an indirect one (mark the array).
  const rawAnnots = page.node.get(PDFName.of('Annots'));
  if (rawAnnots instanceof PDFRef) {
    ctx.lookup(rawAnnots, PDFArray).push(widget);
    mark(rawAnnots);
  } else if (rawAnnots instanceof PDFArray) {
    rawAnnots.push(widget);
    mark(page.ref);
  } else {
    page.node.set(PDFName.of('Annots'), ctx.obj([widget]));
    mark(page.ref);
  }

  // AcroForm (created indirect when missing), its /Fields and /SigFlags = SignaturesExist | AppendOnly.
  const catalog = doc.catalog;
  const rawForm = catalog.get(PDFName.of('AcroForm'));
  let form: PDFDict;
  if (rawForm instanceof PDFRef) {
    form = ctx.lookup(rawForm, PDFDict);
    mark(rawForm);
  } else if (rawForm instanceof PDFDict) {
    form = rawForm;
    mark(ctx.trailerInfo.Root);
  } else {
    form = ctx.obj({ Fields: [] });
    catalog.set(PDFName.of('AcroForm'), ctx.register(form));
    mark(ctx.trailerInfo.Root);
  }
  const rawFields = form.get(PDFName.of('Fields'));
  if (rawFields instanceof PDFRef) {
    ctx.lookup(rawFields, PDFArray).push(widget);
    mark(rawFields);
  } else if (rawFields instanceof PDFArray) {
    rawFields.push(widget);
  } else {
    form.set(PDFName.of('Fields'), ctx.obj([widget]));
  }
  form.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  return widget;
}

/** True when the document already holds a signature (a signed field, or a certification /Perms entry). */
export function hasSignatures(doc: PDFDocument): boolean {
  if (doc.catalog.get(PDFName.of('Perms'))) return true;
  const fields = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const queue: PDFDict[] = [];
  for (let i = 0; fields && i < fields.size(); i++) { const f = fields.lookupMaybe(i, PDFDict); if (f) queue.push(f); }
  for (let n = 0; queue.length && n < 10_000; n++) { // a hostile field tree is bounded
    const f = queue.pop()!;
    if (f.get(PDFName.of('FT'))?.toString() === '/Sig' && f.get(PDFName.of('V'))) return true;
    const kids = f.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) { const k = kids.lookupMaybe(i, PDFDict); if (k) queue.push(k); }
  }
  return false;
}

/** Makes `sigRef` the document's certification signature (catalog /Perms /DocMDP); its dictionary has the DocMDP reference. */
export function certifyWith(doc: PDFDocument, sigRef: PDFRef, snapshot?: DocumentSnapshot): void {
  doc.catalog.set(PDFName.of('Perms'), doc.context.obj({ DocMDP: sigRef }));
  if (snapshot) snapshot.markRefForSave(doc.context.trailerInfo.Root as PDFRef);
}

/**
 * Signs an empty signature field made earlier (by addSignatureField without sigRef): sets its value and its
 * appearance. Returns false when the document has no such empty field.
 */
export function fillSignatureField(doc: PDFDocument, fieldName: string, o: { sigRef: PDFRef; appearanceRef: PDFRef; snapshot: DocumentSnapshot }): boolean {
  const found = emptySignatureField(doc, fieldName);
  if (!found) return false;
  found.field.set(PDFName.of('V'), o.sigRef);
  found.field.set(PDFName.of('AP'), doc.context.obj({ N: o.appearanceRef }));
  o.snapshot.markRefForSave(found.ref);
  return true;
}

function emptySignatureField(doc: PDFDocument, fieldName: string): { ref: PDFRef; field: PDFDict } | null {
  const fields = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  for (let i = 0; fields && i < fields.size(); i++) {
    const ref = fields.get(i);
    const field = fields.lookupMaybe(i, PDFDict);
    const name = field?.lookupMaybe(PDFName.of('T'), PDFString, PDFHexString)?.decodeText();
    // uniqueFieldName may have suffixed it (a scan that used our field names already)
    const ours = name === fieldName || (name?.startsWith(`${fieldName}_`) && /^\d+$/.test(name.slice(fieldName.length + 1)));
    if (field && ref instanceof PDFRef && ours && field.get(PDFName.of('FT'))?.toString() === '/Sig' && !field.get(PDFName.of('V'))) return { ref, field };
  }
  return null;
}

/** The fields that signing `fieldName` will lock: those its empty field's /Lock names, or, for a field still to be
 *  made (addSignatureField with `lock`), every field there is now and that one. */
export function lockedFields(doc: PDFDocument, fieldName: string): string[] {
  const field = emptySignatureField(doc, fieldName)?.field;
  const names = field?.lookupMaybe(PDFName.of('Lock'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  if (names) return names.asArray().map((n) => (n as PDFString | PDFHexString).decodeText());
  return [...fieldNames(doc), uniqueFieldName(doc, fieldName)];
}

/** The names of the form's top-level fields. */
function fieldNames(doc: PDFDocument): Set<string> {
  const fields = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const names = new Set<string>();
  for (let i = 0; fields && i < fields.size(); i++) {
    const t = fields.lookupMaybe(i, PDFDict)?.lookupMaybe(PDFName.of('T'), PDFString, PDFHexString);
    if (t) names.add(t.decodeText());
  }
  return names;
}

/** Field names must be unique in the AcroForm; suffix when the scan already uses ours. */
function uniqueFieldName(doc: PDFDocument, base: string): string {
  const taken = fieldNames(doc);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  return name;
}

/** Marks the Pages tree nodes above a newly added page (their /Kids and /Count changed). */
export function markPageAncestors(doc: PDFDocument, page: PDFPage, snapshot: DocumentSnapshot): void {
  let parent = page.node.get(PDFName.of('Parent'));
  while (parent instanceof PDFRef) {
    snapshot.markRefForSave(parent);
    parent = doc.context.lookup(parent, PDFDict).get(PDFName.of('Parent'));
  }
}

export interface PlaceholderPosition {
  /** Offset of BYTE_RANGE_PLACEHOLDER. */
  byteRangePos: number;
  /** Offset of '<' and just past '>' of the /Contents hex string. */
  contentsStart: number;
  contentsEnd: number;
}

/** Finds the newest unsigned placeholder. It is near the end of the file (new objects are written last),
 *  so the backward search touches only the tail even for a 30 MB scan. */
export function findPlaceholder(pdf: Buffer): PlaceholderPosition {
  const byteRangePos = pdf.lastIndexOf(BYTE_RANGE_PLACEHOLDER);
  if (byteRangePos < 0) throw new Error('No signature placeholder (/ByteRange) found in the PDF');
  const tag = pdf.indexOf('/Contents <', byteRangePos);
  const endobj = pdf.indexOf('endobj', byteRangePos);
  if (tag < 0 || (endobj >= 0 && tag > endobj)) throw new Error('Signature placeholder has no /Contents after /ByteRange');
  const contentsStart = tag + '/Contents '.length;
  const close = pdf.indexOf('>', contentsStart);
  if (close < 0) throw new Error('Unterminated /Contents placeholder');
  return { byteRangePos, contentsStart, contentsEnd: close + 1 };
}
