// A PKCS#12 as a person would bring one: a key and certificate made with openssl (never the test PKI's own code),
// issued by the harness's test CA (so its chain ends at the demo trust anchor) with the CA's OCSP and CRL pointers.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Harness } from './harness.js';

/** The issuing CA's name in the O of the certificates made here, so pdfsig's DN tells them from the test PKI's. */
export const OPENSSL_O = 'Chứng thư tải lên (openssl)';

export interface OpensslP12 {
  p12: Buffer;
  certPem: string;
  /** SHA-256 of the certificate's DER, lowercase hex: its fingerprint in the API. */
  fingerprint: string;
}

/**
 * A key (`rsa`: RSA 2048, `ec`: ECDSA P-256) and a certificate for `cn` made with openssl in `dir`, issued by the
 * harness's test CA for signing (digitalSignature, nonRepudiation), exported as PKCS#12 with `passphrase` and the CA.
 * Its subject is C=VN, O=`org` (OPENSSL_O unless given), CN=`cn`.
 */
export async function opensslP12(h: Harness, dir: string, o: { cn: string; passphrase: string; key?: 'rsa' | 'ec'; org?: string }): Promise<OpensslP12> {
  const ca = await h.trustServices.store.caKey();
  const n = `p12-${crypto.randomBytes(4).toString('hex')}`; // files of their own: calls never share one
  const name = (ext: string) => path.join(dir, `${n}.${ext}`);
  fs.writeFileSync(name('ca.pem'), ca.certPem);
  fs.writeFileSync(name('ca.key'), ca.keyPem, { mode: 0o600 });
  fs.writeFileSync(name('ext.cnf'), [
    'keyUsage = critical, digitalSignature, nonRepudiation',
    'extendedKeyUsage = emailProtection',
    'basicConstraints = CA:FALSE',
    `authorityInfoAccess = OCSP;URI:${h.trustServices.url}/ocsp, caIssuers;URI:${h.trustServices.url}/ca.cer`,
    `crlDistributionPoints = URI:${h.trustServices.url}/crl`,
  ].join('\n'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const newKey = o.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  run('req', '-new', ...newKey, '-nodes', '-keyout', name('key'), '-out', name('csr'), '-utf8', '-subj', `/C=VN/O=${o.org ?? OPENSSL_O}/CN=${o.cn}`);
  run('x509', '-req', '-in', name('csr'), '-CA', name('ca.pem'), '-CAkey', name('ca.key'), '-CAcreateserial', '-days', '365', '-sha256',
    '-extfile', name('ext.cnf'), '-out', name('crt'));
  run('pkcs12', '-export', '-inkey', name('key'), '-in', name('crt'), '-certfile', name('ca.pem'), '-out', name('p12'), '-passout', `pass:${o.passphrase}`);
  fs.rmSync(name('ca.key'));
  const certPem = fs.readFileSync(name('crt'), 'utf8');
  return { p12: fs.readFileSync(name('p12')), certPem, fingerprint: crypto.createHash('sha256').update(new crypto.X509Certificate(certPem).raw).digest('hex') };
}
