// Test PKI: a local CA that issues the leader's personal certificate and the agency's seal
// (organisation) certificate. Production plugs real PKCS#12 uploads or tokens in behind KeyStore.
import * as asn1js from 'asn1js';
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import * as pkijs from 'pkijs';
import type { SigningIdentity } from './signer.js';

export interface KeyMaterial {
  p12: Buffer;
  passphrase: string;
  certPem: string;
  commonName: string;
}

export interface KeyStore {
  /** PKCS#12 material, or (an uploaded certificate, activities/certificates.ts) an identity that signs.
   *  `certificate`: the SHA-256 fingerprint of the leader's certificate chosen for this signature (else the one in use). */
  leaderKey(user: { username: string; fullName: string; certificate?: string }): Promise<KeyMaterial | SigningIdentity>;
  /** PKCS#12 material, or (an agency whose seal is in a PKCS#11 token) an identity that signs in the token. */
  sealKey(agency: { code: string; name: string }): Promise<KeyMaterial | SigningIdentity>;
  caCertPem(): Promise<string>;
}

/** The demo CA's own services (activities/pdf/trust-services.ts) sign with these: a TSA and a delegated OCSP responder. */
export interface ServiceKey {
  certPem: string;
  keyPem: string;
}

export interface FileKeyStore extends KeyStore {
  /** The folder of the key material and of the revocation list (revoked.json). */
  readonly dir: string;
  /** Where issued certificates say their status is published (CRL DP, AIA OCSP and caIssuers); null: nowhere. */
  readonly trustServicesUrl: string | null;
  leaderKey(user: { username: string; fullName: string }): Promise<KeyMaterial>;
  sealKey(agency: { code: string; name: string }): Promise<KeyMaterial>;
  caKey(): Promise<ServiceKey>;
  serviceKey(kind: 'tsa' | 'ocsp'): Promise<ServiceKey>;
  /** A new key and certificate for a service, valid `days` from now (a TSA rotating its certificate; tests make
   *  one that expires soon). The trust services read it when they start. */
  reissueServiceKey(kind: 'tsa' | 'ocsp', days: number): Promise<ServiceKey>;
}

export interface KeyStoreOptions {
  /** Base URL of the trust services (TRUST_SERVICES_URL): certificates point at `<url>/crl`, `/ocsp`, `/ca.cer`. */
  trustServicesUrl?: string | null;
}

export const TEST_CA_NAME = 'CA thử nghiệm - Chứng thực bản sao điện tử';
const TSA_NAME = 'TSA thử nghiệm - Chứng thực bản sao điện tử';
const OCSP_NAME = 'OCSP thử nghiệm - Chứng thực bản sao điện tử';

const { pki, asn1 } = forge;
const UTF8 = asn1.Type.UTF8;
/** RFC 9336 id-kp-documentSigning (emailProtection is what NSS/pdfsig checks for signers). */
const KP_DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';
const KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';

/** The paths the trust-services server answers on, below its base URL. */
export const TRUST_SERVICE_PATHS = { crl: '/crl', ocsp: '/ocsp', caIssuers: '/ca.cer', tsa: '/tsa' } as const;

/** node:crypto generates RSA keys natively (~50 ms) where forge takes seconds. */
function newKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey: pki.privateKeyFromPem(privateKey), publicKey: pki.publicKeyFromPem(publicKey) };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive INTEGER
  b[0] |= 0x10; // no leading zero byte to strip
  return b.toString('hex');
}

type Attr = { shortName?: string; type?: string; value: string; valueTagClass?: number };
const utf8 = (shortName: string, value: string): Attr => ({ shortName, value, valueTagClass: UTF8 });

type Profile = 'ca' | 'signer' | 'tsa' | 'ocsp';

/** An extension forge writes as given: its DER value built with asn1js/pkijs. */
function rawExtension(id: string, value: asn1js.BaseBlock, critical = false) {
  return { id, critical, value: Buffer.from(value.toBER()).toString('binary') };
}

