// Server-side verification of the signatures in a PDF, in Node only (no poppler at run time).
// For every signature dictionary (/ByteRange + /Contents): the ByteRange must start at 0 and leave out exactly
// the /Contents hex string, and end where a revision ends (%%EOF); the ranges are hashed with node:crypto; the
// CMS (PKCS#7 SignedData, read with a small DER walker so the signed attributes are checked byte for byte) must
// carry a messageDigest equal to that hash and a signature over the signed attributes that verifies with the
// signer's certificate; the certificate must chain to one of the trusted CAs given by the caller.
// Document timestamps (/Type /DocTimeStamp, ETSI.RFC3161) are checked the same way, their token's imprint against
// the ranges; a signature's RFC 3161 signature-time-stamp (unsigned attribute) against its signature value. What
// was appended after the last signature is read as a validator does: only long-term-validation updates (a DSS,
// document timestamps) keep the signatures' verdict; anything else is classified (page content, annotation, form
// field) when that is cheaply knowable.
// Each signature's and timestamp's certificate is then judged for revocation at its timestamped time from the
// OCSP responses and CRLs the file's DSS carries (validation-data.ts), and each signature says what it covers.
// Nothing here throws on bad input: a broken file or signature is reported, never an exception.
import { createHash, createVerify, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import {
  DIGESTS, findIssuer, parseValidationData, revocationJudge, SIGNATURE_ALGS, unknownRevocation, NO_VALIDATION_DATA,
  type RevocationReport, type ValidationDataDer,
} from './validation-data.js';

export type { RevocationReport, RevocationStatus } from './validation-data.js';

export interface SignerCertificateInfo {
  commonName: string | null;
  organization: string | null;
  organizationalUnit: string | null;
  issuerCommonName: string | null;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface TimestampReport {
  /** ISO instant: the token's genTime. */
  time: string;
  /** CN (else O) of the TSA's certificate. */
  authority: string | null;
  /** The token's imprint matches what it stamps and its signature verifies. */
  intact: boolean;
  /** The token's message imprint equals the hash of what it stamps (the signature value, or the byte ranges). */
  imprintMatches: boolean;
  /** The TSA's certificate chains to one of the trusted CAs given by the caller. */
  trusted: boolean;
  /** The TSA certificate's revocation status at the token's time, from the file's validation data. */
  revocation: RevocationReport;
  /** The TSA certificate and its issuer when found (base64 DER), for an online look-up by the caller. */
  chain: string[];
}

/** What a signature covers, as validators report it: the whole file; its revision with only allowed updates after it
 *  (later signatures, then LTV updates: a DSS, document timestamps); or less, with disallowed changes after it. */
export type Coverage = 'entireFile' | 'entireRevision' | 'partial';

export interface SignatureReport {
  /** A signature (CAdES/PKCS#7) or a document timestamp (/Type /DocTimeStamp, SubFilter ETSI.RFC3161). */
  kind: 'signature' | 'documentTimestamp';
  /** The signature field's name (/T), e.g. ChuKyLanhDao or DauCoQuan; null when no field points at it. */
  field: string | null;
  /** CN of the signer certificate. */
  signerCommonName: string | null;
  /** ISO instant: the CMS signing-time attribute, else the signature dictionary's /M. */
  signingTime: string | null;
  /** ByteRange as expected, digest equal, signature over the signed attributes verifies. */
  valid: boolean;
  /** The ByteRange leaves out exactly this dictionary's /Contents and ends at a %%EOF: false when the file was
   *  rewritten (re-saved) after signing, so the signed bytes are no longer where the signature says. */
  byteRangeIntact: boolean;
  /** The signature-time-stamp of a signature, or the document timestamp's own token; null when none. */
  timestamp: TimestampReport | null;
  /** PAdES baseline level reached (B-LT: a DSS was added after it; its content is not checked here); null for a
   *  document timestamp or a non-PAdES SubFilter. */
  level: PadesLevel | null;
  /** The signed ranges reach the end of the file (the "total document" signature). */
  coversWholeDocument: boolean;
  coverage: Coverage;
  /** Bytes of the file the signature does not cover (after its revision; the whole file when its ByteRange is broken). */
  uncoveredBytes: number;
  /** The signer certificate's revocation status at the signature's timestamp (else its claimed signing time). */
  revocation: RevocationReport;
  /** The signer certificate and its issuer when found (base64 DER), for an online look-up by the caller. */
  chain: string[];
  /** The signer certificate chains to one of the trusted CAs. */
  chainsToTrustedCa: boolean;
  /** The signer certificate was within its validity period at the signing time. */
  certificateValidAtSigningTime: boolean;
  byteRange: number[];
  /** Offset just past the signed revision (ByteRange[2] + ByteRange[3]). */
  revisionEnd: number;
  subFilter: string | null;
  /** From the signature dictionary: /Name, /Reason, /Location (text as the signer wrote it). */
  name: string | null;
  reason: string | null;
  location: string | null;
  certificate: SignerCertificateInfo | null;
  /** What is wrong, in Vietnamese (empty when valid and trusted). */
  problems: string[];
}

export interface PdfVerification {
  isPdf: boolean;
  size: number;
  sha256: string;
  signatures: SignatureReport[];
  /** Signature dictionaries beyond MAX_SIGNATURES, not checked (a file with any is not trustworthy). */
  uncheckedSignatures: number;
  /** Bytes after the end of the last signed revision (0 when the last signature covers the whole file). */
  bytesAfterLastSignature: number;
  /** Something other than long-term-validation updates was added after the last signature (document
   *  timestamps do not count as signatures here). */
  modifiedAfterLastSignature: boolean;
  /** Incremental updates after the last signature that only add validation data (a DSS) or valid document timestamps. */
  ltvUpdates: number;
  /** What the other additions after the last signature change, when cheaply knowable ('unknown' otherwise). */
  changesAfterLastSignature: AfterSignatureChange[];
  /** SHA-256 of the file up to the end of the last signature's revision, when bytes follow it (else null):
   *  the issued e-copy's hash when only updates were appended. */
  signedRevisionSha256: string | null;
  /** SHA-256 of the file up to the end of each revision from the last signature's on, the whole file last: an
   *  issued e-copy (or a renewed version of it) is one of them when only LTV updates were appended to it. */
  revisionSha256s: string[];
  /** Some signature's ByteRange no longer lines up with its /Contents: the file was rewritten after signing. */
  resaved: boolean;
}

export type AfterSignatureChange = 'pageContent' | 'annotation' | 'formField' | 'invalidTimestamp' | 'unknown';

export interface VerifyOptions {
  /** PEM certificates of the trusted CAs (one PEM may hold several). */
  trustedCaPems?: string[];
}

// ---- DER ---------------------------------------------------------------------------------------------------
interface Der {
  tag: number;
  /** Offset of the tag byte in `buf`. */
  start: number;
  /** Offsets of the content. */
  contentStart: number;
  contentEnd: number;
  /** Offset just past the element (includes the end-of-contents octets of an indefinite length). */
  end: number;
  buf: Buffer;
}

class DerError extends Error {}

function readDer(buf: Buffer, off: number, limit = buf.length): Der {
  if (off + 2 > limit) throw new DerError('truncated');
  const tag = buf[off];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag number');
  let p = off + 1;
  const l = buf[p++];
  if (l === 0x80) {
    // BER indefinite length (constructed only): children until the end-of-contents octets 00 00.
    if (!(tag & 0x20)) throw new DerError('indefinite primitive');
    const contentStart = p;
    while (p + 2 <= limit && !(buf[p] === 0 && buf[p + 1] === 0)) p = readDer(buf, p, limit).end;
    if (p + 2 > limit) throw new DerError('unterminated indefinite length');
    return { tag, start: off, contentStart, contentEnd: p, end: p + 2, buf };
  }
  let len = l;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n > 4 || p + n > limit) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  }
  if (p + len > limit) throw new DerError('element past its parent');
  return { tag, start: off, contentStart: p, contentEnd: p + len, end: p + len, buf };
}

