// Long-term validation data after the seal (PAdES B-LT): an incremental update with a /DSS holding every
// certificate of the signatures' and their timestamps' chains with its OCSP response / CRL, plus /VRI per
// signature; for B-LTA then a document timestamp (/DocTimeStamp, ETSI.RFC3161) in another incremental update, and
// a last DSS update with the validation data of the document timestamp's own chain (what the next renewal, or a
// validator, needs: ETSI EN 319 142-1 §5.5). These are the only updates the seal's lock (P 1) allows
// (ISO 32000-2 §12.8.2.2.2). An archival renewal repeats the last three steps (archiveTimestamp).
import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, type DocumentSnapshot, type PDFContext,
} from 'pdf-lib-incremental-save';
import { arrayBufferOf } from './der.js';
import { addSignatureField, BYTE_RANGE_PLACEHOLDER, DOC_TIMESTAMP_CONTENTS_BYTES, findPlaceholder } from './placeholder.js';
import { revocationOf, type RevocationAnswers, type RevocationInfo, type RevocationOptions } from './revocation.js';
import type { Timestamper } from './tsa.js';
import { appendUpdate, sha256Of } from './append.js';

const ID_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const DOC_TIMESTAMP_FIELD_NAME = 'DauThoiGian';

/** Where a PDF's signatures stand: each /Sig or /DocTimeStamp value's /Contents bytes and /Type. */
export function signaturesOf(doc: PDFDocument): { contents: Buffer; type: string }[] {
  const fields = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const out: { contents: Buffer; type: string }[] = [];
  for (let i = 0; fields && i < fields.size(); i++) {
    const f = fields.lookupMaybe(i, PDFDict);
    if (f?.get(PDFName.of('FT'))?.toString() !== '/Sig') continue;
    const v = f.lookupMaybe(PDFName.of('V'), PDFDict);
    const c = v?.lookupMaybe(PDFName.of('Contents'), PDFHexString);
    if (!v || !c) continue;
    out.push({ contents: Buffer.from(c.asBytes()), type: v.get(PDFName.of('Type'))?.toString() ?? '/Sig' });
  }
  return out;
}

/**
 * The certificates a CMS carries, and those of the signature timestamps in its unsigned attributes, as the exact
 * DER they were embedded with. Read by walking the DER (ContentInfo → SignedData → certificates, signerInfos)
 * rather than through pkijs's schemas, which cost ~20 ms per signature and re-encode each certificate.
 */
export function certificatesOfCms(cms: Uint8Array): Buffer[] {
  const r = asn1js.fromBER(arrayBufferOf(cms)); // /Contents is zero-padded after the DER: fromBER stops at its end
  if (r.offset === -1) throw new Error('Signature /Contents is not DER');
  const fail = (why: string): never => { throw new Error(`Signature /Contents is not a CMS SignedData: ${why}`); };
  const children = (b: asn1js.AsnType | undefined): asn1js.AsnType[] =>
    (b instanceof asn1js.Constructed || b instanceof asn1js.Sequence || b instanceof asn1js.Set ? (b as asn1js.Constructed).valueBlock.value : fail('unexpected primitive'));
  const isContext = (b: asn1js.AsnType, n: number) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
  const [contentType, explicit] = children(r.result);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== ID_SIGNED_DATA || !explicit || !isContext(explicit, 0)) fail('not signedData');
  const signedData = children(children(explicit)[0]);
  const certs: Buffer[] = [];
  for (const el of signedData) {
    if (!isContext(el, 0)) continue; // certificates [0] IMPLICIT SET OF CertificateChoices
    for (const c of children(el)) if (c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16) certs.push(Buffer.from(c.valueBeforeDecodeView));
  }
  const signerInfos = signedData[signedData.length - 1];
  for (const si of children(signerInfos)) {
    const fields = children(si);
    const unsigned = fields[fields.length - 1];
    if (!unsigned || !isContext(unsigned, 1)) continue; // unsignedAttrs [1] IMPLICIT SET OF Attribute
    for (const attr of children(unsigned)) {
      const [type, values] = children(attr);
      if (!(type instanceof asn1js.ObjectIdentifier) || type.valueBlock.toString() !== ID_SIGNATURE_TIMESTAMP) continue;
      for (const v of children(values)) certs.push(...certificatesOfCms(Buffer.from(v.valueBeforeDecodeView)));
    }
  }
  return certs;
}