/** CRL distribution point and AIA (OCSP, caIssuers) pointing at the trust services, as a real CA's certificates carry. */
function statusPointers(url: string) {
  const uri = (path: string) => new pkijs.GeneralName({ type: 6, value: `${url}${path}` });
  const crlDp = new pkijs.CRLDistributionPoints({
    distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [uri(TRUST_SERVICE_PATHS.crl)] })],
  });
  const aia = new pkijs.InfoAccess({
    accessDescriptions: [
      new pkijs.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.1', accessLocation: uri(TRUST_SERVICE_PATHS.ocsp) }),
      new pkijs.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.2', accessLocation: uri(TRUST_SERVICE_PATHS.caIssuers) }),
    ],
  });
  return [rawExtension('2.5.29.31', crlDp.toSchema()), rawExtension('1.3.6.1.5.5.7.1.1', aia.toSchema())];
}

function issue(o: {
  subject: Attr[];
  publicKey: forge.pki.rsa.PublicKey;
  issuer: forge.pki.Certificate | null; // null = self-signed CA
  signingKey: forge.pki.rsa.PrivateKey;
  years: number;
  profile: Profile;
  trustServicesUrl?: string | null;
}): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = o.publicKey;
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000); // tolerate clock skew
  cert.validity.notAfter = new Date(now + o.years * 365 * 24 * 3600 * 1000);
  cert.setSubject(o.subject as forge.pki.CertificateField[]);
  cert.setIssuer((o.issuer ? subjectOf(o.issuer) : o.subject) as forge.pki.CertificateField[]);
  const isCa = o.profile === 'ca';
  const ext: any[] = [
    { name: 'basicConstraints', cA: isCa, critical: true },
    isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : o.profile === 'ocsp'
        ? { name: 'keyUsage', digitalSignature: true, critical: true }
        : { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!isCa) {
    if (o.profile === 'signer') ext.push({ name: 'extKeyUsage', emailProtection: true, [KP_DOCUMENT_SIGNING]: true });
    // RFC 3161 §2.3: a TSA's certificate has id-kp-timeStamping as its only, critical, extended key usage.
    if (o.profile === 'tsa') ext.push({ name: 'extKeyUsage', timeStamping: true, critical: true });
    // RFC 6960 §4.2.2.2: a delegated responder; id-pkix-ocsp-nocheck: its own status is not checked.
    if (o.profile === 'ocsp') ext.push({ name: 'extKeyUsage', [KP_OCSP_SIGNING]: true }, rawExtension(OCSP_NOCHECK, new asn1js.Null()));
    const ski = o.issuer!.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
    if (ski?.subjectKeyIdentifier) {
      ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(ski.subjectKeyIdentifier) });
    }
    if (o.trustServicesUrl && o.profile !== 'ocsp') ext.push(...statusPointers(o.trustServicesUrl));
  }
  cert.setExtensions(ext);
  cert.sign(o.signingKey, forge.md.sha256.create());
  return cert;
}

/** A parsed certificate's subject as attributes forge can re-encode: forge keeps UTF8String values of
 *  parsed certificates as raw UTF-8 bytes but encodes on write, so decode them once (else the issuer
 *  name is double-encoded and no longer matches the CA's subject). */
function subjectOf(cert: forge.pki.Certificate): Attr[] {
  return cert.subject.attributes.map((a) => ({
    type: a.type,
    valueTagClass: a.valueTagClass as number,
    value: (a.valueTagClass as number) === UTF8 ? forge.util.decodeUtf8(String(a.value)) : String(a.value),
  }));
}

/** Write `files` into `finalDir` all at once: build a temp dir, then rename it. A directory rename onto a
 *  non-empty directory fails, so when two processes race the first one wins and the loser uses its files. */
async function publishDir(finalDir: string, files: Record<string, string | Buffer>): Promise<void> {
  const parent = join(finalDir, '..');
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, '.tmp-'));
  try {
    for (const [name, data] of Object.entries(files)) await writeFile(join(tmp, name), data, { mode: 0o600 });
    await rename(tmp, finalDir);
  } catch (e: any) {
    await rm(tmp, { recursive: true, force: true });
    if (e?.code !== 'ENOTEMPTY' && e?.code !== 'EEXIST') throw e;
  }
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Directory-safe id: readable prefix + hash of the name (a renamed person/agency gets a new certificate) and of
 *  the trust services' address when there is one (a certificate carries it, so a new address means a new
 *  certificate; stores made before certificates carried it keep their folders). */
