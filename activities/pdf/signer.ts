// Fast CMS (PKCS#7) detached signer for PAdES baseline signatures. node-forge's P12Signer hashes the whole PDF
// in pure JS (~0.4 s per 30 MB); here node:crypto hashes the byte ranges natively and the private key signs only
// the DER of the signed attributes. The CMS is built with pkijs + asn1js, certificates embedded byte-for-byte.
// Split as digest -> signedAttributes -> signature -> assembleCms (+ an optional RFC 3161 signature timestamp),
// so an external token (prepare-hash / attach-signature) can sign the attributes elsewhere later.
import { createHash, createPrivateKey, sign as cryptoSign, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import {
  AlgorithmIdentifier, Attribute, Certificate, ContentInfo, EncapsulatedContentInfo, GeneralName, GeneralNames,
  IssuerAndSerialNumber, IssuerSerial, SignedAndUnsignedAttributes, SignedData, SignerInfo,
} from 'pkijs';
import { Signer } from '@signpdf/utils';
import { arrayBufferOf, parseDer } from './der.js';
import { BYTE_RANGE_PLACEHOLDER, findPlaceholder } from './placeholder.js';
import type { KeyMaterial } from './pki.js';
import { imprintOf, type Timestamper } from './tsa.js';
import { sha256Of } from './append.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

const ab = arrayBufferOf;
const parse = parseDer;
const der = (o: { toSchema(): asn1js.AsnType } | asn1js.AsnType): Buffer =>
  Buffer.from(('toSchema' in o ? o.toSchema() : o).toBER(false));

// ---- identity ----------------------------------------------------------------------------------------------
/** A signer: its certificates and a private key that signs, wherever it lives (this process, a PKCS#11 token, later
 *  a remote signing service). The CMS's signatureAlgorithm follows `keyType`. */
export interface SigningIdentity {
  /** Signer certificate, DER. */
  certDer: Buffer;
  /** Certificates to embed: signer first, then its chain. */
  chainDer: Buffer[];
  commonName: string;
  keyType: 'rsa' | 'ec';
  /** The signature over `data` with SHA-256: RSA PKCS#1 v1.5, or ECDSA as a DER Ecdsa-Sig-Value. */
  sign(data: Buffer): Promise<Buffer>;
}

/** A key held by this process (a PKCS#12 opened with node:crypto). */
export interface SoftIdentity extends SigningIdentity {
  key: KeyObject;
}

/** What signing steps take: key material to open here, or an identity that signs on its own (a token's). */
export type SignerKey = KeyMaterial | SigningIdentity;

export const identityOf = (k: SignerKey): SigningIdentity => ('sign' in k ? k : loadIdentity(k));

/** The identity of a key held in this process (node:crypto signs; DER-encoded ECDSA as CMS wants). */
export function softIdentity(key: KeyObject, certDer: Buffer, chainDer: Buffer[], commonName: string): SoftIdentity {
  const keyType = key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
  if (key.asymmetricKeyType !== 'rsa' && keyType !== 'ec') throw new Error(`Unsupported signing key type ${key.asymmetricKeyType}`);
  return { key, certDer, chainDer, commonName, keyType, sign: async (data) => cryptoSign('sha256', data, key) };
}

const identityCache = new Map<string, SoftIdentity>();

/** Opens a PKCS#12 (decryption in forge costs ~100 ms, so identities are cached per process). */
export function loadIdentity(k: KeyMaterial): SoftIdentity {
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
  const identity = softIdentity(key, certDer, chainDer, k.commonName);
  identityCache.set(cacheKey, identity);
  return identity;
}

// ---- CMS ---------------------------------------------------------------------------------------------------
/** A certificate that encodes as its original DER (pkijs would re-parse its TBS at every encoding). */
class EmbeddedCertificate extends Certificate {
  private readonly raw: asn1js.AsnType;
  constructor(d: Buffer) {
    super({ schema: parse(d) });
    this.raw = parse(d);
  }
  override toSchema(): asn1js.Sequence {
    return this.raw as asn1js.Sequence;
  }
}
// Per signer certificate (identities are cached, so are their Buffers): the parsed certificate, its ESSCertIDv2.
const certCache = new WeakMap<Buffer, EmbeddedCertificate>();
const essCache = new WeakMap<Buffer, Buffer>();
function certOf(d: Buffer): Certificate {
  let c = certCache.get(d);
  if (!c) certCache.set(d, (c = new EmbeddedCertificate(d)));
  return c;
}

/** ESSCertIDv2 with the default hash algorithm (sha256, omitted) and IssuerSerial {GeneralNames{[4] Name}}. */
function essCertIdV2(certDer: Buffer): Buffer {
  let ess = essCache.get(certDer);
  if (ess) return ess;
  const cert = certOf(certDer);
  ess = der(new asn1js.Sequence({
    value: [
      new asn1js.OctetString({ valueHex: ab(createHash('sha256').update(certDer).digest()) }),
      new IssuerSerial({
        issuer: new GeneralNames({ names: [new GeneralName({ type: 4, value: cert.issuer })] }),
        serialNumber: cert.serialNumber,
      }).toSchema(),
    ],
  }));
  essCache.set(certDer, ess);
  return ess;
}

/**
 * The signed attributes as a DER SET (what the private key signs): content-type, message-digest and ESS
 * signing-certificate-v2. No signing-time: PAdES baseline puts the claimed time in the dictionary's /M only.
 */
export function signedAttributes(digest: Buffer, certDer: Buffer): Buffer {
  const attrs = [
    new Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: ab(digest) })] }),
    new Attribute({ type: OID.signingCertificateV2, values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [parse(essCertIdV2(certDer))] })] })] }),
  ];
  // DER SET OF: elements sorted by their encodings (verifiers re-encode signed attributes this way).
  const encoded = attrs.map((a) => der(a)).sort(Buffer.compare);
  return der(new asn1js.Set({ value: encoded.map(parse) }));
}

