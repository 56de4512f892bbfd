// Opening an uploaded PKCS#12 (the leader's personal certificate, the agency's seal) and reading what a person
// checks on a certificate. Untrusted input: the web server calls this through the worker-thread pool (pool.ts),
// whose time limit also bounds a file with an absurd key-derivation iteration count.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import { Certificate, ExtKeyUsage } from 'pkijs';
import { arrayBufferOf } from './der.js';

export type Pkcs12ErrorCode = 'pkcs12_malformed' | 'pkcs12_wrong_passphrase' | 'pkcs12_no_key' | 'pkcs12_no_certificate';

export class Pkcs12Error extends Error {
  constructor(readonly code: Pkcs12ErrorCode, message: string) {
    super(message);
  }
}

export const PKCS12_MAX_BYTES = 256 * 1024;

export interface OpenedPkcs12 {
  /** The private key, PKCS#8 DER (RSA or EC). */
  keyPkcs8: Buffer;
  /** The certificate of that key. */
  certDer: Buffer;
  /** Every certificate the file carries: the key's first, then the others (its chain, usually). */
  chainDer: Buffer[];
}

/** The private key and its certificate; a wrong passphrase, a file without a key, or a key without its
 *  certificate are refused with their own code. */
export function openPkcs12(p12: Buffer, passphrase: string): OpenedPkcs12 {
  if (p12.length > PKCS12_MAX_BYTES) throw new Pkcs12Error('pkcs12_malformed', 'Tệp chứng thư số quá lớn (tối đa 256 KB).');
  const parse = (password: string, skipMac: boolean) => {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary')), true);
    if (skipMac && Array.isArray(asn1.value)) asn1.value.splice(2); // the MAC, verified already
    return forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  };
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = parse(passphrase, false);
  } catch (e) {
    if (/MAC could not be verified|Invalid password/i.test((e as Error).message)) {
      throw new Pkcs12Error('pkcs12_wrong_passphrase', 'Mật khẩu của tệp chứng thư số không đúng.');
    }
    // The MAC (PKCS#12 KDF, BMPString) took the passphrase; PBES2 (OpenSSL 3's default) derives from its UTF-8
    // bytes, which forge only gets as a binary string. A passphrase with diacritics needs that second reading.
    try {
      if (!/[^\x00-\x7f]/.test(passphrase)) throw e;
      parsed = parse(Buffer.from(passphrase, 'utf8').toString('binary'), true);
    } catch {
      throw new Pkcs12Error('pkcs12_malformed', 'Không đọc được tệp chứng thư số: cần tệp PKCS#12 (.p12, .pfx).');
    }
  }
  const bags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const keys = bags.flatMap((b) => {
    try {
      // forge decodes RSA keys; for others (EC) it leaves the decrypted PrivateKeyInfo in `asn1`.
      const info = b.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(b.key as forge.pki.rsa.PrivateKey)) : b.asn1;
      if (!info) return [];
      const der = Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
      return [{ der, key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) }];
    } catch {
      return [];
    }
  });
  if (!keys.length) throw new Pkcs12Error('pkcs12_no_key', 'Tệp chứng thư số không chứa khóa bí mật: cần tệp PKCS#12 có cả khóa ký.');
  const certs = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []).flatMap((b) => {
    try {
      // forge decodes RSA certificates only; for the others its bag keeps the certificate's ASN.1.
      const asn1 = b.cert ? forge.pki.certificateToAsn1(b.cert) : b.asn1;
      return asn1 ? [new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'))] : [];
    } catch {
      return [];
    }
  });
  for (const k of keys) {
    const own = certs.find((c) => c.checkPrivateKey(k.key));
    if (own) return { keyPkcs8: k.der, certDer: own.raw, chainDer: [own.raw, ...certs.filter((c) => c !== own).map((c) => c.raw)] };
  }
  throw new Pkcs12Error('pkcs12_no_certificate', 'Tệp chứng thư số không chứa chứng thư của khóa ký.');
}

// ---- what a person checks on a certificate -----------------------------------------------------------------
export type KeyUsageName =
  | 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement' | 'keyCertSign' | 'cRLSign';
const KEY_USAGE_BITS: KeyUsageName[] = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];

export interface CertificateFacts {
  /** SHA-256 of the DER, lowercase hex: the certificate's name in the API. */
  fingerprint: string;
  subject: string;
  issuer: string;
  /** Lowercase hex, no leading zeros. */
  serial: string;
  notBefore: string;
  notAfter: string;
  /** null: the certificate has no key-usage extension (any use). */
  keyUsage: KeyUsageName[] | null;
  extendedKeyUsage: string[];
  commonName: string | null;
  organization: string | null;
  organizationalUnits: string[];
  isCa: boolean;
}

const ATTR = { cn: '2.5.4.3', o: '2.5.4.10', ou: '2.5.4.11' };

export function certificateFacts(der: Buffer): CertificateFacts {
  const x = new X509Certificate(der);
  const c = new Certificate({ schema: asn1js.fromBER(arrayBufferOf(der)).result });
  const attrs = (oid: string) => c.subject.typesAndValues.filter((t) => t.type === oid).map((t) => String(t.value.valueBlock.value));
  const ku = c.extensions?.find((e) => e.extnID === '2.5.29.15')?.parsedValue;
  let keyUsage: KeyUsageName[] | null = null;
  if (ku) {
    const bits = (ku as asn1js.BitString).valueBlock.valueHexView;
    const unused = (ku as asn1js.BitString).valueBlock.unusedBits;
    keyUsage = KEY_USAGE_BITS.filter((_, i) => {
      const byte = bits[i >> 3];
      return byte !== undefined && (i >> 3 < bits.length - 1 || (7 - (i & 7)) >= unused) && (byte & (0x80 >> (i & 7))) !== 0;
    });
  }
  const eku = c.extensions?.find((e) => e.extnID === '2.5.29.37')?.parsedValue;
  const oneLine = (dn: string) => dn.split('\n').join(', ');
  return {
    fingerprint: createHash('sha256').update(der).digest('hex'),
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    serial: x.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    keyUsage,
    extendedKeyUsage: eku instanceof ExtKeyUsage ? eku.keyPurposes : [],
    commonName: attrs(ATTR.cn)[0] ?? null,
    organization: attrs(ATTR.o)[0] ?? null,
    organizationalUnits: attrs(ATTR.ou),
    isCa: x.ca,
  };
}

