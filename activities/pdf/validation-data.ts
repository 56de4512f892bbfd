// A certificate's revocation status at a given time, judged from the validation data a PDF carries in its DSS
// (OCSP responses, CRLs, certificates), as a validator does: each OCSP response must be for this certificate
// (issuer name and key hash, serial) and signed by its issuer or a responder the issuer delegated; each CRL issued
// and signed by the issuer; a "good" answer must be made at or after the time judged, or it says nothing about it.
// pkijs reads the structures; node:crypto checks the signatures (synchronously: this runs in the PDF pool's worker).
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { BasicOCSPResponse, Certificate, CertificateRevocationList, OCSPResponse } from 'pkijs';
import type * as asn1js from 'asn1js';
import { parseDer } from './der.js';

export const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
};
/** Signature algorithms verifiable with node:crypto's default padding/encoding: RSA PKCS#1 v1.5 and ECDSA (DER);
 *  null: the hash is named elsewhere (a CMS SignerInfo's digestAlgorithm). */
export const SIGNATURE_ALGS: Record<string, string | null> = {
  '1.2.840.113549.1.1.1': null, // rsaEncryption
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.2.1': null, // id-ecPublicKey
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const ID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface RevocationReport {
  status: RevocationStatus;
  /** ISO instant the status is judged at: the signature's timestamp, else the signing time the signer claims. */
  at: string | null;
  /** What said so: an OCSP response or a CRL embedded in the file, or one fetched at verification time. */
  source: 'ocsp' | 'crl' | null;
  /** Fetched from the issuer's service during this verification (not carried by the file). */
  online: boolean;
  /** ISO instant of the evidence: the OCSP response's thisUpdate, the CRL's thisUpdate. */
  evidenceTime: string | null;
  /** When revoked: the revocation time the issuer gives. */
  revokedAt: string | null;
  /** When revoked: true if the revocation came after `at`, so a signature made (and timestamped) before it stays valid. */
  revokedAfterSigning: boolean | null;
  /** Why the status is unknown, in Vietnamese (null otherwise). */
  reason: string | null;
}

export const unknownRevocation = (at: Date | null, reason: string): RevocationReport =>
  ({ status: 'unknown', at: at?.toISOString() ?? null, source: null, online: false, evidenceTime: null, revokedAt: null, revokedAfterSigning: null, reason });

export const NO_VALIDATION_DATA = 'Tệp không chứa dữ liệu thu hồi (OCSP/CRL) cho chứng thư số này.';

/** The DSS streams of a file, raw (decoded) DER. */
export interface ValidationDataDer { ocsps: Buffer[]; crls: Buffer[]; certs: Buffer[] }

interface ParsedOcsp { basic: BasicOCSPResponse; certs: X509Certificate[] }
/** An entry read (with pkijs, which costs) only when a certificate it may be about is judged. */
interface Lazy<T> { der: Buffer; parsed?: T | null }
export interface ValidationData {
  ocsps: Lazy<ParsedOcsp>[];
  crls: Lazy<CertificateRevocationList>[];
  certs: X509Certificate[];
}

function parseOcsp(d: Buffer): ParsedOcsp | null {
  try {
    const resp = new OCSPResponse({ schema: parseDer(d) });
    if (resp.responseStatus.valueBlock.valueDec !== 0 || resp.responseBytes?.responseType !== ID_PKIX_OCSP_BASIC) return null;
    const basic = new BasicOCSPResponse({ schema: parseDer(Buffer.from(resp.responseBytes.response.valueBlock.valueHexView)) });
    const certs = (basic.certs ?? []).flatMap((c) => { try { return [new X509Certificate(Buffer.from(c.toSchema().toBER(false)))]; } catch { return []; } });
    return { basic, certs };
  } catch {
    return null; // not an OCSP response
  }
}

function parseCrl(d: Buffer): CertificateRevocationList | null {
  try { return new CertificateRevocationList({ schema: parseDer(d) }); } catch { return null; }
}

function parsed<T>(e: Lazy<T>, parse: (d: Buffer) => T | null): T | null {
  if (e.parsed === undefined) e.parsed = parse(e.der);
  return e.parsed;
}

/** The entries as they are; an unreadable one is left out when it is read (it proves nothing). */
export function parseValidationData(raw: ValidationDataDer): ValidationData {
  const certs: X509Certificate[] = [];
  for (const d of raw.certs) {
    try { certs.push(new X509Certificate(d)); } catch { /* not a certificate */ }
  }
  return { ocsps: raw.ocsps.map((der) => ({ der })), crls: raw.crls.map((der) => ({ der })), certs };
}

/** Issuer name (DER) and public key (the BIT STRING's bytes) of a certificate, as OCSP's CertID hashes them. */
const issuerKeyCache = new WeakMap<X509Certificate, { nameDer: Buffer; key: Buffer }>();
function issuerKeys(issuer: X509Certificate) {
  let k = issuerKeyCache.get(issuer);
  if (!k) {
    const c = new Certificate({ schema: parseDer(issuer.raw) });
    k = { nameDer: Buffer.from(c.subject.toSchema().toBER(false)), key: Buffer.from(c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView) };
    issuerKeyCache.set(issuer, k);
  }
  return k;
}

const serialOf = (x: X509Certificate) => Buffer.from(x.serialNumber.length % 2 ? `0${x.serialNumber}` : x.serialNumber, 'hex');
const stripZeros = (b: Buffer) => { let i = 0; while (i < b.length - 1 && b[i] === 0) i++; return b.subarray(i); };
const hexView = (v: { valueBlock: { valueHexView: Uint8Array } }) => Buffer.from(v.valueBlock.valueHexView);

/** Node's own check of a signature by `key`'s certificate (false for an algorithm not in SIGNATURE_ALGS). */
export function signatureVerifies(algOid: string, tbs: Uint8Array, signature: Uint8Array, key: X509Certificate): boolean {
  const hash = SIGNATURE_ALGS[algOid];
  if (!hash) return false; // unknown, or a bare key algorithm (no hash named): not verifiable here
  try { return cryptoVerify(hash, tbs, key.publicKey, signature); } catch { return false; }
}

const issuedBy = (cert: X509Certificate, issuer: X509Certificate) => {
  try { return cert.checkIssued(issuer) && cert.verify(issuer.publicKey); } catch { return false; }
};

/** Which of `issuers` issued `cert` (its signature verifies with the issuer's key), or null. */
export function findIssuer(cert: X509Certificate, issuers: X509Certificate[]): X509Certificate | null {
  return issuers.find((i) => !i.raw.equals(cert.raw) && issuedBy(cert, i)) ?? null;
}

/** Times in OCSP and CRLs carry whole seconds; a timestamp's may carry milliseconds. */
const notBefore = (evidence: Date, at: Date) => evidence.getTime() >= Math.floor(at.getTime() / 1000) * 1000;

interface Finding { status: 'good' | 'revoked'; source: 'ocsp' | 'crl'; evidenceTime: Date; revokedAt: Date | null }

function fromOcsp(cert: X509Certificate, issuer: X509Certificate, data: ValidationData): Finding[] {
  const { nameDer, key } = issuerKeys(issuer);
  const serial = stripZeros(serialOf(cert));
  const out: Finding[] = [];
  for (const entry of data.ocsps) {
    // A response about this certificate carries its serial: the others are not read.
    if (!entry.der.includes(serial)) continue;
    const ocsp = parsed(entry, parseOcsp);
    if (!ocsp) continue;
    const { basic, certs } = ocsp;
    const tbs = basic.tbsResponseData;
    const singles = tbs.responses.filter((r) => {
      const hash = DIGESTS[r.certID.hashAlgorithm.algorithmId];
      if (!hash) return false;
      return stripZeros(hexView(r.certID.serialNumber)).equals(serial)
        && hexView(r.certID.issuerNameHash).equals(createHash(hash).update(nameDer).digest())
        && hexView(r.certID.issuerKeyHash).equals(createHash(hash).update(key).digest());
    });
    if (!singles.length) continue;
    // Signed by the issuer itself, or by a responder certificate the issuer issued for OCSP signing (the cheap
    // signature check first, the authorisation only of the key that made it).
    const sig = hexView(basic.signature);
    const signer = [issuer, ...certs, ...data.certs].find((r) => signatureVerifies(basic.signatureAlgorithm.algorithmId, tbs.tbsView, sig, r));
    if (!signer || !(signer.raw.equals(issuer.raw) || ((signer.keyUsage ?? []).includes(ID_KP_OCSP_SIGNING) && issuedBy(signer, issuer)))) continue;
    for (const s of singles) {
      const tag = (s.certStatus as asn1js.BaseBlock).idBlock.tagNumber;
      if (tag === 0) out.push({ status: 'good', source: 'ocsp', evidenceTime: s.thisUpdate, revokedAt: null });
      else if (tag === 1) {
        const t = (s.certStatus as asn1js.Constructed).valueBlock.value?.[0] as asn1js.GeneralizedTime | undefined;
        out.push({ status: 'revoked', source: 'ocsp', evidenceTime: s.thisUpdate, revokedAt: t?.toDate?.() ?? null });
      }
    }
  }
  return out;
}

function fromCrls(cert: X509Certificate, issuer: X509Certificate, data: ValidationData): Finding[] {
  const { nameDer } = issuerKeys(issuer);
  const serial = stripZeros(serialOf(cert));
  const out: Finding[] = [];
  for (const entry of data.crls) {
    if (!entry.der.includes(nameDer)) continue; // another issuer's
    const crl = parsed(entry, parseCrl);
    if (!crl || !Buffer.from(crl.issuer.toSchema().toBER(false)).equals(nameDer)) continue;
    if (!signatureVerifies(crl.signature.algorithmId, crl.tbsView, hexView(crl.signatureValue), issuer)) continue;
    const listed = crl.revokedCertificates?.find((r) => stripZeros(hexView(r.userCertificate)).equals(serial));
    out.push(listed
      ? { status: 'revoked', source: 'crl', evidenceTime: crl.thisUpdate.value, revokedAt: listed.revocationDate.value }
      : { status: 'good', source: 'crl', evidenceTime: crl.thisUpdate.value, revokedAt: null });
  }
  return out;
}

/**
 * The judge of one file's data: the status of `cert` (issued by `issuer`) at `at`. A revocation anywhere wins (the
 * earliest one); "good" needs evidence made at or after `at`. Each certificate's evidence is read once, however
 * often it is judged (a TSA's, for every timestamp it made).
 */
export function revocationJudge(data: ValidationData): (cert: X509Certificate, issuer: X509Certificate | null, at: Date | null) => RevocationReport {
  const evidence = new Map<string, Finding[]>();
  return (cert, issuer, at) => {
    if (!issuer) return unknownRevocation(at, 'Không có chứng thư số của tổ chức cấp để kiểm tra tình trạng thu hồi.');
    const key = `${cert.fingerprint256} ${issuer.fingerprint256}`;
    let findings = evidence.get(key);
    if (!findings) evidence.set(key, findings = [...fromOcsp(cert, issuer, data), ...fromCrls(cert, issuer, data)]);
    return judged(findings, at);
  };
}

function judged(findings: Finding[], at: Date | null): RevocationReport {
  if (!findings.length) return unknownRevocation(at, NO_VALIDATION_DATA);
  const base = { at: at?.toISOString() ?? null, online: false, reason: null };
  const revoked = findings.filter((f) => f.status === 'revoked')
    .sort((a, b) => (a.revokedAt?.getTime() ?? 0) - (b.revokedAt?.getTime() ?? 0))[0];
  if (revoked) {
    return {
      ...base, status: 'revoked', source: revoked.source, evidenceTime: revoked.evidenceTime.toISOString(),
      revokedAt: revoked.revokedAt?.toISOString() ?? null,
      revokedAfterSigning: !!at && !!revoked.revokedAt && revoked.revokedAt.getTime() > at.getTime(),
    };
  }
  const good = findings.filter((f) => !at || notBefore(f.evidenceTime, at)).sort((a, b) => (a.source === 'ocsp' ? -1 : 1) - (b.source === 'ocsp' ? -1 : 1))[0];
  if (!good) return unknownRevocation(at, 'Dữ liệu thu hồi trong tệp được lập trước thời điểm ký nên không xác nhận được tình trạng tại thời điểm ký.');
  return { ...base, status: 'good', source: good.source, evidenceTime: good.evidenceTime.toISOString(), revokedAt: null, revokedAfterSigning: null };
}
