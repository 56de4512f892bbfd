// Fast CMS (PKCS#7) detached signer. node-forge's P12Signer hashes the whole PDF in pure JS (~0.4 s per
// 30 MB); here node:crypto hashes the byte ranges natively and the private key signs only the DER of the
// signed attributes. The CMS is assembled with a tiny DER writer, certificates are embedded byte-for-byte.
// Split as digest -> signedAttributes -> assembleCms so an external token (prepare-hash / attach-signature)
// can sign the attributes elsewhere later.
import { createHash, createPrivateKey, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { Signer } from '@signpdf/utils';
import { BYTE_RANGE_PLACEHOLDER, findPlaceholder } from './placeholder.js';
import type { KeyMaterial } from './pki.js';

// ---- minimal DER -------------------------------------------------------------------------------------------
function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
};
const seq = (...p: Buffer[]) => tlv(0x30, ...p);
/** DER SET OF: elements sorted by their encodings (verifiers re-encode signed attributes this way). */
const setOf = (...p: Buffer[]) => tlv(0x31, ...[...p].sort(Buffer.compare));
const octets = (b: Buffer) => tlv(0x04, b);
const int = (n: number) => tlv(0x02, Buffer.from([n]));
const NULL = Buffer.from([0x05, 0x00]);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) groups.unshift((x & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const s = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(s)) : tlv(0x18, Buffer.from(iso.slice(0, 4) + s.slice(2)));
}
/** Children (raw TLVs) of a constructed DER element. */
function children(der: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = headerLen(der, 0);
  while (off < der.length) {
    const len = elemLen(der, off);
    out.push(der.subarray(off, off + len));
    off += len;
  }
  return out;
}
function headerLen(b: Buffer, off: number): number {
  const l = b[off + 1];
  return l < 0x80 ? 2 : 2 + (l & 0x7f);
}
function elemLen(b: Buffer, off: number): number {
  const l = b[off + 1];
  if (l < 0x80) return 2 + l;
  let n = 0;
  for (let i = 0; i < (l & 0x7f); i++) n = n * 256 + b[off + 2 + i];
  return 2 + (l & 0x7f) + n;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};
const attr = (type: string, value: Buffer) => seq(oid(type), setOf(value));

// ---- identity ----------------------------------------------------------------------------------------------
export interface SigningIdentity {
  key: KeyObject;
  /** Signer certificate, DER. */
  certDer: Buffer;
  /** Certificates to embed: signer first, then its chain. */
  chainDer: Buffer[];
  commonName: string;
}

const identityCache = new Map<string, SigningIdentity>();

/** Opens a PKCS#12 (decryption in forge costs ~100 ms, so identities are cached per process). */
export function loadIdentity(k: KeyMaterial): SigningIdentity {
  const cacheKey = createHash('sha256').update(k.p12).update('\0').update(k.passphrase).digest('hex');
  const hit = identityCache.get(cacheKey);
  if (hit) return hit;
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(k.p12.toString('binary')), false, k.passphrase);
  const keyBag = (p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? [])[0]
    ?? (p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? [])[0];
  if (!keyBag?.key) throw new Error('PKCS#12 has no (RSA) private key');
  const key = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key as forge.pki.rsa.PrivateKey));
  const certDers = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .filter((b) => b.cert)
    .map((b) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'));
  // The signer certificate: the stored PEM when it matches the key (exact bytes), else the p12 one that does.
  const candidates = [...(k.certPem ? [new X509Certificate(k.certPem).raw] : []), ...certDers];
  const certDer = candidates.find((d) => new X509Certificate(d).checkPrivateKey(key));
  if (!certDer) throw new Error('No certificate in the PKCS#12 matches its private key');
  const chainDer = [certDer, ...certDers.filter((d) => !d.equals(certDer))];
  const identity = { key, certDer, chainDer, commonName: k.commonName };
  identityCache.set(cacheKey, identity);
  return identity;
}

// ---- CMS ---------------------------------------------------------------------------------------------------
/** issuer Name and serialNumber INTEGER of a certificate, as raw DER. */
function issuerAndSerial(certDer: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = children(certDer)[0];
  const f = children(tbs);
  const i = f[0][0] === 0xa0 ? 1 : 0; // skip [0] version
  return { serial: f[i], issuer: f[i + 2] };
}

