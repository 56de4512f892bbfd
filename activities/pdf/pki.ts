// Test PKI: a local CA that issues the leader's personal certificate and the agency's seal
// (organisation) certificate. Production plugs real PKCS#12 uploads or tokens in behind KeyStore.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

export interface KeyMaterial {
  p12: Buffer;
  passphrase: string;
  certPem: string;
  commonName: string;
}

export interface KeyStore {
  leaderKey(user: { username: string; fullName: string }): Promise<KeyMaterial>;
  sealKey(agency: { code: string; name: string }): Promise<KeyMaterial>;
  caCertPem(): Promise<string>;
}

export const TEST_CA_NAME = 'CA thử nghiệm - Chứng thực bản sao điện tử';

const { pki, asn1 } = forge;
const UTF8 = asn1.Type.UTF8;
/** RFC 9336 id-kp-documentSigning (emailProtection is what NSS/pdfsig checks for signers). */
const KP_DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';

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

function issue(o: {
  subject: Attr[];
  publicKey: forge.pki.rsa.PublicKey;
  issuer: forge.pki.Certificate | null; // null = self-signed CA
  signingKey: forge.pki.rsa.PrivateKey;
  years: number;
}): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = o.publicKey;
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000); // tolerate clock skew
  cert.validity.notAfter = new Date(now + o.years * 365 * 24 * 3600 * 1000);
  cert.setSubject(o.subject as forge.pki.CertificateField[]);
  cert.setIssuer((o.issuer ? subjectOf(o.issuer) : o.subject) as forge.pki.CertificateField[]);
  const isCa = o.issuer === null;
  const ext: any[] = [
    { name: 'basicConstraints', cA: isCa, critical: true },
    isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!isCa) {
    ext.push({ name: 'extKeyUsage', emailProtection: true, [KP_DOCUMENT_SIGNING]: true });
    const ski = o.issuer!.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
    if (ski?.subjectKeyIdentifier) {
      ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(ski.subjectKeyIdentifier) });
    }
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
    if (e?.code === 'ENOENT') return null;
    throw e;
  }
}

/** Directory-safe id: readable prefix + hash of the name (a renamed person/agency gets a new certificate). */
function slug(id: string, name: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return `${safe}-${createHash('sha256').update(`${id}\n${name}`).digest('hex').slice(0, 10)}`;
}

export function createFileKeyStore(dir: string): KeyStore {
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
        const cert = issue({ subject, publicKey: keys.publicKey, issuer: null, signingKey: keys.privateKey, years: 20 });
        await publishDir(caDir, { 'ca.pem': pki.certificateToPem(cert), 'ca.key.pem': pki.privateKeyToPem(keys.privateKey) });
      }
      const certPem = (await readFile(join(caDir, 'ca.pem'), 'utf8'));
      const keyPem = await readFile(join(caDir, 'ca.key.pem'), 'utf8');
      return { certPem, cert: pki.certificateFromPem(certPem), key: pki.privateKeyFromPem(keyPem) };
    });

  const identity = (kind: 'leader' | 'seal', id: string, commonName: string, subject: Attr[]) =>
    once(`${kind}:${id}:${commonName}`, async (): Promise<KeyMaterial> => {
      const idDir = join(dir, `${kind}-${slug(id, commonName)}`);
      if (!(await readIfExists(join(idDir, 'cert.pem')))) {
        const issuer = await ca();
        const keys = newKeyPair();
        const cert = issue({ subject, publicKey: keys.publicKey, issuer: issuer.cert, signingKey: issuer.key, years: 5 });
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

  return {
    async caCertPem() {
      return (await ca()).certPem;
    },
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
