// RFC 3161 time-stamp client (pkijs TimeStampReq / TimeStampResp): asks a TSA for a token over some bytes and
// refuses any answer that is not a granted, validly signed token for exactly this request (imprint and nonce).
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AlgorithmIdentifier, Certificate, CryptoEngine, ExtKeyUsage, MessageImprint, SignedData, TimeStampReq, TimeStampResp, TSTInfo,
  setEngine,
} from 'pkijs';
import { arrayBufferOf } from './der.js';

export interface TsaConfig {
  url: string;
  /** HTTP basic credentials, when the TSA asks for them (TSA_USERNAME / TSA_PASSWORD). */
  username?: string | null;
  password?: string | null;
  /** Whole request, connection to last byte (default 10 s). */
  timeoutMs?: number;
}

/** What a signer needs of a TSA: a DER TimeStampToken (CMS ContentInfo) over the data whose SHA-256 is `imprint`
 *  (RFC 3161 sends only the imprint: a document timestamp's 30 MiB never need be in one piece). */
export interface Timestamper {
  timestamp(imprint: Buffer): Promise<Buffer>;
}

export type TsaFailure = 'unreachable' | 'timeout' | 'http' | 'malformed' | 'rejected' | 'mismatch' | 'invalid';

/** The TSA could not give a usable token; `reason` says why. Transient by nature: the caller retries. */
export class TsaError extends Error {
  override name = 'TsaError';
  constructor(readonly reason: TsaFailure, message: string) {
    super(message);
  }
}

export const TSA_TIMEOUT_MS = 10_000;
const SHA256 = '2.16.840.1.101.3.4.2.1';
const ID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_DATA = '1.2.840.113549.1.7.1';
const ID_KP_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';
const ID_CE_EXT_KEY_USAGE = '2.5.29.37';

// pkijs verifies signatures through WebCrypto; Node's, set once for the process.
setEngine('node', new CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));

const ab = arrayBufferOf;
const bytes = (v: ArrayBuffer | Uint8Array) => Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(v));

/** The message imprint of `data` (a signature value, to timestamp the signature). */
export const imprintOf = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

export function createTimestamper(cfg: TsaConfig): Timestamper {
  return { timestamp: (imprint) => requestTimestamp(cfg, imprint) };
}

/** One request to the TSA for a token over the data whose SHA-256 is `imprint`; the token's DER exactly as the TSA
 *  sent it. */
export async function requestTimestamp(cfg: TsaConfig, imprint: Buffer): Promise<Buffer> {
  if (imprint.length !== 32) throw new Error(`a SHA-256 imprint has 32 bytes, not ${imprint.length}`);
  // A positive 63-bit nonce, minimally encoded (first byte in 0x40..0x7f).
  const nonce = randomBytes(8);
  nonce[0] = 0x40 | (nonce[0] & 0x3f);
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithmId: SHA256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: ab(imprint) }),
    }),
    nonce: new asn1js.Integer({ valueHex: ab(nonce) }),
    certReq: true,
  });
  const body = Buffer.from(req.toSchema().toBER(false));
  const answer = await post(cfg, body);
  return checkAnswer(answer, imprint, nonce);
}

async function post(cfg: TsaConfig, body: Buffer): Promise<Buffer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' };
  if (cfg.username) headers.Authorization = `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64')}`;
  const timeoutMs = cfg.timeoutMs ?? TSA_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(cfg.url, { method: 'POST', headers, body: ab(body), signal });
    if (!res.ok) throw new TsaError('http', `TSA ${cfg.url} answered HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof TsaError) throw e;
    if (signal.aborted) throw new TsaError('timeout', `TSA ${cfg.url} did not answer within ${timeoutMs / 1000} s`);
    throw new TsaError('unreachable', `TSA ${cfg.url} unreachable: ${(e as Error).cause ?? (e as Error).message}`);
  }
}

/** Checks a TimeStampResp against the request (for `imprint`, with `nonce`); returns the token's DER. */
export async function checkAnswer(answer: Buffer, imprint: Buffer, nonce: Buffer): Promise<Buffer> {
  const parsed = asn1js.fromBER(ab(answer));
  if (parsed.offset === -1 || parsed.offset !== answer.length) throw new TsaError('malformed', 'TSA answer is not a DER TimeStampResp');
  let resp: TimeStampResp;
  try {
    resp = new TimeStampResp({ schema: parsed.result });
  } catch (e) {
    throw new TsaError('malformed', `TSA answer is not a TimeStampResp: ${(e as Error).message}`);
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw new TsaError('rejected', `TSA refused the request (PKIStatus ${status}${text ? `: ${text}` : ''})`);
  }
  const token = resp.timeStampToken;
  if (!token || token.contentType !== ID_SIGNED_DATA) throw new TsaError('malformed', 'TSA granted the request but sent no SignedData token');

  let signed: SignedData;
  let tst: TSTInfo;
  try {
    signed = new SignedData({ schema: token.content });
    if (signed.encapContentInfo.eContentType !== ID_CT_TSTINFO || !signed.encapContentInfo.eContent) throw new Error('no TSTInfo content');
    const content = asn1js.fromBER(signed.encapContentInfo.eContent.getValue());
    if (content.offset === -1) throw new Error('TSTInfo is not DER');
    tst = new TSTInfo({ schema: content.result });
  } catch (e) {
    throw new TsaError('malformed', `TSA token is malformed: ${(e as Error).message}`);
  }

  const mi = tst.messageImprint;
  if (mi.hashAlgorithm.algorithmId !== SHA256 || !bytes(mi.hashedMessage.valueBlock.valueHexView).equals(imprint)) {
    throw new TsaError('mismatch', 'TSA token covers another message imprint than the one requested');
  }
  if (!tst.nonce || !bytes(tst.nonce.valueBlock.valueHexView).equals(nonce)) {
    throw new TsaError('mismatch', 'TSA token carries another nonce than the one requested');
  }

  let verified: { signatureVerified?: boolean | null; signerCertificate?: Certificate | null; message?: string };
  try {
    // For a TSTInfo, pkijs would only add the imprint's check (done above), and it needs the data itself for it. What
    // it verifies of any signed content is what remains: the message digest of the TSTInfo, the signature over them.
    signed.encapContentInfo.eContentType = ID_DATA;
    verified = await signed.verify({ signer: 0, checkChain: false, extendedMode: true });
  } catch (e) {
    const err = e as { signatureVerified?: boolean | null; message?: string };
    throw new TsaError('invalid', `TSA token signature does not verify: ${err.message ?? String(e)}`);
  }
  if (!verified.signatureVerified || !verified.signerCertificate) throw new TsaError('invalid', 'TSA token signature does not verify');
  // RFC 3161 §2.3: the TSA's certificate carries the critical extended key usage id-kp-timeStamping.
  const eku = verified.signerCertificate.extensions?.find((x) => x.extnID === ID_CE_EXT_KEY_USAGE)?.parsedValue as ExtKeyUsage | undefined;
  if (!eku?.keyPurposes.includes(ID_KP_TIMESTAMPING)) throw new TsaError('invalid', 'TSA token is signed by a certificate that is not a time-stamping certificate');

  // The token exactly as sent (re-encoding could alter bytes its signature covers).
  const seq = parsed.result as asn1js.Sequence;
  return bytes(seq.valueBlock.value[1].valueBeforeDecodeView);
}