/** The certificates of signatures seen lately, by the SHA-256 of their /Contents (not SHA-1: a scan may bring
 *  signatures of its own): one seal reads the leader's three times, its own twice. */
const recentCertificates = new Map<string, Buffer[]>();
function certificatesOfSignature(contents: Buffer): Buffer[] {
  const key = createHash('sha256').update(contents).digest('base64');
  let ders = recentCertificates.get(key);
  if (!ders) {
    ders = certificatesOfCms(contents);
    if (recentCertificates.size >= 64) recentCertificates.delete(recentCertificates.keys().next().value!);
    recentCertificates.set(key, ders);
  }
  return ders;
}

const sha1Hex = (b: Buffer) => createHash('sha1').update(b).digest('hex').toUpperCase();

/** For each certificate, its issuer among `pool` (null for a self-signed root or an issuer we do not have). */
function issuerOf(cert: X509Certificate, pool: X509Certificate[]): X509Certificate | null {
  if (cert.checkIssued(cert) && cert.verify(cert.publicKey)) return null;
  return pool.find((c) => c !== cert && cert.checkIssued(c) && cert.verify(c.publicKey)) ?? null;
}

export interface ValidationDataOptions extends RevocationOptions {
  /** Looks revocation data up (default: the issuer's OCSP responder and CRL, revocation.ts). */
  revocation?: (certDer: Buffer, issuerDer: Buffer) => Promise<RevocationInfo | null>;
  /** CA certificates (DER) to find issuers among, besides those the signatures carry (a TSA's token often
   *  carries its own certificate only); they go into the DSS too. */
  issuers?: Buffer[];
  /** Which signatures and document timestamps get validation data: all (the default), those the DSS has no
   *  VRI entry for yet ('missing'), or those and the last document timestamp afresh ('renewal'). */
  scope?: 'all' | 'missing' | 'renewal';
}

/** The VRI key of a signature: the upper-case SHA-1 of its /Contents (ETSI EN 319 142-1 §5.4.2.3). */
export const vriKeyOf = (contents: Buffer) => sha1Hex(contents);

/**
 * `pdf` + an incremental update with a /DSS (merged into one that is there already) for every signature and
 * document timestamp in it. Revocation data is fetched for each certificate that points at any.
 */
/**
 * Starts the revocation lookups that `addValidationData` will make for the signatures `pdf` has now, into
 * `o.answers`, without changing the file: the seal asks them while it prepares and signs its own update, instead of
 * after. Its own certificate's answer is the one its check before signing got (the same `answers`).
 */
export async function prefetchValidationData(pdf: Buffer, o: ValidationDataOptions & { answers: RevocationAnswers }): Promise<void> {
  await validationDataOf(await PDFDocument.load(pdf, { updateMetadata: false }), o);
}