function slug(id: string, name: string, url: string | null): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return `${safe}-${createHash('sha256').update(`${id}\n${name}${url ? `\n${url}` : ''}`).digest('hex').slice(0, 10)}`;
}

export function createFileKeyStore(dir: string, opts: KeyStoreOptions = {}): FileKeyStore {
  const url = opts.trustServicesUrl ? opts.trustServicesUrl.replace(/\/$/, '') : null;
  const inflight = new Map<string, Promise<unknown>>(); // one generation per identity per process

  function once<T>(key: string, f: () => Promise<T>): Promise<T> {
    let p = inflight.get(key) as Promise<T> | undefined;
    if (!p) {
      p = f();
      inflight.set(key, p);
      p.catch(() => inflight.delete(key));
    }
    return p;
  }

  const ca = () =>
    once('ca', async () => {
      const caDir = join(dir, 'ca');
      if (!(await readIfExists(join(caDir, 'ca.pem')))) {
        const keys = newKeyPair();
        const subject = [utf8('CN', TEST_CA_NAME), utf8('O', TEST_CA_NAME), { shortName: 'C', value: 'VN' }];
        const cert = issue({ subject, publicKey: keys.publicKey, issuer: null, signingKey: keys.privateKey, years: 20, profile: 'ca' });
        await publishDir(caDir, { 'ca.pem': pki.certificateToPem(cert), 'ca.key.pem': pki.privateKeyToPem(keys.privateKey) });
      }
      const certPem = (await readFile(join(caDir, 'ca.pem'), 'utf8'));
      const keyPem = await readFile(join(caDir, 'ca.key.pem'), 'utf8');
      return { certPem, keyPem, cert: pki.certificateFromPem(certPem), key: pki.privateKeyFromPem(keyPem) };
    });

  const identity = (kind: 'leader' | 'seal', id: string, commonName: string, subject: Attr[]) =>
    once(`${kind}:${id}:${commonName}`, async (): Promise<KeyMaterial> => {
      const idDir = join(dir, `${kind}-${slug(id, commonName, url)}`);
      if (!(await readIfExists(join(idDir, 'cert.pem')))) {
        const issuer = await ca();
        const keys = newKeyPair();
        const cert = issue({ subject, publicKey: keys.publicKey, issuer: issuer.cert, signingKey: issuer.key, years: 5, profile: 'signer', trustServicesUrl: url });
        const passphrase = randomBytes(12).toString('base64url');
        const p12Asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert, issuer.cert], passphrase, {
          algorithm: '3des', // the most widely importable PKCS#12 flavour
          friendlyName: commonName,
        });
        const p12 = Buffer.from(asn1.toDer(p12Asn1).getBytes(), 'binary');
        await publishDir(idDir, { 'key.p12': p12, 'cert.pem': pki.certificateToPem(cert), passphrase: passphrase });
      }
      return {
        p12: await readFile(join(idDir, 'key.p12')),
        passphrase: await readFile(join(idDir, 'passphrase'), 'utf8'),
        certPem: await readFile(join(idDir, 'cert.pem'), 'utf8'),
        commonName,
      };
    });

  const serviceDir = (kind: 'tsa' | 'ocsp') => join(dir, `${kind}-${slug('demo', kind === 'tsa' ? TSA_NAME : OCSP_NAME, url)}`);
  const serviceCert = async (kind: 'tsa' | 'ocsp', years: number) => {
    const issuer = await ca();
    const keys = newKeyPair();
    const subject = [utf8('CN', kind === 'tsa' ? TSA_NAME : OCSP_NAME), utf8('O', TEST_CA_NAME), { shortName: 'C', value: 'VN' }];
    const cert = issue({ subject, publicKey: keys.publicKey, issuer: issuer.cert, signingKey: issuer.key, years, profile: kind, trustServicesUrl: url });
    return { 'cert.pem': pki.certificateToPem(cert), 'key.pem': pki.privateKeyToPem(keys.privateKey) };
  };
  const serviceKey = (kind: 'tsa' | 'ocsp') =>
    once(`service:${kind}`, async (): Promise<ServiceKey> => {
      const svcDir = serviceDir(kind);
      if (!(await readIfExists(join(svcDir, 'cert.pem')))) await publishDir(svcDir, await serviceCert(kind, 10));
      return { certPem: await readFile(join(svcDir, 'cert.pem'), 'utf8'), keyPem: await readFile(join(svcDir, 'key.pem'), 'utf8') };
    });
  async function reissueServiceKey(kind: 'tsa' | 'ocsp', days: number): Promise<ServiceKey> {
    const files = await serviceCert(kind, days / 365);
    // The retired certificate stays known to the OCSP responder (issuedSerials): timestamps made with it remain.
    const retired = await readIfExists(join(serviceDir(kind), 'cert.pem'));
    if (retired) await publishDir(join(dir, `${kind}-retired-${serialOf(retired.toString('utf8'))}`), { 'cert.pem': retired });
    await mkdir(serviceDir(kind), { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeFile(join(serviceDir(kind), name), data, { mode: 0o600 });
    inflight.delete(`service:${kind}`);
    return { certPem: files['cert.pem'], keyPem: files['key.pem'] };
  }

  return {
    dir,
    trustServicesUrl: url,
    async caCertPem() {
      return (await ca()).certPem;
    },
    async caKey() {
      const { certPem, keyPem } = await ca();
      return { certPem, keyPem };
    },
    serviceKey,
    reissueServiceKey,
    leaderKey(user) {
      return identity('leader', user.username, user.fullName, [utf8('CN', user.fullName), { shortName: 'C', value: 'VN' }]);
    },
    sealKey(agency) {
      return identity('seal', agency.code, agency.name, [
        utf8('CN', agency.name),
        utf8('O', agency.name),
        utf8('OU', agency.code),
        { shortName: 'C', value: 'VN' },
      ]);
    },
  };
}

// ---- Revocation: the demo CA's list of revoked certificates, read by the CRL and the OCSP responder ----

/** RFC 5280 §5.3.1 CRLReason codes the demo CA uses. */
export const REVOCATION_REASONS = { unspecified: 0, keyCompromise: 1, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface Revocation {
  /** Lower-case hex, no leading zero byte (as `serialOf` gives). */
  serial: string;
  revokedAt: string;
  reason: RevocationReason;
}

const REVOKED_FILE = 'revoked.json';

/** A certificate's serial number in the form the revocation list keeps. */
export function serialOf(certPem: string): string {
  return normaliseSerial(new X509Certificate(certPem).serialNumber);
}

export function normaliseSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=[0-9a-f]{2})/, '');
}

