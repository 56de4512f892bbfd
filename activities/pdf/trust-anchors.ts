// The trust anchors (TRUST_ANCHORS): a folder of CA certificates, PEM or DER, that the public verification trusts
// for signers and time-stamping authorities (and issue 9 for uploaded certificates). Read once at start-up: a file
// that is not a certificate refuses the start, so a typo never silently trusts nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';

/** Files of the folder read as certificates; anything else in it (a README, a .srl) is left alone. */
const CERTIFICATE_FILE = /\.(pem|crt|cer|der)$/i;
/** A folder of anchors is small; a larger file is no certificate. */
const MAX_FILE_BYTES = 1 << 20;

export class TrustAnchorError extends Error {
  override name = 'TrustAnchorError';
}

/** Every certificate of one file (a PEM may hold several), as PEM; throws TrustAnchorError when none is readable. */
export function certificatesOfFile(bytes: Buffer, name: string): string[] {
  const text = bytes.toString('latin1');
  const pems = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => m[0]);
  const out: string[] = [];
  try {
    if (pems.length) for (const pem of pems) out.push(new X509Certificate(pem).toString());
    else out.push(new X509Certificate(bytes).toString()); // DER
  } catch (e) {
    throw new TrustAnchorError(`TRUST_ANCHORS: ${name} is not a readable certificate (${(e as Error).message})`);
  }
  for (const pem of out) {
    if (!new X509Certificate(pem).ca) throw new TrustAnchorError(`TRUST_ANCHORS: ${name} holds a certificate that is not a CA certificate (basicConstraints cA)`);
  }
  return out;
}

/** The CA certificates (PEM) in `dir`'s *.pem, *.crt, *.cer and *.der files, sorted by file name. */
export function loadTrustAnchors(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new TrustAnchorError(`TRUST_ANCHORS=${dir} is not a folder`);
    names = readdirSync(dir).filter((n) => CERTIFICATE_FILE.test(n)).sort();
  } catch (e) {
    if (e instanceof TrustAnchorError) throw e;
    throw new TrustAnchorError(`TRUST_ANCHORS=${dir} cannot be read (${(e as Error).message})`);
  }
  const out: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).size > MAX_FILE_BYTES) throw new TrustAnchorError(`TRUST_ANCHORS: ${name} is too large for a certificate`);
    out.push(...certificatesOfFile(readFileSync(path), name));
  }
  if (!out.length) throw new TrustAnchorError(`TRUST_ANCHORS=${dir} holds no certificate (*.pem, *.crt, *.cer, *.der)`);
  return out;
}

/**
 * What the verification trusts: the configured anchors, and in demo mode the system's own test CA as well (its
 * e-copies verify without any configuration). Duplicates are dropped.
 */
export function trustedCaPems(o: { anchors: string[]; systemCaPem?: string | null }): string[] {
  const all = [...o.anchors, ...(o.systemCaPem ? [o.systemCaPem] : [])];
  const seen = new Set<string>();
  return all.filter((pem) => {
    const key = new X509Certificate(pem).fingerprint256;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