/** The signed attributes as a DER SET (what the private key signs). */
export function signedAttributes(digest: Buffer, certDer: Buffer, signingTime: Date, withSigningTime = true): Buffer {
  const { issuer, serial } = issuerAndSerial(certDer);
  const certHash = createHash('sha256').update(certDer).digest();
  // ESSCertIDv2 with the default hash algorithm (sha256, omitted) and IssuerSerial {GeneralNames{[4] Name}}.
  const essCertIdV2 = seq(octets(certHash), seq(seq(tlv(0xa4, issuer)), serial));
  const attrs = [
    attr(OID.contentType, oid(OID.data)),
    attr(OID.messageDigest, octets(digest)),
    attr(OID.signingCertificateV2, seq(seq(essCertIdV2))),
  ];
  if (withSigningTime) attrs.push(attr(OID.signingTime, utcTime(signingTime)));
  return setOf(...attrs);
}

/** ContentInfo{SignedData} around signed attributes and their signature. */
export function assembleCms(signedAttrs: Buffer, signature: Buffer, chainDer: Buffer[], keyType = 'rsa'): Buffer {
  const { issuer, serial } = issuerAndSerial(chainDer[0]);
  const sha256 = seq(oid(OID.sha256));
  const sigAlg = keyType === 'ec' ? seq(oid(OID.ecdsaWithSha256)) : seq(oid(OID.rsaEncryption), NULL);
  const signerInfo = seq(
    int(1),
    seq(issuer, serial),
    sha256,
    Buffer.concat([Buffer.from([0xa0]), signedAttrs.subarray(1)]), // [0] IMPLICIT, same content as the SET
    sigAlg,
    octets(signature),
  );
  const signedData = seq(int(1), setOf(sha256), seq(oid(OID.data)), tlv(0xa0, ...chainDer), setOf(signerInfo));
  return seq(oid(OID.signedData), tlv(0xa0, signedData));
}

/** Detached CMS over a precomputed SHA-256 digest of the signed content. */
export function cmsSignDigest(digest: Buffer, id: SigningIdentity, signingTime: Date, withSigningTime = true): Buffer {
  const attrs = signedAttributes(digest, id.certDer, signingTime, withSigningTime);
  const signature = cryptoSign('sha256', attrs, id.key);
  return assembleCms(attrs, signature, id.chainDer, id.key.asymmetricKeyType);
}

/** @signpdf-compatible Signer (for use with @signpdf/signpdf), backed by the fast path above. */
export class FastP12Signer extends Signer {
  constructor(private readonly id: SigningIdentity) {
    super();
  }
  async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const digest = createHash('sha256').update(pdfBuffer).digest();
    return cmsSignDigest(digest, this.id, signingTime ?? new Date());
  }
}

/**
 * Signs the newest placeholder of `pdf` IN PLACE (no copy of the 30 MB buffer): fills /ByteRange,
 * hashes the two ranges with node:crypto, writes the hex CMS into /Contents. Returns `pdf`.
 */
export function signPlaceholderInPlace(
  pdf: Buffer,
  id: SigningIdentity,
  signingTime: Date,
  opts: { withSigningTime?: boolean } = {},
): Buffer {
  const p = findPlaceholder(pdf);
  const range = [0, p.contentsStart, p.contentsEnd, pdf.length - p.contentsEnd];
  const placeholderLen = BYTE_RANGE_PLACEHOLDER.length;
  const text = `/ByteRange [${range.join(' ')}]`;
  if (text.length > placeholderLen) throw new Error('ByteRange does not fit its placeholder');
  pdf.write(text.padEnd(placeholderLen, ' '), p.byteRangePos, 'latin1');

  const digest = createHash('sha256')
    .update(pdf.subarray(0, p.contentsStart))
    .update(pdf.subarray(p.contentsEnd))
    .digest();
  const cms = cmsSignDigest(digest, id, signingTime, opts.withSigningTime ?? true);
  const room = p.contentsEnd - p.contentsStart - 2;
  const hex = cms.toString('hex');
  if (hex.length > room) throw new Error(`Signature (${cms.length} bytes) exceeds the placeholder (${room / 2} bytes)`);
  pdf.write(hex.toUpperCase().padEnd(room, '0'), p.contentsStart + 1, 'latin1');
  return pdf;
}