function kids(d: Der): Der[] {
  const out: Der[] = [];
  for (let p = d.contentStart; p < d.contentEnd; ) {
    const c = readDer(d.buf, p, d.contentEnd);
    out.push(c);
    p = c.end;
  }
  return out;
}
const content = (d: Der) => d.buf.subarray(d.contentStart, d.contentEnd);
const raw = (d: Der) => d.buf.subarray(d.start, d.end);

function oidOf(d: Der): string {
  if (d.tag !== 0x06) throw new DerError('not an OID');
  const b = content(d);
  const parts: number[] = [];
  let v = 0;
  for (const x of b) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) { parts.push(v); v = 0; }
  }
  const first = parts.shift() ?? 0;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - 40 * a, ...parts].join('.');
}

function derString(d: Der): string {
  const b = content(d);
  switch (d.tag) {
    case 0x0c: return b.toString('utf8'); // UTF8String
    case 0x1e: { // BMPString: UTF-16BE
      const le = Buffer.from(b);
      le.swap16();
      return le.toString('utf16le');
    }
    case 0x1c: { // UniversalString: UTF-32BE
      let s = '';
      for (let i = 0; i + 4 <= b.length; i += 4) s += String.fromCodePoint(b.readUInt32BE(i));
      return s;
    }
    default: return b.toString('latin1'); // Printable, IA5, T61 (close enough for names)
  }
}

function derTime(d: Der): Date | null {
  const s = content(d).toString('latin1');
  let m: RegExpExecArray | null;
  if (d.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (d.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(s))) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  }
  return null;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
};

// ---- certificates ------------------------------------------------------------------------------------------
interface ParsedCert {
  der: Buffer;
  x509: X509Certificate | null;
  issuerDer: Buffer;
  serial: Buffer; // INTEGER content without leading zeros
  subject: Record<string, string>;
  issuer: Record<string, string>;
  ski: Buffer | null;
}

const stripZeros = (b: Buffer) => { let i = 0; while (i < b.length - 1 && b[i] === 0) i++; return b.subarray(i); };

function nameAttrs(name: Der): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rdn of kids(name)) for (const atv of kids(rdn)) {
    const [type, value] = kids(atv);
    const oid = oidOf(type);
    if (!(oid in out)) out[oid] = derString(value);
  }
  return out;
}

function parseCert(der: Buffer): ParsedCert {
  const top = readDer(der, 0);
  const tbs = kids(top)[0];
  const f = kids(tbs);
  const i = f[0].tag === 0xa0 ? 1 : 0;
  const serial = f[i], issuer = f[i + 2], subject = f[i + 4];
  let ski: Buffer | null = null;
  const ext = f.find((x) => x.tag === 0xa3);
  if (ext) {
    for (const e of kids(kids(ext)[0])) {
      const parts = kids(e);
      if (oidOf(parts[0]) === OID.subjectKeyIdentifier) ski = content(readDer(content(parts[parts.length - 1]), 0));
    }
  }
  let x509: X509Certificate | null = null;
  try { x509 = new X509Certificate(der); } catch { /* reported as an unusable certificate */ }
  return { der, x509, issuerDer: raw(issuer), serial: stripZeros(content(serial)), subject: nameAttrs(subject), issuer: nameAttrs(issuer), ski };
}

function trustedCerts(pems: string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const pem of pems) {
    for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) {
      try { out.push(new X509Certificate(m[0])); } catch { /* ignore an unreadable anchor */ }
    }
  }
  return out;
}

/** Does `cert` chain to one of `anchors`, through CA certificates of `pool`? Signatures and issuer links are checked. */
function chainsTo(cert: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], depth = 0): boolean {
  if (depth > 8) return false;
  if (anchors.some((a) => a.raw.equals(cert.raw))) return true;
  const issuedBy = (issuer: X509Certificate) => {
    try { return cert.checkIssued(issuer) && cert.verify(issuer.publicKey); } catch { return false; }
  };
  if (anchors.some(issuedBy)) return true;
  return pool.some((c) => !c.raw.equals(cert.raw) && c.ca && issuedBy(c) && chainsTo(c, pool, anchors, depth + 1));
}

// ---- PDF syntax --------------------------------------------------------------------------------------------
/** Signatures checked per file (each hashes up to the whole file); real e-copies carry two. */
export const MAX_SIGNATURES = 10;
/** A PDF text string's bytes as text: UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding (≈ Latin-1). */
function pdfText(b: Buffer): string {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const le = Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1)));
    le.swap16();
    return le.toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}

const UNTERMINATED = Symbol('unterminated');
const isHexOrSpace = (c: number) => isSpace(c) || isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Reads the string object starting at `s[i]` ('(' literal or '<' hex); returns its bytes, null when there is
 * no string there, UNTERMINATED when it runs to the end of `s` (so no later string can end either).
 */
function readPdfString(s: string, i: number): Buffer | null | typeof UNTERMINATED {
  if (s[i] === '<' && s[i + 1] !== '<') {
    // Only hex digits and white space up to '>': stop at the first other character, so a crafted run of
    // unclosed '<' costs one pass, not one pass each.
    let end = i + 1;
    while (end < s.length && isHexOrSpace(s.charCodeAt(end))) end++;
    if (end >= s.length) return UNTERMINATED;
    if (s[end] !== '>') return null;
    let hex = s.slice(i + 1, end).replace(/\s+/g, '');
    if (hex.length % 2) hex += '0';
    return Buffer.from(hex, 'hex');
  }
  if (s[i] !== '(') return null;
  const out: number[] = [];
  let depth = 1;
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') {
      const n = s[++j];
      const map: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
      if (n in map) out.push(map[n]);
      else if (/[0-7]/.test(n)) {
        let oct = n;
        while (oct.length < 3 && /[0-7]/.test(s[j + 1])) oct += s[++j];
        out.push(parseInt(oct, 8) & 0xff);
      } else if (n === '\r') { if (s[j + 1] === '\n') j++; } // line continuation
      else if (n !== '\n') out.push(n.charCodeAt(0));
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return Buffer.from(out);
    out.push(c.charCodeAt(0) & 0xff);
  }
  return UNTERMINATED;
}

