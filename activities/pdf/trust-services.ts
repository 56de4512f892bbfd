// The demo CA's trust services over HTTP: an OCSP responder (RFC 6960), a CRL (RFC 5280) and a TSA (RFC 3161).
// Demo and test infrastructure, not an activity: it reads the file key store (activities/pdf/pki.ts) and is started
// by scripts/trust-services.ts (npm start, demo mode) and by the test harness. Production uses a licensed
// provider's services instead. Structures are built with pkijs + asn1js; keys and signatures are node:crypto's.
import * as asn1js from 'asn1js';
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as pkijs from 'pkijs';
import {
  createFileKeyStore, issuedSerials, normaliseSerial, REVOCATION_REASONS, revokedCertificates,
  TRUST_SERVICE_PATHS, type FileKeyStore, type Revocation, type ServiceKey,
} from './pki.js';

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signedData: '1.2.840.113549.1.7.2',
} as const;

/** The demo TSA's policy (under the 2.999 example arc of X.660: not a real policy). */
export const DEMO_TSA_POLICY = '2.999.3161.1';

/** Hash algorithms of a message imprint or an OCSP CertID we accept, with node's name and the digest length. */
const HASHES: Record<string, { node: string; bytes: number }> = {
  [OID.sha1]: { node: 'sha1', bytes: 20 }, // OCSP CertIDs only: openssl and most clients still send SHA-1 there
  [OID.sha256]: { node: 'sha256', bytes: 32 },
  [OID.sha384]: { node: 'sha384', bytes: 48 },
  [OID.sha512]: { node: 'sha512', bytes: 64 },
};

const CRL_VALIDITY_MS = 24 * 3600 * 1000;
const CRL_REBUILD_MS = 10 * 60 * 1000;
const OCSP_VALIDITY_MS = 3600 * 1000;
const MAX_BODY = 64 * 1024;
const MAX_OCSP_REQUESTS = 20;

interface Signer {
  cert: pkijs.Certificate;
  key: KeyObject;
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

function loadSigner(k: ServiceKey): Signer {
  return { cert: pkijs.Certificate.fromBER(new Uint8Array(pemToDer(k.certPem))), key: createPrivateKey(k.keyPem) };
}

const bytes = (b: asn1js.BaseBlock | { valueBlock: { valueHexView: Uint8Array } }) =>
  Buffer.from((b as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView);
const hash = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest();
const rsaSha256 = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSA, algorithmParams: new asn1js.Null() });
const signRsaSha256 = (key: KeyObject, data: Uint8Array) => new Uint8Array(sign('sha256', data, key));
/** Whole seconds: the encodings then carry no fraction (RFC 3161 §2.4.2 wants none with trailing zeros). */
const nowSeconds = () => new Date(Math.floor(Date.now() / 1000) * 1000);

function serialHex(i: asn1js.Integer): string {
  return normaliseSerial(bytes(i).toString('hex'));
}

function serialInteger(hex: string): asn1js.Integer {
  return new asn1js.Integer({ valueHex: new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')) });
}

/** RFC 6960 CertID hashes of an issuer: of its subject's DER and of its public key's BIT STRING value. */
function issuerHashes(cert: pkijs.Certificate, alg: string) {
  return {
    name: hash(alg, new Uint8Array(cert.subject.toSchema().toBER())),
    key: hash(alg, cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
  };
}

function extension(extnID: string, value: asn1js.BaseBlock, critical = false): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
}

function subjectKeyId(cert: pkijs.Certificate): Uint8Array | null {
  const ext = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  return ext ? bytes(asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.OctetString) : null;
}

// ---- CRL ----

function buildCrl(ca: Signer, revoked: Revocation[], crlNumber: number, at: Date): Buffer {
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    signature: rsaSha256(),
    issuer: ca.cert.subject,
    thisUpdate: new pkijs.Time({ type: 0, value: at }),
    nextUpdate: new pkijs.Time({ type: 0, value: new Date(at.getTime() + CRL_VALIDITY_MS) }),
  });
  if (revoked.length) {
    crl.revokedCertificates = revoked.map((r) => new pkijs.RevokedCertificate({
      userCertificate: serialInteger(r.serial),
      revocationDate: new pkijs.Time({ type: 0, value: new Date(r.revokedAt) }),
      // RFC 5280 §5.3.1: leave the reason out rather than say "unspecified".
      ...(r.reason !== 'unspecified'
        ? { crlEntryExtensions: new pkijs.Extensions({ extensions: [extension(OID.cRLReason, new asn1js.Enumerated({ value: REVOCATION_REASONS[r.reason] }))] }) }
        : {}),
    }));
  }
  const ski = subjectKeyId(ca.cert);
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      ...(ski ? [extension(OID.authorityKeyIdentifier, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ski }) }).toSchema())] : []),
      extension(OID.cRLNumber, new asn1js.Integer({ value: crlNumber })),
    ],
  });
  // encodeTBS is protected in the typings; it is what pkijs's own sign() calls
  crl.tbsView = new Uint8Array((crl as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER());
  crl.signatureAlgorithm = rsaSha256();
  crl.signatureValue = new asn1js.BitString({ valueHex: signRsaSha256(ca.key, crl.tbsView) });
  return Buffer.from(crl.toSchema().toBER());
}

