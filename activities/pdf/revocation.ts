// Revocation status of a certificate from its issuer's services: an OCSP response (the AIA pointer) and the CRL
// (the CRL distribution point), each checked (signed by the issuer or its delegated responder, for this
// certificate, current) before it is trusted or embedded in an e-copy's DSS (PAdES B-LT).
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  BasicOCSPResponse, Certificate, CertificateRevocationList, CRLDistributionPoints, ExtKeyUsage, InfoAccess, OCSPRequest,
  OCSPResponse, getEngine,
} from 'pkijs';
import { arrayBufferOf, parseDer } from './der.js';
import { SIGNATURE_ALGS, signatureVerifies } from './validation-data.js';
import './tsa.js'; // sets pkijs' crypto engine (Node's WebCrypto)

export const REVOCATION_TIMEOUT_MS = 10_000;
const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const ID_PE_AIA = '1.3.6.1.5.5.7.1.1';
const ID_CE_CRL_DP = '2.5.29.31';
const ID_CE_EXT_KEY_USAGE = '2.5.29.37';
const ID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';

export type RevocationFailure = 'unreachable' | 'timeout' | 'http' | 'malformed' | 'invalid';

/** No usable answer from the issuer's OCSP responder or CRL; transient by nature, the caller retries. */
export class RevocationUnavailableError extends Error {
  override name = 'RevocationUnavailableError';
  constructor(readonly reason: RevocationFailure, message: string) {
    super(message);
  }
}

/** The issuer says the certificate is revoked: signing with it must not go on. */
export class CertificateRevokedError extends Error {
  override name = 'CertificateRevokedError';
  constructor(readonly subject: string, readonly revokedAt: Date | null) {
    super(`Chứng thư số của "${subject}" đã bị thu hồi${revokedAt ? ` từ ${revokedAt.toISOString().slice(0, 10)}` : ''}; không thể ký bằng chứng thư này. Hồ sơ không thay đổi; vui lòng liên hệ quản trị để cấp chứng thư mới.`);
  }
}

/** Checked revocation data for one certificate (DER, as the services sent it). */
export interface RevocationInfo {
  ocsp: Buffer | null;
  crl: Buffer | null;
  /** Certificates that came with the OCSP response (a delegated responder's), DER. */
  responderCerts: Buffer[];
}

export interface RevocationOptions {
  timeoutMs?: number;
  now?: Date;
  /** Answers already had within one piece of work (a seal: its signer check, then the validation data): each
   *  certificate's issuer is asked once. Never kept across work, so a revocation is seen by the next signature. */
  answers?: RevocationAnswers;
}

/** See RevocationOptions.answers: by certificate and issuer (DER, base64), the lookup's answer (or failure). */
export type RevocationAnswers = Map<string, Promise<RevocationInfo | null>>;

// The same few certificates (the leader's, the seal's, the TSA's, their CAs) are read for every dossier: parsed once
// (pkijs's schema parse is most of a lookup's CPU) and kept by their bytes, at most 256. They are only read.
const parsed = new Map<string, Certificate>();
const x509s = new Map<string, X509Certificate>();
function x509Of(d: Buffer): X509Certificate {
  const key = d.toString('base64');
  let c = x509s.get(key);
  if (!c) {
    c = new X509Certificate(d);
    if (x509s.size >= 256) x509s.delete(x509s.keys().next().value!);
    x509s.set(key, c);
  }
  return c;
}

function certOf(d: Buffer): Certificate {
  const key = d.toString('base64');
  let c = parsed.get(key);
  if (!c) {
    c = new Certificate({ schema: parseDer(d) });
    if (parsed.size >= 256) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, c);
  }
  return c;
}
const der = (o: { toSchema(): asn1js.AsnType }) => Buffer.from(o.toSchema().toBER(false));
const commonName = (c: Certificate) =>
  String(c.subject.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? 'không rõ');

/** The OCSP and CRL URLs a certificate points at (http only: that is what a validator can fetch). */
export function pointersOf(certDer: Buffer): { ocsp: string[]; crl: string[] } {
  const c = certOf(certDer);
  const ocsp: string[] = [];
  const crl: string[] = [];
  for (const e of c.extensions ?? []) {
    if (e.extnID === ID_PE_AIA && e.parsedValue instanceof InfoAccess) {
      for (const d of e.parsedValue.accessDescriptions) {
        if (d.accessMethod === ID_AD_OCSP && d.accessLocation.type === 6) ocsp.push(String(d.accessLocation.value));
      }
    }
    if (e.extnID === ID_CE_CRL_DP && e.parsedValue instanceof CRLDistributionPoints) {
      for (const p of e.parsedValue.distributionPoints) {
        const names = Array.isArray(p.distributionPoint) ? p.distributionPoint : [];
        for (const n of names) if (n.type === 6) crl.push(String(n.value));
      }
    }
  }
  const http = (u: string) => /^https?:\/\//.test(u);
  return { ocsp: ocsp.filter(http), crl: crl.filter(http) };
}