/** The first string value of `/Key` in a dictionary's text (values that are names or dictionaries are skipped). */
function dictString(dict: string, key: string): string | null {
  const re = new RegExp(`/${key}(?![A-Za-z0-9])\\s*`, 'g');
  for (let m; (m = re.exec(dict)); ) {
    const at = m.index + m[0].length;
    const b = readPdfString(dict, at);
    if (b === UNTERMINATED) return null; // the rest of the dictionary is inside that string
    if (b) return pdfText(b);
  }
  return null;
}

function dictName(dict: string, key: string): string | null {
  const m = new RegExp(`/${key}\\s*/([^\\s/<>\\[\\]()]+)`).exec(dict);
  return m ? m[1] : null;
}

/** D:YYYYMMDDHHmmSS+HH'mm' */
function pdfDate(s: string | null): Date | null {
  const m = s && /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?/.exec(s);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const offset = sign * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0)) * 60_000;
  const d = new Date(utc - offset);
  return Number.isNaN(d.getTime()) ? null : d;
}

// A crafted file can hold tens of thousands of keys (`/V n 0 R` repeated): each look-up must cost O(log n), never
// a scan of the file. So the file is indexed once, in one pass, and the look-ups are binary searches.
interface PdfObject { num: number; gen: number; start: number; end: number }
interface ObjectIndex {
  /** Object headers `num gen obj`, by offset: where each starts and where its `obj` keyword ends. */
  headers: { num: number; gen: number; start: number; after: number }[];
  /** Offsets of every `endobj`. */
  endobjs: number[];
  /** Offsets of `/V num gen R`, by "num gen" (built on first use). */
  valueRefs: Map<string, number[]> | null;
  /** /T of the object starting at an offset (each object's text is read once). */
  names: Map<number, string | null>;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** What `\s` matches in a Latin-1 string: the PDF white-space characters and NBSP. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
const isWordChar = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

function indexObjects(text: string): ObjectIndex {
  const headers: ObjectIndex['headers'] = [];
  const endobjs: number[] = [];
  for (let i = text.indexOf('obj'); i >= 0; i = text.indexOf('obj', i + 3)) {
    if (i >= 3 && text.startsWith('end', i - 3)) { endobjs.push(i - 3); continue; }
    if (i + 3 < text.length && isWordChar(text.charCodeAt(i + 3))) continue; // `obj\b`
    // Backwards: white space, the generation, white space, the number. Each step stops at the previous `obj`,
    // so the whole pass stays linear.
    let p = i - 1;
    const skip = (test: (c: number) => boolean) => { const from = p; while (p >= 0 && test(text.charCodeAt(p))) p--; return from - p; };
    if (!skip(isSpace)) continue;
    const genEnd = p + 1;
    if (!skip(isDigit)) continue;
    const genStart = p + 1;
    if (!skip(isSpace)) continue;
    const numEnd = p + 1;
    if (!skip(isDigit)) continue;
    const start = p + 1;
    headers.push({ num: Number(text.slice(start, numEnd)), gen: Number(text.slice(genStart, genEnd)), start, after: i + 3 });
  }
  return { headers, endobjs, valueRefs: null, names: new Map() };
}

/** Index of the last element of the sorted `xs` with key(x) <= v, or -1. */
function lastAtMost<T>(xs: T[], v: number, key: (x: T) => number): number {
  let lo = 0, hi = xs.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) <= v) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
const self = (x: number) => x;

/**
 * The indirect object around offset `at`: its number, generation and text, up to its `endobj` (or the next
 * object header, when a crafted file leaves one unterminated).
 */
function enclosingObject(index: ObjectIndex, textLength: number, at: number): PdfObject | null {
  const h = lastAtMost(index.headers, at, (x) => x.after);
  if (h < 0) return null;
  const { num, gen, start } = index.headers[h];
  const e = lastAtMost(index.endobjs, at, self);
  if (e >= 0 && index.endobjs[e] > start) return null; // `at` is not inside that object
  const next = e + 1 < index.endobjs.length ? index.endobjs[e + 1] : textLength;
  const nextHeader = h + 1 < index.headers.length ? index.headers[h + 1].start : textLength;
  return { num, gen, start, end: Math.min(next, nextHeader) };
}

/** The signature field's /T: the last object whose /V points at the signature dictionary. */
function fieldNameFor(text: string, index: ObjectIndex, num: number, gen: number): string | null {
  if (!index.valueRefs) {
    index.valueRefs = new Map();
    const re = /\/V\s+(\d{1,10})\s+(\d{1,5})\s+R(?![0-9A-Za-z])/g;
    for (let m; (m = re.exec(text)); ) {
      const key = `${m[1]} ${m[2]}`;
      const at = index.valueRefs.get(key);
      if (at) at.push(m.index); else index.valueRefs.set(key, [m.index]);
    }
  }
  let name: string | null = null;
  for (const at of index.valueRefs.get(`${num} ${gen}`) ?? []) {
    const obj = enclosingObject(index, text.length, at);
    if (!obj) continue;
    let t = index.names.get(obj.start);
    if (t === undefined) {
      t = dictString(text.slice(obj.start, obj.end), 'T');
      index.names.set(obj.start, t);
    }
    if (t !== null) name = t;
  }
  return name;
}

// ---- what was appended after the last signature -------------------------------------------------------------
// A validator's question: do the incremental updates after the last signature only add validation data? Each
// object they redefine is compared, key by key, with its previous definition (values read into a canonical form,
// so another writer's spacing or string escapes do not count as a change). New objects matter only where a changed
// object points at them (a page's /Annots, the form's /Fields): anything else is unreachable from what was signed.

/** A value in canonical text; a dictionary's entries (key without '/', canonical value); an array's references. */
interface Canon { text: string; dict?: Map<string, string>; refs?: string[]; end: number }

class SyntaxStop extends Error {}
const DELIMS = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);

function skipWs(s: string, i: number): number {
  for (;;) {
    while (i < s.length && (isSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 0)) i++;
    if (s[i] !== '%') return i;
    while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
  }
}

function readToken(s: string, i: number): { tok: string; end: number } {
  let j = i;
  while (j < s.length && !isSpace(s.charCodeAt(j)) && !DELIMS.has(s[j])) j++;
  return { tok: s.slice(i, j), end: j };
}