// ---- OCSP ----

type OcspStatus = 'good' | 'unknown' | Revocation;

function ocspError(status: 1 | 2 | 3 | 5 | 6): Buffer {
  // 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized
  return Buffer.from(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) }).toSchema().toBER());
}

function certStatus(status: OcspStatus): asn1js.BaseBlock {
  if (status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  if (status === 'unknown') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  return new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 1 },
    value: [
      new asn1js.GeneralizedTime({ valueDate: new Date(status.revokedAt) }),
      ...(status.reason !== 'unspecified'
        ? [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: REVOCATION_REASONS[status.reason] })] })]
        : []),
    ],
  });
}

async function answerOcsp(body: Buffer, ca: Signer, responder: Signer, dir: string): Promise<Buffer> {
  let request: pkijs.OCSPRequest;
  try {
    request = pkijs.OCSPRequest.fromBER(new Uint8Array(body));
  } catch {
    return ocspError(1);
  }
  const list = request.tbsRequest.requestList;
  if (list.length === 0 || list.length > MAX_OCSP_REQUESTS) return ocspError(1);
  const [issued, revoked] = await Promise.all([issuedSerials(dir), revokedCertificates(dir)]);
  const now = nowSeconds();
  const responses: pkijs.SingleResponse[] = [];
  for (const { reqCert } of list) {
    const alg = HASHES[reqCert.hashAlgorithm.algorithmId];
    if (!alg) return ocspError(1);
    const ours = issuerHashes(ca.cert, alg.node);
    const serial = serialHex(reqCert.serialNumber);
    let status: OcspStatus = 'unknown'; // another issuer, or a serial this CA never issued
    if (ours.name.equals(bytes(reqCert.issuerNameHash)) && ours.key.equals(bytes(reqCert.issuerKeyHash))) {
      status = revoked.find((r) => r.serial === serial) ?? (issued.has(serial) ? 'good' : 'unknown');
    }
    responses.push(new pkijs.SingleResponse({
      certID: reqCert,
      certStatus: certStatus(status),
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + OCSP_VALIDITY_MS),
    }));
  }
  const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === OID.ocspNonce);
  const data = new pkijs.ResponseData({
    // byKey: SHA-1 of the responder's public key (RFC 6960 §4.2.1)
    responderID: new asn1js.OctetString({ valueHex: new Uint8Array(hash('sha1', responder.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)) }),
    producedAt: now,
    responses,
    ...(nonce ? { responseExtensions: [new pkijs.Extension({ extnID: OID.ocspNonce, critical: false, extnValue: nonce.extnValue.valueBlock.valueHexView.slice().buffer })] } : {}),
  });
  data.tbsView = new Uint8Array(data.toSchema(true).toBER());
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: rsaSha256(),
    signature: new asn1js.BitString({ valueHex: signRsaSha256(responder.key, data.tbsView) }),
    certs: [responder.cert], // the delegated responder, issued by the CA with id-kp-OCSPSigning
  });
  return Buffer.from(new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({ responseType: OID.ocspBasic, response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }) }),
  }).toSchema().toBER());
}

// ---- TSA ----

/** RFC 3161 PKIFailureInfo bits. */
const FAIL = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15, unacceptedExtension: 16, systemFailure: 25 } as const;