/**
 * ContentInfo{SignedData} around signed attributes and their signature; `timestampToken` (an RFC 3161
 * TimeStampToken over the signature value, DER) goes in as the unsigned signature-time-stamp attribute.
 */
export function assembleCms(signedAttrs: Buffer, signature: Buffer, chainDer: Buffer[], keyType: SigningIdentity['keyType'] = 'rsa', timestampToken?: Buffer): Buffer {
  const signer = certOf(chainDer[0]);
  const attrSet = parse(signedAttrs) as asn1js.Set;
  const signedAttrsObj = new SignedAndUnsignedAttributes({ type: 0, attributes: attrSet.valueBlock.value.map((v) => new Attribute({ schema: v })) });
  const signerInfo = new SignerInfo({
    version: 1,
    sid: new IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
    digestAlgorithm: new AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: signedAttrsObj,
    signatureAlgorithm: keyType === 'ec'
      ? new AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
      : new AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
    ...(timestampToken ? {
      unsignedAttrs: new SignedAndUnsignedAttributes({
        type: 1,
        attributes: [new Attribute({ type: OID.signatureTimeStampToken, values: [parse(timestampToken)] })],
      }),
    } : {}),
  });
  // The [0] IMPLICIT signed attributes must carry exactly the bytes that were signed.
  const reencoded = der(signedAttrsObj);
  if (!reencoded.subarray(1).equals(signedAttrs.subarray(1))) throw new Error('Signed attributes changed when re-encoded');
  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: [new AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: chainDer.map(certOf),
    signerInfos: [signerInfo],
  });
  return der(new ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) }));
}

/** Whether `signature` is `certDer`'s key's signature over `data` with SHA-256 (RSA PKCS#1 v1.5, or DER ECDSA). */
export function verifiesWith(certDer: Buffer, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify('sha256', data, new X509Certificate(certDer).publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * A signature made elsewhere as the CMS carries it, or null when it does not verify over `data` with `certDer`'s key:
 * RSA as it is; ECDSA as a DER Ecdsa-Sig-Value, also when given as PKCS#11 CKM_ECDSA returns it (r || s).
 */
export function cmsSignatureOf(certDer: Buffer, data: Buffer, signature: Buffer): Buffer | null {
  if (verifiesWith(certDer, data, signature)) return signature;
  const key = new X509Certificate(certDer).publicKey;
  if (key.asymmetricKeyType !== 'ec' || signature.length % 2) return null;
  try {
    if (!cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)) return null;
  } catch {
    return null;
  }
  const half = signature.length / 2;
  const int = (b: Buffer) => new asn1js.Integer({ valueHex: ab(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b) });
  const strip = (b: Buffer) => { let i = 0; while (i < b.length - 1 && b[i] === 0) i++; return b.subarray(i); };
  return der(new asn1js.Sequence({ value: [int(strip(signature.subarray(0, half))), int(strip(signature.subarray(half)))] }));
}

/** The key type of a certificate's public key, as the CMS names its signature algorithm; null for any other. */
export function keyTypeOf(certDer: Buffer): SigningIdentity['keyType'] | null {
  const t = new X509Certificate(certDer).publicKey.asymmetricKeyType;
  return t === 'rsa' ? 'rsa' : t === 'ec' ? 'ec' : null;
}

export interface CmsOptions {
  /** When given, the CMS gets a timestamp over its signature value (PAdES B-T); its failure fails the signature. */
  timestamper?: Timestamper | null;
}

/** Detached CMS over a precomputed SHA-256 digest of the signed content. */
export async function cmsSignDigest(digest: Buffer, id: SigningIdentity, o: CmsOptions = {}): Promise<Buffer> {
  const attrs = signedAttributes(digest, id.certDer);
  const signature = await id.sign(attrs);
  const token = o.timestamper ? await o.timestamper.timestamp(imprintOf(signature)) : undefined;
  return assembleCms(attrs, signature, id.chainDer, id.keyType, token);
}

/** @signpdf-compatible Signer (for use with @signpdf/signpdf), backed by the fast path above. */
export class FastP12Signer extends Signer {
  constructor(private readonly id: SigningIdentity) {
    super();
  }
  async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const digest = createHash('sha256').update(pdfBuffer).digest();
    return cmsSignDigest(digest, this.id);
  }
}

