// The TRUST_ANCHORS folder: PEM (one or several per file) and DER read, other files left alone, a bad one refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyStore } from './pki.js';
import { loadTrustAnchors, trustedCaPems, TrustAnchorError } from './trust-anchors.js';

let caA: string, caB: string, leaf: string;
beforeAll(async () => {
  const a = createFileKeyStore(mkdtempSync(join(tmpdir(), 'ca-a-')));
  caA = await a.caCertPem();
  caB = await createFileKeyStore(mkdtempSync(join(tmpdir(), 'ca-b-'))).caCertPem();
  leaf = (await a.leaderKey({ username: 'x', fullName: 'Trần Văn Ánh' })).certPem;
});
const folder = (files: Record<string, string | Buffer>) => {
  const dir = mkdtempSync(join(tmpdir(), 'anchors-'));
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
  return dir;
};
const fingerprints = (pems: string[]) => pems.map((p) => new X509Certificate(p).fingerprint256);

describe('loadTrustAnchors', () => {
  it('reads PEM bundles and DER files, sorted by name; README and other files are left alone', () => {
    const dir = folder({ 'b.der': new X509Certificate(caB).raw, 'a.pem': `${caA}\n${caB}`, 'README.md': 'not a certificate' });
    expect(fingerprints(loadTrustAnchors(dir))).toEqual(fingerprints([caA, caB, caB]));
  });

  it('refuses a certificate file that does not read, a leaf certificate, an empty folder, a missing folder', () => {
    expect(() => loadTrustAnchors(folder({ 'bad.pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }))).toThrow(/bad.pem is not a readable certificate/);
    expect(() => loadTrustAnchors(folder({ 'junk.cer': 'hello' }))).toThrow(TrustAnchorError);
    expect(() => loadTrustAnchors(folder({ 'leaf.pem': leaf }))).toThrow(/not a CA certificate/);
    expect(() => loadTrustAnchors(folder({}))).toThrow(/holds no certificate/);
    expect(() => loadTrustAnchors(join(tmpdir(), 'no-such-anchors'))).toThrow(/cannot be read/);
  });

  it('trustedCaPems: the anchors and the system CA (demo), each once', () => {
    expect(fingerprints(trustedCaPems({ anchors: [caA, caB, caA], systemCaPem: caA }))).toEqual(fingerprints([caA, caB]));
    expect(fingerprints(trustedCaPems({ anchors: [caB] }))).toEqual(fingerprints([caB]));
  });
});