function tsaRefusal(reason: keyof typeof FAIL, text: string): Buffer {
  const bit = FAIL[reason];
  const bits = new Uint8Array(Math.floor(bit / 8) + 1);
  bits[Math.floor(bit / 8)] = 0x80 >> (bit % 8);
  const failInfo = new asn1js.BitString({ valueHex: bits, unusedBits: 7 - (bit % 8) });
  const status = new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection, statusStrings: [new asn1js.Utf8String({ value: text })], failInfo });
  return Buffer.from(new pkijs.TimeStampResp({ status }).toSchema().toBER());
}

/** DER orders a SET OF by its members' encodings (X.690 §11.6); OpenSSL re-encodes the signed attributes that way. */
function derSet(attrs: pkijs.Attribute[]): pkijs.Attribute[] {
  return attrs
    .map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }))
    .sort((x, y) => Buffer.compare(x.der, y.der))
    .map((x) => x.a);
}

/** ESS signing-certificate-v2 (RFC 5035) naming the TSA's certificate, as RFC 5816 asks of a TSA using SHA-256. */
function signingCertificateV2(tsa: Signer): asn1js.Sequence {
  const certHash = hash('sha256', new Uint8Array(tsa.cert.toSchema().toBER()));
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [tsa.cert.issuer.toSchema()] })] }),
      new asn1js.Integer({ valueHex: tsa.cert.serialNumber.valueBlock.valueHexView }),
    ],
  });
  // hashAlgorithm left out: its DEFAULT is sha256
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: new Uint8Array(certHash) }), issuerSerial] })] })] });
}

function answerTsa(body: Buffer, tsa: Signer): Buffer {
  let req: pkijs.TimeStampReq;
  try {
    req = pkijs.TimeStampReq.fromBER(new Uint8Array(body));
  } catch {
    return tsaRefusal('badDataFormat', 'not a TimeStampReq');
  }
  if (req.version !== 1) return tsaRefusal('badRequest', 'version must be 1');
  const imprintAlg = req.messageImprint.hashAlgorithm.algorithmId;
  const alg = HASHES[imprintAlg];
  if (!alg || imprintAlg === OID.sha1) return tsaRefusal('badAlg', `hash algorithm ${imprintAlg} is not accepted (use SHA-256)`);
  if (req.messageImprint.hashedMessage.valueBlock.valueHexView.byteLength !== alg.bytes) {
    return tsaRefusal('badDataFormat', 'the message imprint has the wrong length for its algorithm');
  }
  if (req.reqPolicy && req.reqPolicy !== DEMO_TSA_POLICY) return tsaRefusal('unacceptedPolicy', `policy ${req.reqPolicy} is not this TSA's`);
  if (req.extensions?.length) return tsaRefusal('unacceptedExtension', 'extensions are not supported');

  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  serial[0] |= 0x10;
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: DEMO_TSA_POLICY,
    messageImprint: req.messageImprint,
    serialNumber: new asn1js.Integer({ valueHex: new Uint8Array(serial) }),
    genTime: nowSeconds(),
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(req.nonce ? { nonce: req.nonce } : {}),
  });
  const tstDer = new Uint8Array(tst.toSchema().toBER());

  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: derSet([
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
      new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: new Uint8Array(hash('sha256', tstDer)) })] }),
      new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(tsa)] }),
    ]),
  });
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31; // signed over as SET OF, not as the [0] IMPLICIT field (RFC 5652 §5.4)
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: tsa.cert.issuer, serialNumber: tsa.cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm: rsaSha256(),
    signature: new asn1js.OctetString({ valueHex: signRsaSha256(tsa.key, toSign) }),
  });
  const content = new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo });
  content.eContent = new asn1js.OctetString({ valueHex: tstDer }); // primitive (DER); the constructor would chunk it
  const signedData = new pkijs.SignedData({
    version: 3,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: content,
    signerInfos: [signerInfo],
    ...(req.certReq ? { certificates: [tsa.cert] } : {}),
  });
  const token = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
    timeStampToken: token,
  }).toSchema().toBER());
}

// ---- HTTP ----

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { req.pause(); resolve(null); return; } // answered 413, then the connection closes
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A bad %-escape gives an empty request, which the responder answers as malformed. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

