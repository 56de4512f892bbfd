// PKCS#12 files as people bring them, made by openssl (an independent tool): OpenSSL 3's defaults (AES-256,
// PBKDF2, HMAC-SHA256), EC keys, and the ways a file can be wrong.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFacts, openPkcs12, Pkcs12Error } from './pkcs12.js';

let dir: string;
const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const file = (name: string) => readFileSync(path.join(dir, name));
const codeOf = (f: () => unknown) => {
  try { f(); } catch (e) { return e instanceof Pkcs12Error ? e.code : `other: ${(e as Error).message}`; }
  return 'no error';
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'p12-'));
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.crt', '-days', '30', '-utf8',
    '-subj', '/C=VN/O=Phòng Tư pháp/CN=Lâm Phước Thọ', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation', '-addext', 'basicConstraints=CA:FALSE');
  run('pkcs12', '-export', '-inkey', 'rsa.key', '-in', 'rsa.crt', '-out', 'rsa.p12', '-passout', 'pass:mật khẩu');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.key');
  run('req', '-x509', '-key', 'ec.key', '-out', 'ec.crt', '-days', '30', '-subj', '/CN=EC', '-addext', 'keyUsage=keyEncipherment');
  run('pkcs12', '-export', '-inkey', 'ec.key', '-in', 'ec.crt', '-out', 'ec.p12', '-passout', 'pass:secret');
  run('pkcs12', '-export', '-nokeys', '-in', 'rsa.crt', '-out', 'nokey.p12', '-passout', 'pass:secret');
  run('pkcs12', '-export', '-inkey', 'ec.key', '-in', 'rsa.crt', '-out', 'mismatch.p12', '-passout', 'pass:secret', '-nocerts');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('opening an uploaded PKCS#12', () => {
  it('opens OpenSSL 3 defaults: the key (PKCS#8), its certificate first, and what a person checks', () => {
    const o = openPkcs12(file('rsa.p12'), 'mật khẩu');
    expect(o.certDer.equals(Buffer.from(run('x509', '-in', 'rsa.crt', '-outform', 'DER')))).toBe(true);
    expect(o.chainDer[0].equals(o.certDer)).toBe(true);
    const f = certificateFacts(o.certDer);
    expect(f).toMatchObject({ commonName: 'Lâm Phước Thọ', organization: 'Phòng Tư pháp', keyUsage: ['digitalSignature', 'nonRepudiation'], isCa: false });
    expect(f.subject).toBe('C=VN, O=Phòng Tư pháp, CN=Lâm Phước Thọ');
    const sha = run('x509', '-in', 'rsa.crt', '-noout', '-fingerprint', '-sha256').toString().split('=')[1].trim().replace(/:/g, '').toLowerCase();
    expect(f.fingerprint).toBe(sha);
    const serial = run('x509', '-in', 'rsa.crt', '-noout', '-serial').toString().split('=')[1].trim().toLowerCase().replace(/^0+/, '');
    expect(f.serial).toBe(serial);
  });

  it('opens an EC key, and reads a key usage that does not allow signing', () => {
    const o = openPkcs12(file('ec.p12'), 'secret');
    expect(certificateFacts(o.certDer).keyUsage).toEqual(['keyEncipherment']);
    expect(o.keyPkcs8.length).toBeGreaterThan(60);
  });

  it('tells a wrong passphrase, a file without a key, a key without its certificate and garbage apart', () => {
    expect(codeOf(() => openPkcs12(file('rsa.p12'), 'sai'))).toBe('pkcs12_wrong_passphrase');
    expect(codeOf(() => openPkcs12(file('nokey.p12'), 'secret'))).toBe('pkcs12_no_key');
    expect(codeOf(() => openPkcs12(file('mismatch.p12'), 'secret'))).toBe('pkcs12_no_certificate');
    expect(codeOf(() => openPkcs12(Buffer.from('%PDF-1.7 not a p12'), 'x'))).toBe('pkcs12_malformed');
    expect(codeOf(() => openPkcs12(file('rsa.crt'), 'x'))).toBe('pkcs12_malformed');
    expect(codeOf(() => openPkcs12(Buffer.alloc(300 * 1024), 'x'))).toBe('pkcs12_malformed');
  });
});
