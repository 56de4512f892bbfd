// Certification paths: from a certificate, through the intermediates at hand, to one of the trust anchors.
import { X509Certificate } from 'node:crypto';

export interface CertificationPath {
  /** The certificate first, the anchor last. */
  path: Buffer[];
  anchor: Buffer;
}

const MAX_DEPTH = 8;

const issuedBy = (c: X509Certificate, issuer: X509Certificate) => {
  try {
    return c.checkIssued(issuer) && c.verify(issuer.publicKey);
  } catch {
    return false;
  }
};
const validAt = (c: X509Certificate, at: Date) => new Date(c.validFrom) <= at && at <= new Date(c.validTo);

/**
 * The path from `certDer` to an anchor, each link's signature verified and each certificate above the first
 * valid at `at` and a CA; null when no anchor is reached. `intermediates` are untrusted (e.g. a PKCS#12's chain).
 */
export function pathToAnchor(certDer: Buffer, intermediates: Buffer[], anchorsDer: Buffer[], at: Date = new Date()): CertificationPath | null {
  const anchors = anchorsDer.map((d) => new X509Certificate(d));
  const pool = intermediates.map((d) => new X509Certificate(d));
  const walk = (c: X509Certificate, path: X509Certificate[]): CertificationPath | null => {
    if (path.length > MAX_DEPTH) return null;
    const anchor = anchors.find((a) => a.raw.equals(c.raw) || (issuedBy(c, a) && a.ca && validAt(a, at)));
    if (anchor) return { path: [...path, ...(anchor.raw.equals(c.raw) ? [] : [c]), anchor].map((x) => x.raw), anchor: anchor.raw };
    for (const next of pool) {
      if (path.includes(next) || next === c || !next.ca || !validAt(next, at) || !issuedBy(c, next)) continue;
      const found = walk(next, [...path, c]);
      if (found) return found;
    }
    return null;
  };
  return walk(new X509Certificate(certDer), []);
}

/** The certificate that issued `certDer` among `candidates` (signature verified), or null. */
export function issuerAmong(certDer: Buffer, candidates: Buffer[]): Buffer | null {
  const c = new X509Certificate(certDer);
  return candidates.find((d) => !d.equals(certDer) && issuedBy(c, new X509Certificate(d))) ?? null;
}