function parseValue(s: string, i: number, depth = 0): Canon {
  if (depth > 32) throw new SyntaxStop('too deep');
  i = skipWs(s, i);
  if (i >= s.length) throw new SyntaxStop('end');
  if (s.startsWith('<<', i)) {
    const dict = new Map<string, string>();
    i += 2;
    for (;;) {
      i = skipWs(s, i);
      if (s.startsWith('>>', i)) break;
      if (s[i] !== '/') throw new SyntaxStop('key');
      const k = readToken(s, i + 1);
      const v = parseValue(s, k.end, depth + 1);
      dict.set(k.tok.replace(/#([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), v.text);
      i = v.end;
    }
    const text = `<<${[...dict.keys()].sort().map((k) => `/${k} ${dict.get(k)}`).join(' ')}>>`;
    return { text, dict, end: i + 2 };
  }
  if (s[i] === '[') {
    const items: string[] = [];
    const refs: string[] = [];
    i += 1;
    for (;;) {
      i = skipWs(s, i);
      if (s[i] === ']') break;
      const v = parseValue(s, i, depth + 1);
      items.push(v.text);
      if (v.text.endsWith(' R')) refs.push(v.text.slice(0, -2));
      i = v.end;
    }
    return { text: `[${items.join(' ')}]`, refs, end: i + 1 };
  }
  if (s[i] === '(' || s[i] === '<') {
    const b = readPdfString(s, i);
    if (!b || b === UNTERMINATED) throw new SyntaxStop('string');
    // The end of the string: '>' for hex; for a literal, re-scan with the same escapes.
    let end = i + 1;
    if (s[i] === '<') end = s.indexOf('>', i) + 1;
    else for (let d = 1; d > 0; end++) { if (s[end] === '\\') end++; else if (s[end] === '(') d++; else if (s[end] === ')') d--; }
    // As text: the same words written in PDFDocEncoding or UTF-16 by another writer are the same value.
    return { text: JSON.stringify(pdfText(b)), end };
  }
  if (s[i] === '/') {
    const t = readToken(s, i + 1);
    return { text: `/${t.tok.replace(/#([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))}`, end: t.end };
  }
  const t = readToken(s, i);
  if (!t.tok) throw new SyntaxStop(`unexpected ${s[i]}`);
  if (/^\d+$/.test(t.tok)) {
    // "n g R", a reference?
    const m = /^\s+(\d+)\s+R(?![A-Za-z0-9])/.exec(s.slice(t.end, t.end + 24));
    if (m) return { text: `${Number(t.tok)} ${Number(m[1])} R`, end: t.end + m[0].length };
  }
  const n = Number(t.tok);
  return { text: /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t.tok) && Number.isFinite(n) ? String(n) : t.tok, end: t.end };
}

/** The object's top value after `num gen obj` (null when it is not readable). */
function objectValue(text: string, o: { after: number; end: number }): (Canon & { stream: boolean }) | null {
  if (o.end - o.after > 1 << 20) return null; // a huge object is not read here: reported as unknown
  const body = text.slice(o.after, o.end);
  try {
    const v = parseValue(body, 0);
    return { ...v, stream: /^\s*stream\b/.test(body.slice(v.end, v.end + 16)) };
  } catch {
    return null;
  }
}

/** Keys whose values differ between two dictionaries. */
function changedKeys(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k));
}

/** Objects an appended revision may hold at most before the look is given up (and reported as unknown). */
const MAX_APPENDED_OBJECTS = 5000;

/** SHA-256 of `pdf` up to each revision end (after %%EOF, with and without its end of line) from `from` on: one pass. */
function prefixHashes(pdf: Buffer, text: string, from: number): string[] {
  const ends = [from];
  for (let i = text.indexOf('%%EOF', from); i >= 0; i = text.indexOf('%%EOF', i + 5)) {
    // A revision may end right after %%EOF or after its end of line (the next update may bring its own).
    let end = i + 5;
    if (end > ends[ends.length - 1]) ends.push(end);
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    if (end > ends[ends.length - 1]) ends.push(end);
  }
  if (ends[ends.length - 1] !== pdf.length) ends.push(pdf.length);
  const h = createHash('sha256');
  let at = 0;
  return ends.map((end) => { h.update(pdf.subarray(at, end)); at = end; return h.copy().digest('hex'); });
}

function classifyAppended(text: string, index: ObjectIndex, from: number, validTimestamps: Set<string | undefined>): { revisions: number; changes: AfterSignatureChange[] } {
  const changes = new Set<AfterSignatureChange>();
  const tail = text.slice(from);
  let revisions = 0;
  let lastEof = -1;
  for (let i = tail.indexOf('%%EOF'); i >= 0; i = tail.indexOf('%%EOF', i + 5)) { revisions++; lastEof = i + 5; }
  if (!revisions || /\S/.test(tail.slice(lastEof))) changes.add('unknown'); // bytes that are no revision at all
  // Each revision must bring validation data or a document timestamp: an empty or other update is not one of them
  // (said only when nothing more telling was found).
  let notLtv = false;
  for (let start = 0, i = tail.indexOf('%%EOF'); i >= 0; start = i + 5, i = tail.indexOf('%%EOF', i + 5)) {
    if (!/\/Type\s*\/DSS\b|\/DSS\s+\d+\s+\d+\s+R|\/Type\s*\/DocTimeStamp\b/.test(tail.slice(start, i))) notLtv = true;
  }
  if (/\/Type\s*\/ObjStm\b/.test(tail) || /\/Encrypt\b/.test(tail)) changes.add('unknown'); // objects we cannot see

  // The latest definition of each object, in file order: before `from` they are the signed state.
  const defs = new Map<string, { after: number; end: number }>();
  const appended: { key: string; prev: { after: number; end: number } | undefined; cur: { after: number; end: number } }[] = [];
  for (let h = 0; h < index.headers.length; h++) {
    const x = index.headers[h];
    const o = enclosingObject(index, text.length, x.after);
    if (!o) continue;
    const key = `${x.num} ${x.gen}`;
    const at = { after: x.after, end: o.end };
    if (x.start >= from) {
      if (appended.length >= MAX_APPENDED_OBJECTS) { changes.add('unknown'); break; }
      appended.push({ key, prev: defs.get(key), cur: at });
    }
    defs.set(key, at);
  }
  // Each look reads an object's text once; a crafted file redefining one big object many times stops at a budget.
  let budget = 4 * tail.length + (16 << 20);
  const read = (o: { after: number; end: number }) => {
    budget -= o.end - o.after;
    if (budget < 0) { changes.add('unknown'); return null; }
    return objectValue(text, o);
  };
  const value = (key: string) => { const o = defs.get(key); return o ? read(o) : null; };
  const typeOf = (v: Canon | null) => v?.dict?.get('Type') ?? null;
  /** An added /Annots or /Fields entry: a document timestamp's field is allowed; what else it is, otherwise. */
  const judgeAdded = (ref: string) => {
    const v = value(ref)?.dict;
    if (!v) return changes.add('unknown');
    if (v.get('FT') === '/Sig') {
      const sig = /^(\d+ \d+) R$/.exec(v.get('V') ?? '')?.[1];
      const sigType = sig ? value(sig)?.dict?.get('Type') : null;
      if (sigType === '/DocTimeStamp') {
        if (!validTimestamps.has(sig)) changes.add('invalidTimestamp');
        // A document timestamp shows nothing: a widget of it that paints something is an annotation like any other.
        const [x1, y1, x2, y2] = (/^\[(.*)\]$/.exec(v.get('Rect') ?? '[0 0 0 0]')?.[1] ?? '').split(' ').map(Number);
        if (v.has('AP') && (x2 - x1) * (y2 - y1) !== 0) changes.add('annotation');
        return;
      }
      return changes.add('formField');
    }
    changes.add(v.get('Subtype') === '/Widget' || v.has('FT') || v.has('Parent') ? 'formField' : 'annotation');
  };
  const judgeList = (before: string[], after: string[], removed: AfterSignatureChange) => {
    if (before.some((r) => !after.includes(r))) changes.add(removed);
    for (const r of after) if (!before.includes(r)) judgeAdded(r);
  };
  const refsOf = (v: string | undefined, resolve = true): string[] | null => {
    if (v === undefined) return [];
    const one = /^(\d+ \d+) R$/.exec(v);
    if (one && resolve) return null; // an indirect array: judged where it is redefined
    return [...v.matchAll(/(\d+ \d+) R/g)].map((m) => m[1]);
  };

  for (const { prev, cur } of appended) {
    if (budget < 0) break;
    const now = read(cur);
    if (!now) { changes.add('unknown'); continue; }
    const t = typeOf(now);
    if (t === '/XRef' || t === '/DSS' || t === '/VRI' || t === '/DocTimeStamp') continue;
    if (!prev) continue; // a new object: judged where a changed object points at it
    const old = read(prev);
    if (!old) { changes.add('unknown'); continue; }
    if (typeOf(old) === '/DSS') continue;
    if (now.text === old.text) continue;
    if (!now.dict || !old.dict) {
      if (now.refs && old.refs) judgeList(old.refs, now.refs, 'annotation'); // an indirect /Annots or /Fields array
      else changes.add(now.stream || old.stream ? 'pageContent' : 'unknown');
      continue;
    }
    if (now.stream || old.stream) { changes.add('pageContent'); continue; }
    const diff = changedKeys(old.dict, now.dict);
    if (t === '/Catalog') {
      for (const k of diff) if (k !== 'DSS' && k !== 'Extensions') changes.add(k === 'AcroForm' ? 'formField' : 'unknown');
    } else if (t === '/Page') {
      for (const k of diff) {
        if (k !== 'Annots') { changes.add('pageContent'); continue; }
        const a = refsOf(old.dict.get(k)), b = refsOf(now.dict.get(k));
        if (a && b) judgeList(a, b, 'annotation'); else changes.add('annotation');
      }
    } else if (old.dict.has('Fields')) {
      for (const k of diff) {
        if (k === 'SigFlags') continue;
        const a = k === 'Fields' ? refsOf(old.dict.get(k)) : null, b = k === 'Fields' ? refsOf(now.dict.get(k)) : null;
        if (a && b) judgeList(a, b, 'formField'); else changes.add('formField');
      }
    } else if (diff.every((k) => k === 'Producer' || k === 'ModDate') && !old.dict.has('Type')) {
      // the document information dictionary: a writer's name and the time of the update
    } else if (old.dict.has('FT') || old.dict.get('Subtype') === '/Widget' || old.dict.has('Parent')) {
      changes.add('formField');
    } else if (t === '/Annot' || old.dict.has('Subtype')) {
      changes.add(t === '/Annot' || old.dict.has('Rect') ? 'annotation' : 'pageContent');
    } else {
      changes.add('unknown');
    }
  }
  if (notLtv && !changes.size) changes.add('unknown');
  return { revisions, changes: [...changes] };
}