/** Where a placeholder's /Contents sits once its /ByteRange is filled: [0, contentsStart, contentsEnd, rest]. */
export interface FilledPlaceholder {
  contentsStart: number;
  contentsEnd: number;
  /** SHA-256 of the two byte ranges (what the CMS's message-digest attribute carries). */
  digest: Buffer;
}

/** Fills the newest placeholder's /ByteRange IN PLACE and hashes the two ranges (what earlier steps hashed of the
 *  same buffer is not hashed again: append.ts). */
export function fillByteRange(pdf: Buffer): FilledPlaceholder {
  const p = findPlaceholder(pdf);
  const range = [0, p.contentsStart, p.contentsEnd, pdf.length - p.contentsEnd];
  const placeholderLen = BYTE_RANGE_PLACEHOLDER.length;
  const text = `/ByteRange [${range.join(' ')}]`;
  if (text.length > placeholderLen) throw new Error('ByteRange does not fit its placeholder');
  pdf.write(text.padEnd(placeholderLen, ' '), p.byteRangePos, 'latin1');
  const digest = sha256Of(pdf, { start: p.contentsStart, end: p.contentsEnd });
  return { contentsStart: p.contentsStart, contentsEnd: p.contentsEnd, digest };
}

/**
 * The /Contents of a PDF that `fillByteRange` prepared earlier (e.g. kept in content-addressed storage while a token
 * signs elsewhere): its last /ByteRange must cover the whole file around an unwritten (all zeros) /Contents. Not
 * hashed again: the signed attributes carry the digest that `fillByteRange` computed over these very bytes.
 */
export function filledPlaceholder(pdf: Buffer): Pick<FilledPlaceholder, 'contentsStart' | 'contentsEnd'> {
  const at = pdf.lastIndexOf('/ByteRange [');
  const m = at < 0 ? null : /^\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(pdf.subarray(at, at + 80).toString('latin1'));
  if (!m) throw new Error('No filled /ByteRange in the prepared PDF');
  const [a, b, c, d] = m.slice(1).map(Number);
  if (a !== 0 || c + d !== pdf.length || b >= c || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) throw new Error('The prepared PDF\'s /ByteRange does not match the file');
  if (!/^0*$/.test(pdf.subarray(b + 1, c - 1).toString('latin1'))) throw new Error('The prepared PDF\'s /Contents is already written');
  return { contentsStart: b, contentsEnd: c };
}

/** Writes `cms` (hex) into the filled placeholder's /Contents IN PLACE. */
export function writeContents(pdf: Buffer, p: Pick<FilledPlaceholder, 'contentsStart' | 'contentsEnd'>, cms: Buffer): Buffer {
  const room = p.contentsEnd - p.contentsStart - 2;
  const hex = cms.toString('hex');
  if (hex.length > room) throw new Error(`Signature (${cms.length} bytes) exceeds the placeholder (${room / 2} bytes)`);
  pdf.write(hex.toUpperCase().padEnd(room, '0'), p.contentsStart + 1, 'latin1');
  return pdf;
}

/**
 * Signs the newest placeholder of `pdf` IN PLACE (no copy of the 30 MB buffer): fills /ByteRange,
 * hashes the two ranges with node:crypto, writes the hex CMS into /Contents. Returns `pdf`. When the
 * timestamp fails, the error is thrown before /Contents is written (the caller's buffer is no e-copy).
 */
export async function signPlaceholderInPlace(pdf: Buffer, id: SigningIdentity, o: CmsOptions = {}): Promise<Buffer> {
  const p = fillByteRange(pdf);
  return writeContents(pdf, p, await cmsSignDigest(p.digest, id, o));
}