/** The certificates of the signatures `o.scope` selects, with their revocation data; null when none is selected. */
async function validationDataOf(doc: PDFDocument, o: ValidationDataOptions) {
  const lookUp = o.revocation ?? ((c, i) => revocationOf(c, i, o));
  const sigs = signaturesOf(doc);
  if (!sigs.length) throw new Error('No signature to add validation data for');
  const known = existingDss(doc)?.lookupMaybe(PDFName.of('VRI'), PDFDict);
  const lastTimestamp = sigs.map((s) => s.type).lastIndexOf('/DocTimeStamp');
  const wanted = (i: number) => {
    const scope = o.scope ?? 'all';
    if (scope === 'all' || !known || (scope === 'renewal' && i === lastTimestamp)) return true;
    return !known.has(PDFName.of(vriKeyOf(sigs[i].contents)));
  };

  // Every certificate once, with its revocation data once; issuers are looked for among all of them.
  const byDer = new Map<string, { der: Buffer; x: X509Certificate }>();
  const add = (d: Buffer) => { if (!byDer.has(d.toString('base64'))) byDer.set(d.toString('base64'), { der: d, x: new X509Certificate(d) }); };
  const perSig = sigs.map((s, i) => {
    const ders = certificatesOfSignature(s.contents);
    ders.forEach(add);
    return { key: vriKeyOf(s.contents), ders, wanted: wanted(i) };
  }).filter((s) => s.wanted);
  if (!perSig.length) return null;
  (o.issuers ?? []).forEach(add);
  const pool = [...byDer.values()].map((c) => c.x);
  const needed = new Set(perSig.flatMap((s) => s.ders.map((d) => d.toString('base64'))));
  for (const d of o.issuers ?? []) needed.add(d.toString('base64'));
  // The certificates' issuers are asked all at once (a lookup is a network round trip; they do not depend on each
  // other), the answers kept in the certificates' order so the update is the same whatever answers first.
  const asked = [...byDer.values()].filter(({ der }) => needed.has(der.toString('base64')));
  const answers = await Promise.all(asked.map(({ der, x }) => {
    const issuer = issuerOf(x, pool);
    return issuer ? lookUp(der, issuer.raw) : Promise.resolve(null);
  }));
  const revocation = new Map<string, RevocationInfo | null>();
  asked.forEach(({ der }, i) => {
    const info = answers[i];
    revocation.set(der.toString('base64'), info);
    for (const r of info?.responderCerts ?? []) { add(r); needed.add(r.toString('base64')); }
  });
  return { byDer, perSig, needed, revocation };
}

export async function addValidationData(pdf: Buffer, o: ValidationDataOptions = {}): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const snapshot = doc.takeSnapshot();
  const ctx = doc.context;
  const found = await validationDataOf(doc, o);
  if (!found) return pdf; // nothing is missing: no empty update
  const { byDer, perSig, needed, revocation } = found;

  const dss = existingDss(doc) ?? ctx.obj({ Type: 'DSS' });
  const streamsIn = (key: string) => {
    let arr = dss.lookupMaybe(PDFName.of(key), PDFArray);
    if (!arr) { arr = ctx.obj([]); dss.set(PDFName.of(key), arr); }
    return arr;
  };
  const refs = new Map<string, PDFRef>(); // by the data's base64: each blob stored once, also across updates
  for (const key of ['Certs', 'OCSPs', 'CRLs']) {
    const arr = dss.lookupMaybe(PDFName.of(key), PDFArray);
    for (let i = 0; arr && i < arr.size(); i++) {
      const ref = arr.get(i);
      const stream = ref instanceof PDFRef ? ctx.lookup(ref) : null;
      if (ref instanceof PDFRef && stream instanceof PDFRawStream) {
        refs.set(`${key}:${Buffer.from(decodePDFRawStream(stream).decode()).toString('base64')}`, ref);
      }
    }
  }
  const streamRef = (key: string, data: Buffer) => {
    const id = `${key}:${data.toString('base64')}`;
    let ref = refs.get(id);
    if (!ref) {
      ref = ctx.register(ctx.flateStream(data));
      refs.set(id, ref);
      streamsIn(key).push(ref);
    }
    return ref;
  };
  for (const { der } of byDer.values()) if (needed.has(der.toString('base64'))) streamRef('Certs', der);
  for (const info of revocation.values()) {
    if (info?.ocsp) streamRef('OCSPs', info.ocsp);
    if (info?.crl) streamRef('CRLs', info.crl);
  }
  let vri = dss.lookupMaybe(PDFName.of('VRI'), PDFDict);
  if (!vri) { vri = ctx.obj({}); dss.set(PDFName.of('VRI'), vri); }
  for (const s of perSig) {
    const infos = s.ders.map((d) => revocation.get(d.toString('base64'))).filter((i): i is RevocationInfo => !!i);
    const entry = ctx.obj({ Cert: s.ders.map((d) => streamRef('Certs', d)) });
    const ocsps = infos.flatMap((i) => (i.ocsp ? [streamRef('OCSPs', i.ocsp)] : []));
    const crls = infos.flatMap((i) => (i.crl ? [streamRef('CRLs', i.crl)] : []));
    if (ocsps.length) entry.set(PDFName.of('OCSP'), ctx.obj(ocsps));
    if (crls.length) entry.set(PDFName.of('CRL'), ctx.obj(crls));
    vri.set(PDFName.of(s.key), entry);
  }
  setDss(doc, dss, ctx, snapshot);
  snapshot.markRefForSave(ctx.trailerInfo.Root as PDFRef);
  return appendUpdate(pdf, await doc.saveIncremental(snapshot));
}