// ---- CMS ---------------------------------------------------------------------------------------------------
interface CmsCheck {
  digestOk: boolean;
  signatureOk: boolean;
  signer: ParsedCert | null;
  certs: ParsedCert[];
  signingTime: Date | null;
  /** A TimeStampToken (eContent TSTInfo): its genTime; its imprint is what `digestOk` checked against the ranges. */
  tstTime: Date | null;
  /** The signature-time-stamp token (unsigned attribute) and the signature value it stamps. */
  signatureTimestamp: { token: Buffer; signatureValue: Buffer } | null;
  /** A TimeStampToken's imprint equals the hash of what it stamps (true for a signature). */
  imprintOk: boolean;
  problems: string[];
}

const hashOf = (name: string, parts: Buffer[]) => { const h = createHash(name); for (const p of parts) h.update(p); return h.digest(); };

/**
 * Checks a CMS SignedData over `ranges`: a detached signature (messageDigest = hash of the ranges), or an RFC 3161
 * TimeStampToken (messageDigest = hash of its TSTInfo, whose imprint = hash of the ranges).
 */
function checkCms(cms: Buffer, ranges: Buffer[]): CmsCheck {
  const r: CmsCheck = { digestOk: false, signatureOk: false, signer: null, certs: [], signingTime: null, tstTime: null, signatureTimestamp: null, imprintOk: true, problems: [] };
  const contentInfo = kids(readDer(cms, 0));
  if (oidOf(contentInfo[0]) !== OID.signedData) throw new DerError('not SignedData');
  const sd = kids(kids(contentInfo[1])[0]);
  // SignedData: version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
  const encap = kids(sd[2]);
  const eContentType = oidOf(encap[0]);
  let signedContent = ranges;
  let imprintOk = true;
  if (eContentType === OID.tstInfo && encap.length > 1) {
    // TSTInfo: version, policy, messageImprint {hashAlgorithm, hashedMessage}, serialNumber, genTime, ...
    const eContent = Buffer.from(content(kids(encap[1])[0]));
    const tst = kids(readDer(eContent, 0));
    const [alg, hashed] = kids(tst[2]);
    const imprintHash = DIGESTS[oidOf(kids(alg)[0])];
    r.tstTime = derTime(tst[4]);
    imprintOk = !!imprintHash && hashOf(imprintHash, ranges).equals(content(hashed));
    r.imprintOk = imprintOk;
    if (!imprintOk) r.problems.push('Dấu thời gian không khớp với nội dung được đóng dấu thời gian (giá trị băm không khớp).');
    signedContent = [eContent];
  } else if (encap.length > 1) {
    r.problems.push('Chữ ký chứa nội dung đính kèm (không phải chữ ký tách rời), không được hỗ trợ.');
  }
  const certSet = sd.find((x, i) => i > 2 && x.tag === 0xa0);
  for (const c of certSet ? kids(certSet) : []) {
    if (c.tag !== 0x30) continue;
    try { r.certs.push(parseCert(Buffer.from(raw(c)))); } catch { /* an unreadable extra certificate */ }
  }
  const signerInfos = kids(sd[sd.length - 1]);
  if (signerInfos.length !== 1) r.problems.push(`Chữ ký có ${signerInfos.length} người ký trong một khối CMS.`);
  const si = kids(signerInfos[0]);
  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
  const sid = si[1];
  if (sid.tag === 0x30) {
    const [issuer, serial] = kids(sid);
    const want = stripZeros(content(serial));
    r.signer = r.certs.find((c) => c.serial.equals(want) && c.issuerDer.equals(raw(issuer))) ?? null;
  } else if (sid.tag === 0x80) {
    const keyId = content(sid);
    r.signer = r.certs.find((c) => c.ski?.equals(keyId)) ?? null;
  }
  const hashName = DIGESTS[oidOf(kids(si[2])[0])];
  if (!hashName) {
    r.problems.push('Thuật toán băm của chữ ký không được hỗ trợ.');
    return r;
  }
  const signedAttrs = si[3].tag === 0xa0 ? si[3] : null;
  const algIdx = signedAttrs ? 4 : 3;
  const sigAlgOid = oidOf(kids(si[algIdx])[0]);
  const signature = content(si[algIdx + 1]);
  const unsignedAttrs = si[algIdx + 2]?.tag === 0xa1 ? si[algIdx + 2] : null;
  for (const a of unsignedAttrs ? kids(unsignedAttrs) : []) {
    const [type, values] = kids(a);
    const token = kids(values)[0];
    if (oidOf(type) === OID.signatureTimeStampToken && token && !r.signatureTimestamp) {
      r.signatureTimestamp = { token: Buffer.from(raw(token)), signatureValue: Buffer.from(signature) };
    }
  }

  const digest = hashOf(hashName, signedContent);

  if (!r.signer?.x509) {
    r.problems.push('Không tìm thấy chứng thư số của người ký trong chữ ký.');
  }
  if (!(sigAlgOid in SIGNATURE_ALGS)) {
    r.problems.push('Thuật toán chữ ký không được hỗ trợ.');
    return r;
  }
  const verifyHash = SIGNATURE_ALGS[sigAlgOid] ?? hashName;

  if (signedAttrs) {
    let messageDigest: Buffer | null = null;
    let contentTypeOk = true;
    for (const a of kids(signedAttrs)) {
      const [type, values] = kids(a);
      const oid = oidOf(type);
      const first = kids(values)[0];
      if (!first) continue;
      if (oid === OID.messageDigest) messageDigest = Buffer.from(content(first));
      else if (oid === OID.signingTime) r.signingTime = derTime(first);
      else if (oid === OID.contentType) contentTypeOk = oidOf(first) === (eContentType === OID.tstInfo ? OID.tstInfo : OID.data);
    }
    r.digestOk = !!messageDigest && messageDigest.equals(digest);
    if (!r.digestOk) r.problems.push('Nội dung tệp đã bị thay đổi sau khi ký (giá trị băm không khớp).');
    if (!contentTypeOk) r.problems.push('Thuộc tính contentType của chữ ký không hợp lệ.');
    if (r.signer?.x509) {
      // What was signed is the DER SET OF the attributes: the same bytes with the SET tag instead of [0].
      const der = Buffer.from(raw(signedAttrs));
      der[0] = 0x31;
      try { r.signatureOk = cryptoVerify(verifyHash, der, r.signer.x509.publicKey, signature); } catch { r.signatureOk = false; }
      if (!r.signatureOk) r.problems.push('Chữ ký số không khớp với chứng thư số của người ký.');
    }
    r.digestOk = r.digestOk && contentTypeOk && imprintOk;
  } else if (r.signer?.x509) {
    // No signed attributes: the signature is directly over the signed bytes.
    try {
      const v = createVerify(verifyHash);
      for (const part of signedContent) v.update(part);
      r.signatureOk = r.digestOk = v.verify(r.signer.x509.publicKey, signature);
    } catch { r.signatureOk = false; }
    if (!r.signatureOk) r.problems.push('Nội dung tệp đã bị thay đổi sau khi ký hoặc chữ ký không khớp chứng thư số.');
    r.digestOk = r.digestOk && imprintOk;
  }
  return r;
}