/** The request handler, for a server of the caller's (startTrustServices makes one). */
export function trustServicesHandler(store: FileKeyStore): http.RequestListener {
  let signers: Promise<{ ca: Signer; tsa: Signer; ocsp: Signer; caDer: Buffer }> | null = null;
  const keys = () => (signers ??= (async () => {
    const [ca, tsa, ocsp] = await Promise.all([store.caKey(), store.serviceKey('tsa'), store.serviceKey('ocsp')]);
    return { ca: loadSigner(ca), tsa: loadSigner(tsa), ocsp: loadSigner(ocsp), caDer: pemToDer(ca.certPem) };
  })().catch((e) => { signers = null; throw e; }));

  let crl: { der: Buffer; key: string; builtAt: number; number: number } | null = null;
  async function currentCrl(): Promise<Buffer> {
    const { ca } = await keys();
    const revoked = await revokedCertificates(store.dir);
    const key = JSON.stringify(revoked);
    if (!crl || crl.key !== key || Date.now() - crl.builtAt > CRL_REBUILD_MS) {
      const at = nowSeconds();
      // CRL numbers only grow (RFC 5280 §5.2.3): seconds since the epoch, and past the previous one.
      const number = Math.max(Math.floor(at.getTime() / 1000), (crl?.number ?? 0) + 1);
      crl = { der: buildCrl(ca, revoked, number, at), key, builtAt: Date.now(), number };
    }
    return crl.der;
  }

  const send = (res: http.ServerResponse, status: number, type: string, body: Buffer | string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };

  const tooLarge = (res: http.ServerResponse) => {
    res.setHeader('connection', 'close');
    send(res, 413, 'text/plain', 'request too large');
  };

  return (req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const post = req.method === 'POST';
      const get = req.method === 'GET' || req.method === 'HEAD';
      if (get && path === TRUST_SERVICE_PATHS.crl) return send(res, 200, 'application/pkix-crl', await currentCrl());
      if (get && path === TRUST_SERVICE_PATHS.caIssuers) return send(res, 200, 'application/pkix-cert', (await keys()).caDer);
      if (path === TRUST_SERVICE_PATHS.ocsp || path.startsWith(`${TRUST_SERVICE_PATHS.ocsp}/`)) {
        let body: Buffer | null;
        if (post) body = await readBody(req);
        // GET: the DER request, base64 and URL-encoded, after the path (RFC 6960 appendix A.1)
        else if (get) body = Buffer.from(safeDecode((req.url ?? '').slice(TRUST_SERVICE_PATHS.ocsp.length + 1)), 'base64');
        else return send(res, 405, 'text/plain', 'method not allowed');
        if (!body) return tooLarge(res);
        const { ca, ocsp } = await keys();
        return send(res, 200, 'application/ocsp-response', await answerOcsp(body, ca, ocsp, store.dir));
      }
      if (post && path === TRUST_SERVICE_PATHS.tsa) {
        const body = await readBody(req);
        if (!body) return tooLarge(res);
        return send(res, 200, 'application/timestamp-reply', answerTsa(body, (await keys()).tsa));
      }
      if (get && path === '/health') return send(res, 200, 'text/plain', 'ok');
      return send(res, 404, 'text/plain', 'not found');
    })().catch((e) => {
      console.error('trust services:', e instanceof Error ? e.message : e);
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
      else res.destroy();
    });
  };
}

export interface TrustServices {
  /** Base URL: `${url}/ocsp`, `${url}/crl`, `${url}/ca.cer`, `${url}/tsa`. */
  url: string;
  tsaUrl: string;
  store: FileKeyStore;
  close(): Promise<void>;
}

/**
 * Serves the key store in `pkiDir` on host:port (port 0: a free one). The certificates it issues point at `url`
 * (default: the address it listens on), so the same URL must be given to the signers' key store.
 */
export async function startTrustServices(o: { pkiDir: string; host?: string; port?: number; url?: string }): Promise<TrustServices> {
  const server = http.createServer();
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const url = (o.url ?? `http://${host}:${(server.address() as AddressInfo).port}`).replace(/\/$/, '');
  const store = createFileKeyStore(o.pkiDir, { trustServicesUrl: url });
  server.on('request', trustServicesHandler(store));
  return {
    url,
    tsaUrl: `${url}${TRUST_SERVICE_PATHS.tsa}`,
    store,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