export async function revokedCertificates(dir: string): Promise<Revocation[]> {
  const raw = await readIfExists(join(dir, REVOKED_FILE));
  return raw ? (JSON.parse(raw.toString('utf8')) as Revocation[]) : [];
}

/**
 * Revokes a certificate of the demo CA (its PEM, or its serial in hex): written to revoked.json in the key store's
 * folder, which the CRL and the OCSP responder read on every request. Revoking twice keeps the first revocation.
 */
export async function revokeCertificate(
  dir: string,
  cert: string,
  opts: { reason?: RevocationReason; at?: Date } = {},
): Promise<Revocation> {
  const serial = cert.includes('-----BEGIN') ? serialOf(cert) : normaliseSerial(cert);
  const list = await revokedCertificates(dir);
  const known = list.find((r) => r.serial === serial);
  if (known) return known;
  // Whole seconds: CRL and OCSP times carry no fraction (RFC 5280 §4.1.2.5.2).
  const at = new Date(Math.floor((opts.at ?? new Date()).getTime() / 1000) * 1000);
  const revocation: Revocation = { serial, revokedAt: at.toISOString(), reason: opts.reason ?? 'keyCompromise' };
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${REVOKED_FILE}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, JSON.stringify([...list, revocation], null, 2));
  await rename(tmp, join(dir, REVOKED_FILE)); // readers never see half a file
  return revocation;
}

/** Serials of every certificate the key store in `dir` has issued (OCSP answers "unknown" for any other). */
export async function issuedSerials(dir: string): Promise<Set<string>> {
  const serials = new Set<string>();
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e: any) {
    if (e?.code === 'ENOENT') return serials;
    throw e;
  }
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const pem = (await readIfExists(join(dir, entry, 'cert.pem'))) ?? (await readIfExists(join(dir, entry, 'ca.pem')));
    if (pem) serials.add(serialOf(pem.toString('utf8')));
  }
  return serials;
}