/** The time-stamping authority's name: its certificate's CN, else O. */
const authorityOf = (c: ParsedCert | null) => (c ? c.subject[OID.commonName] ?? c.subject[OID.organization] ?? null : null);

/** A certificate to judge for revocation once the file's validation data is read, and where the answer goes. */
interface RevocationSubject { target: { revocation: RevocationReport; chain: string[] }; cert: X509Certificate; pool: X509Certificate[]; at: Date | null }

const NO_TSA_CERTIFICATE = 'Không đọc được chứng thư số của đơn vị cấp dấu thời gian.';
const x509sOf = (certs: ParsedCert[]) => certs.map((p) => p.x509).filter((p): p is X509Certificate => !!p);

/** A signature-time-stamp token over `signatureValue`, or a document timestamp's over its ranges. */
function timestampReport(token: Buffer, stamped: Buffer[], anchors: X509Certificate[], subjects: RevocationSubject[]): TimestampReport | null {
  try {
    const c = checkCms(token.subarray(0, readDer(token, 0).end), stamped);
    if (!c.tstTime) return null;
    const x = c.signer?.x509;
    const pool = x509sOf(c.certs);
    const report: TimestampReport = {
      time: c.tstTime.toISOString(),
      authority: authorityOf(c.signer),
      intact: c.digestOk && c.signatureOk && c.problems.length === 0,
      imprintMatches: c.imprintOk,
      trusted: !!x && chainsTo(x, pool, anchors),
      revocation: unknownRevocation(c.tstTime, x ? NO_VALIDATION_DATA : NO_TSA_CERTIFICATE),
      chain: [],
    };
    if (x) subjects.push({ target: report, cert: x, pool, at: c.tstTime });
    return report;
  } catch {
    return null;
  }
}

// ---- validation data (the DSS) -------------------------------------------------------------------------------
/** Entries read per DSS array, and decoded bytes in all: a crafted DSS cannot make the look cost more. */
const MAX_DSS_ENTRIES = 64;
const MAX_DSS_BYTES = 16 << 20;

/** The OCSP responses, CRLs and certificates of every /DSS in the file (the latest definition of each), decoded. */
function validationDataOf(pdf: Buffer, text: string, index: ObjectIndex): ValidationDataDer {
  const out: ValidationDataDer = { ocsps: [], crls: [], certs: [] };
  const dssKeys = new Set<string>();
  // indexOf, not a regular expression: this scans the whole (30 MB) file.
  for (let at = text.indexOf('/DSS'); at >= 0 && dssKeys.size <= 8; at = text.indexOf('/DSS', at + 4)) {
    if (isWordChar(text.charCodeAt(at + 4)) || !/\/Type\s*$/.test(text.slice(Math.max(0, at - 16), at))) continue;
    const o = enclosingObject(index, text.length, at);
    if (o) dssKeys.add(`${o.num} ${o.gen}`);
  }
  if (!dssKeys.size) return out;
  // The latest definition of each object, by "num gen".
  const latest = new Map<string, { after: number; end: number }>();
  for (const h of index.headers) {
    const o = enclosingObject(index, text.length, h.after);
    if (o) latest.set(`${h.num} ${h.gen}`, { after: h.after, end: o.end });
  }
  let budget = MAX_DSS_BYTES;
  const streamOf = (key: string): Buffer | null => {
    const def = latest.get(key);
    const v = def && objectValue(text, def);
    if (!def || !v?.stream || !v.dict) return null;
    let p = text.indexOf('stream', def.after + v.end) + 6;
    if (p < 6 || p > def.end) return null;
    if (text[p] === '\r') p++;
    if (text[p] === '\n') p++;
    const len = Number(v.dict.get('Length'));
    let end = Number.isInteger(len) && len >= 0 && p + len <= def.end ? p + len : text.lastIndexOf('endstream', def.end);
    if (end < p) return null;
    if (Number.isNaN(len) && text[end - 1] === '\n') end -= text[end - 2] === '\r' ? 2 : 1;
    const bytes = pdf.subarray(p, end);
    const filter = v.dict.get('Filter');
    try {
      const data = !filter ? Buffer.from(bytes) : /^\[?\/FlateDecode\]?$/.test(filter) ? inflateSync(bytes, { maxOutputLength: Math.min(4 << 20, Math.max(1, budget)) }) : null;
      if (data) budget -= data.length;
      return data && budget >= 0 ? data : null;
    } catch {
      return null;
    }
  };
  const refsIn = (value: string | undefined): string[] => {
    if (!value) return [];
    const one = /^(\d+ \d+) R$/.exec(value);
    if (one) { const d = latest.get(one[1]); value = d ? objectValue(text, d)?.text ?? '' : ''; } // an indirect array
    return [...value.matchAll(/(\d+ \d+) R/g)].slice(0, MAX_DSS_ENTRIES).map((m) => m[1]);
  };
  const seen = new Set<string>();
  for (const key of dssKeys) {
    const def = latest.get(key);
    const dss = def ? objectValue(text, def)?.dict : null;
    if (!dss || dss.get('Type') !== '/DSS') continue;
    for (const [name, list] of [['OCSPs', out.ocsps], ['CRLs', out.crls], ['Certs', out.certs]] as const) {
      for (const ref of refsIn(dss.get(name))) {
        if (seen.has(ref) || budget < 0) continue;
        seen.add(ref);
        const data = streamOf(ref);
        if (data) list.push(data);
      }
    }
  }
  return out;
}