async function fetchBytes(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Buffer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { ...init, signal });
    if (!res.ok) throw new RevocationUnavailableError('http', `${what} ${url} answered HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof RevocationUnavailableError) throw e;
    if (signal.aborted) throw new RevocationUnavailableError('timeout', `${what} ${url} did not answer within ${timeoutMs / 1000} s`);
    throw new RevocationUnavailableError('unreachable', `${what} ${url} unreachable: ${(e as Error).cause ?? (e as Error).message}`);
  }
}

/** True when `signer` is `issuer` itself or a responder it delegated (issued by it, with id-kp-OCSPSigning). */
function isResponderFor(signer: Certificate, issuer: Certificate, signerDer: Buffer, issuerDer: Buffer): Promise<boolean> | boolean {
  if (signerDer.equals(issuerDer)) return true;
  const eku = signer.extensions?.find((e) => e.extnID === ID_CE_EXT_KEY_USAGE)?.parsedValue;
  if (!(eku instanceof ExtKeyUsage) || !eku.keyPurposes.includes(ID_KP_OCSP_SIGNING)) return false;
  return signer.verify(issuer).catch(() => false);
}

/** One OCSP request to `url`; the checked OCSPResponse DER. Throws CertificateRevokedError when revoked. */
export async function fetchOcsp(url: string, certDer: Buffer, issuerDer: Buffer, o: RevocationOptions = {}): Promise<{ der: Buffer; responderCerts: Buffer[] }> {
  const cert = certOf(certDer);
  const issuer = certOf(issuerDer);
  const req = new OCSPRequest();
  await req.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer });
  const answer = await fetchBytes(url, {
    method: 'POST', headers: { 'Content-Type': 'application/ocsp-request', Accept: 'application/ocsp-response' }, body: arrayBufferOf(Buffer.from(req.toSchema(true).toBER(false))),
  }, o.timeoutMs ?? REVOCATION_TIMEOUT_MS, 'OCSP responder');
  const bad = (why: string) => new RevocationUnavailableError('invalid', `OCSP responder ${url}: ${why}`);
  let resp: OCSPResponse;
  let basic: BasicOCSPResponse;
  try {
    resp = new OCSPResponse({ schema: parseDer(answer) });
    if (resp.responseStatus.valueBlock.valueDec !== 0) throw bad(`status ${resp.responseStatus.valueBlock.valueDec}`);
    if (!resp.responseBytes || resp.responseBytes.responseType !== ID_PKIX_OCSP_BASIC) throw bad('no basic response');
    basic = new BasicOCSPResponse({ schema: parseDer(Buffer.from(resp.responseBytes.response.valueBlock.valueHexView)) });
  } catch (e) {
    if (e instanceof RevocationUnavailableError) throw e;
    throw new RevocationUnavailableError('malformed', `OCSP responder ${url}: malformed answer (${(e as Error).message})`);
  }
  // The signer: the issuer itself or a delegated responder whose certificate came with the response.
  const responderCerts = (basic.certs ?? []).map((c) => der(c));
  let signedOk = false;
  for (const [c, d] of [[issuer, issuerDer] as const, ...(basic.certs ?? []).map((c, i) => [c, responderCerts[i]] as const)]) {
    // Node's own check where it knows the algorithm (no key imported into WebCrypto each time), else pkijs's (RSA-PSS).
    const alg = basic.signatureAlgorithm.algorithmId;
    const sigOk = SIGNATURE_ALGS[alg]
      ? signatureVerifies(alg, basic.tbsResponseData.tbsView, Buffer.from(basic.signature.valueBlock.valueHexView), x509Of(d))
      : await getEngine().crypto!.verifyWithPublicKey(arrayBufferOf(basic.tbsResponseData.tbsView), basic.signature, c.subjectPublicKeyInfo, basic.signatureAlgorithm).catch(() => false);
    if (sigOk && await isResponderFor(c, issuer, d, issuerDer)) { signedOk = true; break; }
  }
  if (!signedOk) throw bad('response not signed by the issuer or its delegated responder');
  const wanted = req.tbsRequest.requestList[0].reqCert;
  const single = basic.tbsResponseData.responses.find((r) => r.certID.isEqual(wanted));
  if (!single) throw bad('response is not for this certificate');
  const now = o.now ?? new Date();
  if (single.nextUpdate && single.nextUpdate < now) throw bad('response expired');
  if (single.thisUpdate.getTime() > now.getTime() + 5 * 60_000) throw bad('response from the future');
  const tag = (single.certStatus as asn1js.BaseBlock).idBlock.tagNumber;
  if (tag === 1) {
    const revokedAt = (single.certStatus as asn1js.Constructed).valueBlock.value?.[0] as asn1js.GeneralizedTime | undefined;
    throw new CertificateRevokedError(commonName(cert), revokedAt?.toDate?.() ?? null);
  }
  if (tag !== 0) throw bad('certificate status unknown');
  return { der: answer, responderCerts };
}

/** The CRL at `url`, checked (issuer's, signed by it, current). Throws CertificateRevokedError when it lists `certDer`. */
export async function fetchCrl(url: string, certDer: Buffer, issuerDer: Buffer, o: RevocationOptions = {}): Promise<Buffer> {
  const cert = certOf(certDer);
  const issuer = certOf(issuerDer);
  const bytes = await fetchBytes(url, { method: 'GET' }, o.timeoutMs ?? REVOCATION_TIMEOUT_MS, 'CRL');
  const bad = (why: string) => new RevocationUnavailableError('invalid', `CRL ${url}: ${why}`);
  let crl: CertificateRevocationList;
  try {
    crl = new CertificateRevocationList({ schema: parseDer(bytes) });
  } catch (e) {
    throw new RevocationUnavailableError('malformed', `CRL ${url}: malformed (${(e as Error).message})`);
  }
  if (!crl.issuer.isEqual(issuer.subject)) throw bad('not issued by the certificate\'s issuer');
  if (!await crl.verify({ issuerCertificate: issuer }).catch(() => false)) throw bad('signature does not verify');
  const now = o.now ?? new Date();
  if (crl.nextUpdate && crl.nextUpdate.value < now) throw bad('expired');
  const entry = crl.revokedCertificates?.find((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(Buffer.from(cert.serialNumber.valueBlock.valueHexView)));
  if (entry) throw new CertificateRevokedError(commonName(cert), entry.revocationDate.value);
  return bytes;
}

/**
 * Revocation data for `certDer` from every service it points at; null when it points at none. A revocation
 * anywhere throws CertificateRevokedError; when no service gives a usable answer, RevocationUnavailableError.
 */
export async function revocationOf(certDer: Buffer, issuerDer: Buffer, o: RevocationOptions = {}): Promise<RevocationInfo | null> {
  if (!o.answers) return lookUpRevocation(certDer, issuerDer, o);
  const key = `${certDer.toString('base64')}|${issuerDer.toString('base64')}`;
  let answer = o.answers.get(key);
  if (!answer) {
    answer = lookUpRevocation(certDer, issuerDer, o);
    o.answers.set(key, answer);
  }
  return answer;
}

async function lookUpRevocation(certDer: Buffer, issuerDer: Buffer, o: RevocationOptions): Promise<RevocationInfo | null> {
  const p = pointersOf(certDer);
  if (!p.ocsp.length && !p.crl.length) return null;
  const failures: RevocationUnavailableError[] = [];
  const info: RevocationInfo = { ocsp: null, crl: null, responderCerts: [] };
  const keep = (e: unknown) => {
    if (e instanceof RevocationUnavailableError) failures.push(e); else throw e;
  };
  // The OCSP responder and the CRL are asked at the same time (each in turn through its own URLs): the lookup
  // costs the slower of the two round trips, not their sum.
  const errors: unknown[] = [];
  await Promise.all([
    (async () => {
      for (const url of p.ocsp) {
        try { const r = await fetchOcsp(url, certDer, issuerDer, o); info.ocsp = r.der; info.responderCerts = r.responderCerts; return; } catch (e) { errors.push(e); }
      }
    })(),
    (async () => {
      for (const url of p.crl) {
        try { info.crl = await fetchCrl(url, certDer, issuerDer, o); return; } catch (e) { errors.push(e); }
      }
    })(),
  ]);
  // A revocation (or an unexpected fault) anywhere wins over an outage elsewhere.
  const revoked = errors.find((e) => e instanceof CertificateRevokedError);
  if (revoked) throw revoked;
  for (const e of errors) keep(e);
  if (!info.ocsp && !info.crl) throw failures[0];
  return info;
}

/**
 * Refuses to sign with a revoked certificate: asks the signer certificate's issuer (the next certificate of
 * `chainDer` that issued it) when the certificate points at an OCSP responder or a CRL; without pointers or
 * without its issuer at hand there is nothing to ask, and signing goes on.
 */
export async function assertNotRevoked(chainDer: Buffer[], o: RevocationOptions = {}): Promise<void> {
  const [certDer, ...rest] = chainDer;
  const p = pointersOf(certDer);
  if (!p.ocsp.length && !p.crl.length) return;
  const cert = new X509Certificate(certDer);
  const issuer = rest.find((d) => { const c = new X509Certificate(d); return cert.checkIssued(c) && cert.verify(c.publicKey); });
  if (issuer) await revocationOf(certDer, issuer, o);
}