function existingDss(doc: PDFDocument): PDFDict | null {
  return doc.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict) ?? null;
}

/** The DSS as an indirect object of its own, rewritten in this update (an existing one must be marked: an
 *  incremental save writes only new objects and those marked). */
function setDss(doc: PDFDocument, dss: PDFDict, ctx: PDFContext, snapshot: DocumentSnapshot) {
  const raw = doc.catalog.get(PDFName.of('DSS'));
  if (raw instanceof PDFRef) { ctx.assign(raw, dss); snapshot.markRefForSave(raw); return; }
  doc.catalog.set(PDFName.of('DSS'), ctx.register(dss));
}

/**
 * `pdf` + an incremental update with a document timestamp: an invisible signature field whose value is a
 * /DocTimeStamp dictionary (SubFilter ETSI.RFC3161) with the TSA's TimeStampToken over the byte ranges.
 */
export async function addDocumentTimestamp(pdf: Buffer, timestamper: Timestamper): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const snapshot = doc.takeSnapshot();
  const ctx = doc.context;
  const byteRange = ctx.obj([0, PDFName.of('**********'), PDFName.of('**********'), PDFName.of('**********')]);
  const sig = ctx.obj({ Type: 'DocTimeStamp', Filter: 'Adobe.PPKLite', SubFilter: 'ETSI.RFC3161' });
  // ByteRange then Contents, last: findPlaceholder relies on this order.
  sig.set(PDFName.of('ByteRange'), byteRange);
  sig.set(PDFName.of('Contents'), PDFHexString.of('0'.repeat(DOC_TIMESTAMP_CONTENTS_BYTES * 2)));
  const sigRef = ctx.register(sig);
  const page = doc.getPage(doc.getPageCount() - 1);
  addSignatureField(doc, page, { fieldName: DOC_TIMESTAMP_FIELD_NAME, rect: [0, 0, 0, 0], sigRef, snapshot });
  const out = appendUpdate(pdf, await doc.saveIncremental(snapshot));

  const p = findPlaceholder(out);
  const range = [0, p.contentsStart, p.contentsEnd, out.length - p.contentsEnd];
  const text = `/ByteRange [${range.join(' ')}]`;
  if (text.length > BYTE_RANGE_PLACEHOLDER.length) throw new Error('ByteRange does not fit its placeholder');
  out.write(text.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), p.byteRangePos, 'latin1');
  // The digest of the byte ranges, not the ranges themselves: no copy of the file, and its bytes before this update
  // were hashed already when the seal signed them.
  const token = await timestamper.timestamp(sha256Of(out, { start: p.contentsStart, end: p.contentsEnd }));
  const room = p.contentsEnd - p.contentsStart - 2;
  const hex = token.toString('hex');
  if (hex.length > room) throw new Error(`Timestamp token (${token.length} bytes) exceeds the placeholder (${room / 2} bytes)`);
  out.write(hex.toUpperCase().padEnd(room, '0'), p.contentsStart + 1, 'latin1');
  return out;
}

/**
 * B-LTA's archive timestamp, also each archival renewal: fresh validation data for the last document timestamp's
 * chain and for whatever has none yet (scope 'renewal'; at the first one, after the seal's B-LT data, only what is
 * missing), a new document timestamp over all of it, then a DSS update with the new timestamp's own chain.
 */
export async function archiveTimestamp(pdf: Buffer, timestamper: Timestamper, o: ValidationDataOptions = {}): Promise<Buffer> {
  const refreshed = await addValidationData(pdf, { ...o, scope: o.scope ?? 'renewal' });
  const stamped = await addDocumentTimestamp(refreshed, timestamper);
  return addValidationData(stamped, { ...o, scope: 'missing' });
}