// ---- the file ----------------------------------------------------------------------------------------------
export function verifyPdfSignatures(pdf: Buffer, opts: VerifyOptions = {}): PdfVerification {
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const isPdf = pdf.subarray(0, 1024).indexOf('%PDF-') >= 0;
  const result: PdfVerification = {
    isPdf, size: pdf.length, sha256, signatures: [], uncheckedSignatures: 0, bytesAfterLastSignature: 0, modifiedAfterLastSignature: false,
    ltvUpdates: 0, changesAfterLastSignature: [], signedRevisionSha256: null, revisionSha256s: [], resaved: false,
  };
  if (!isPdf) return result;
  const anchors = trustedCerts(opts.trustedCaPems ?? []);
  const subjects: RevocationSubject[] = [];
  const text = pdf.toString('latin1');
  const seen = new Set<string>();
  const objectKeys = new Map<SignatureReport, string>();
  let index: ObjectIndex | null = null; // built at the first signature: most uploads have a few

  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  let found = 0;
  for (let m; (m = re.exec(text)); ) {
    // Past the limit, only count: each check may hash the whole file.
    if (++found > 4 * MAX_SIGNATURES || result.signatures.length >= MAX_SIGNATURES) { result.uncheckedSignatures += 1; continue; }
    const br = [1, 2, 3, 4].map((k) => Number(m![k]));
    index ??= indexObjects(text);
    const obj = enclosingObject(index, text.length, m.index);
    const key = obj ? `${obj.num} ${obj.gen}` : `@${m.index}`;
    if (obj && seen.has(key)) continue; // the same dictionary written again in a later revision
    seen.add(key);
    const report = checkSignature(pdf, text, index, br, obj, anchors, subjects);
    objectKeys.set(report, key);
    result.signatures.push(report);
    if (obj && obj.end > re.lastIndex) re.lastIndex = obj.end;
  }
  const signatures = result.signatures.filter((s) => s.kind === 'signature');
  result.resaved = result.signatures.some((s) => !s.byteRangeIntact && s.certificate !== null);
  // The signed revisions end where an intact ByteRange says; a rewritten file has none to go by.
  const intactEnd = signatures.reduce((max, s) => (s.byteRangeIntact ? Math.max(max, s.revisionEnd) : max), 0);
  const lastEnd = intactEnd || signatures.reduce((max, s) => Math.max(max, s.revisionEnd), 0);
  if (signatures.length) {
    result.bytesAfterLastSignature = Math.max(0, pdf.length - lastEnd);
    result.modifiedAfterLastSignature = result.bytesAfterLastSignature > 0;
    if (result.bytesAfterLastSignature > 0 && intactEnd > 0) {
      result.signedRevisionSha256 = createHash('sha256').update(pdf.subarray(0, lastEnd)).digest('hex');
      index ??= indexObjects(text);
      const validTimestamps = new Set(result.signatures.filter((s) => s.kind === 'documentTimestamp' && s.valid && s.revisionEnd > lastEnd)
        .map((s) => objectKeys.get(s)));
      const after = classifyAppended(text, index, lastEnd, validTimestamps);
      result.ltvUpdates = after.changes.length ? 0 : after.revisions;
      result.revisionSha256s = prefixHashes(pdf, text, lastEnd);
      result.changesAfterLastSignature = after.changes;
      result.modifiedAfterLastSignature = after.changes.length > 0;
    }
    // Levels: B-T with an intact signature timestamp; B-LT when a DSS was added after it; B-LTA when a valid
    // document timestamp follows that DSS.
    const dssAt = [...text.matchAll(/\/DSS\s+\d+\s+\d+\s+R/g)].map((m) => m.index!).filter((at) => at >= lastEnd);
    for (const s of signatures) {
      if (!s.subFilter?.startsWith('ETSI.') || !s.valid) continue;
      s.level = s.timestamp?.intact ? 'B-T' : 'B-B';
      const dss = dssAt.find((at) => at >= s.revisionEnd);
      if (s.level === 'B-T' && dss !== undefined && s.valid) {
        s.level = 'B-LT';
        if (result.signatures.some((t) => t.kind === 'documentTimestamp' && t.valid && t.byteRange[1] > dss)) s.level = 'B-LTA';
      }
    }
  }
  // What each signature covers: later signatures and, after the last one, LTV updates are what validators allow.
  for (const s of result.signatures) {
    s.uncoveredBytes = s.byteRangeIntact ? Math.max(0, pdf.length - s.revisionEnd) : pdf.length;
    const later = result.signatures.filter((t) => t !== s && t.revisionEnd > s.revisionEnd);
    s.coverage = s.coversWholeDocument ? 'entireFile'
      : s.byteRangeIntact && !result.resaved && !result.modifiedAfterLastSignature && !result.uncheckedSignatures
        && later.every((t) => t.valid && t.byteRangeIntact) ? 'entireRevision' : 'partial';
  }
  // Revocation, from the DSS the file carries (read once, only when there is a certificate to judge).
  if (subjects.length) {
    index ??= indexObjects(text);
    let data = parseValidationData({ ocsps: [], crls: [], certs: [] });
    try { data = parseValidationData(validationDataOf(pdf, text, index)); } catch { /* an unreadable DSS proves nothing */ }
    // The same certificate is judged several times (a TSA's for each timestamp): its issuer and findings once.
    const judge = revocationJudge(data);
    const issuers = new Map<string, X509Certificate | null>();
    for (const sub of subjects) {
      try {
        const key = sub.cert.fingerprint256;
        if (!issuers.has(key)) issuers.set(key, findIssuer(sub.cert, [...sub.pool, ...data.certs, ...anchors]));
        const issuer = issuers.get(key)!;
        sub.target.chain = [sub.cert.raw, ...(issuer ? [issuer.raw] : [])].map((b) => b.toString('base64'));
        sub.target.revocation = judge(sub.cert, issuer, sub.at);
      } catch {
        sub.target.revocation = unknownRevocation(sub.at, 'Không đọc được dữ liệu thu hồi trong tệp.');
      }
    }
  }
  return result;
}

function checkSignature(
  pdf: Buffer, text: string, index: ObjectIndex, br: number[], obj: PdfObject | null, anchors: X509Certificate[], subjects: RevocationSubject[],
): SignatureReport {
  const dict = obj ? text.slice(obj.start, obj.end) : '';
  const subFilter = dictName(dict, 'SubFilter');
  const kind = dictName(dict, 'Type') === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161' ? 'documentTimestamp' : 'signature';
  const report: SignatureReport = {
    kind,
    field: obj ? fieldNameFor(text, index, obj.num, obj.gen) : null,
    signerCommonName: null,
    signingTime: null,
    valid: false,
    byteRangeIntact: false,
    timestamp: null,
    level: null,
    coversWholeDocument: false,
    coverage: 'partial',
    uncoveredBytes: pdf.length,
    revocation: unknownRevocation(null, 'Không đọc được chứng thư số của người ký.'),
    chain: [],
    chainsToTrustedCa: false,
    certificateValidAtSigningTime: false,
    byteRange: br,
    revisionEnd: br[2] + br[3],
    subFilter,
    name: dictString(dict, 'Name'),
    reason: dictString(dict, 'Reason'),
    location: dictString(dict, 'Location'),
    certificate: null,
    problems: [],
  };
  const dictTime = pdfDate(dictString(dict, 'M'));

  // The ByteRange: [0, '<' of /Contents, just past '>', to the end of the signed revision].
  const [a, b, c, d] = br;
  const end = c + d;
  const rangeProblems: string[] = [];
  if (a !== 0) rangeProblems.push('Vùng ký (ByteRange) không bắt đầu từ đầu tệp.');
  if (!(b < c && end <= pdf.length)) rangeProblems.push('Vùng ký (ByteRange) vượt ra ngoài tệp.');
  let cms: Buffer | null = null;
  if (!rangeProblems.length) {
    const gap = text.slice(b, c);
    if (!/^<[0-9A-Fa-f\s]*>$/.test(gap)) rangeProblems.push('Vùng ký (ByteRange) không loại trừ đúng giá trị chữ ký (/Contents).');
    else {
      // The gap must be the /Contents of this very dictionary.
      const contentsAt = obj ? /\/Contents\s*</.exec(dict) : null;
      const lt = contentsAt ? obj!.start + contentsAt.index + contentsAt[0].length - 1 : -1;
      if (lt !== b) rangeProblems.push('Vùng ký (ByteRange) không khớp với giá trị chữ ký của trường này.');
      let hex = gap.slice(1, -1).replace(/\s+/g, '');
      if (hex.length % 2) hex += '0';
      cms = Buffer.from(hex, 'hex');
    }
    // A signed revision ends with %%EOF (and at most an end-of-line).
    const tail = text.slice(Math.max(0, end - 16), end);
    if (!/%%EOF\s{0,2}$/.test(tail)) rangeProblems.push('Vùng ký không kết thúc tại cuối một phiên bản của tệp (%%EOF).');
  }
  report.problems.push(...rangeProblems);
  report.coversWholeDocument = !rangeProblems.length && end === pdf.length;
  report.byteRangeIntact = !rangeProblems.length;
  if (rangeProblems.length && obj) {
    // Rewritten after signing (a re-save moves every object): the signature value is still this dictionary's
    // own /Contents, so say whose it is even though the bytes it signed are no longer where it says.
    const own = /\/Contents\s*<([0-9A-Fa-f\s]*)>/.exec(dict);
    if (own) {
      let hex = own[1].replace(/\s+/g, '');
      if (hex.length % 2) hex += '0';
      cms = Buffer.from(hex, 'hex');
    }
  }

  let cryptoOk = false;
  let signer: ParsedCert | null = null;
  let certs: ParsedCert[] = [];
  let cmsTime: Date | null = null;
  if (cms && cms.length && !cms.every((x) => x === 0)) {
    try {
      const derEnd = readDer(cms, 0).end; // the hex is padded with zeros after the DER
      // With a broken ByteRange only the identity is read: the ranges are not the signed bytes.
      const ranges = rangeProblems.length ? [] : [pdf.subarray(0, b), pdf.subarray(c, end)];
      const check = checkCms(cms.subarray(0, derEnd), ranges);
      cryptoOk = check.digestOk && check.signatureOk && check.problems.length === 0;
      signer = check.signer;
      certs = check.certs;
      cmsTime = check.signingTime ?? check.tstTime;
      if (!rangeProblems.length) report.problems.push(...check.problems);
      if (check.signatureTimestamp) report.timestamp = timestampReport(check.signatureTimestamp.token, [check.signatureTimestamp.signatureValue], anchors, subjects);
      if (kind === 'documentTimestamp' && check.tstTime) {
        report.timestamp = {
          time: check.tstTime.toISOString(), authority: authorityOf(signer),
          intact: cryptoOk && !rangeProblems.length, imprintMatches: check.imprintOk && !rangeProblems.length,
          trusted: false, // set with the chain below
          revocation: unknownRevocation(check.tstTime, signer?.x509 ? NO_VALIDATION_DATA : NO_TSA_CERTIFICATE), chain: [],
        };
      }
    } catch {
      report.problems.push('Không đọc được khối chữ ký (CMS/PKCS#7) của trường này.');
    }
  } else if (!rangeProblems.length) {
    report.problems.push('Trường chữ ký chưa được ký (giá trị chữ ký trống).');
  }
  report.valid = cryptoOk && !rangeProblems.length;
  const signingTime = cmsTime ?? dictTime;
  report.signingTime = signingTime ? signingTime.toISOString() : null;

  if (signer) {
    report.signerCommonName = signer.subject[OID.commonName] ?? null;
    const x = signer.x509;
    report.certificate = {
      commonName: signer.subject[OID.commonName] ?? null,
      organization: signer.subject[OID.organization] ?? null,
      organizationalUnit: signer.subject[OID.organizationalUnit] ?? null,
      issuerCommonName: signer.issuer[OID.commonName] ?? null,
      serialNumber: signer.serial.toString('hex').toUpperCase(),
      notBefore: x ? new Date(x.validFrom).toISOString() : '',
      notAfter: x ? new Date(x.validTo).toISOString() : '',
    };
    if (x) {
      const pool = x509sOf(certs);
      // Judged at the timestamped time when there is one (a document timestamp: its own), else at the claimed time.
      const at = report.timestamp?.intact ? new Date(report.timestamp.time) : signingTime;
      report.revocation = unknownRevocation(at, NO_VALIDATION_DATA);
      subjects.push({ target: report, cert: x, pool, at });
      if (kind === 'documentTimestamp' && report.timestamp) subjects.push({ target: report.timestamp, cert: x, pool, at });
      report.chainsToTrustedCa = chainsTo(x, pool, anchors);
      if (report.timestamp && kind === 'documentTimestamp') report.timestamp.trusted = report.chainsToTrustedCa;
      else if (!report.chainsToTrustedCa) report.problems.push('Chứng thư số của người ký không do tổ chức chứng thực tin cậy của hệ thống cấp.');
      const t = signingTime ?? new Date();
      report.certificateValidAtSigningTime = new Date(x.validFrom) <= t && t <= new Date(x.validTo);
      if (!report.certificateValidAtSigningTime) report.problems.push('Chứng thư số của người ký không còn hiệu lực tại thời điểm ký.');
    }
  }
  return report;
}
