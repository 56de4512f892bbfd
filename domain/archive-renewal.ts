// When an issued e-copy's archive timestamp must be renewed: its last document timestamp's TSA certificate expires
// within the margin, or the timestamp rests on an algorithm no longer trusted (ETSI TS 119 312). Pure rules.

/** What the renewal looks at in the last document timestamp of an e-copy. */
export interface TimestampFacts {
  /** ISO instant: the TSA certificate's notAfter. */
  tsaNotAfter: string;
  /** The token's message digest algorithm, lower case ('sha256', 'sha1', ...). */
  digestAlgorithm: string;
  /** The TSA key: 'rsa' with its modulus bits, 'ec' with its curve bits, or another kind (bits null). */
  keyType: string;
  keyBits: number | null;
}

export type RenewalReason = 'expiring' | 'weakAlgorithm' | 'noTimestamp';

/** Digests that no longer protect a timestamp's imprint against forgery. */
export const WEAK_DIGESTS: readonly string[] = ['md2', 'md5', 'sha1', 'ripemd160'];
/** Smallest key sizes still trusted for a TSA's signature (RSA below 2048 bits is weak). */
export const MIN_KEY_BITS: Readonly<Record<string, number>> = { rsa: 2048, ec: 256 };

/** The algorithm as stored with a version (ecopy_versions.tsa_algorithm): 'sha256/rsa-2048'. */
export const algorithmLabel = (t: Pick<TimestampFacts, 'digestAlgorithm' | 'keyType' | 'keyBits'>) =>
  `${t.digestAlgorithm}/${t.keyType}${t.keyBits ? `-${t.keyBits}` : ''}`;

/** `algorithmLabel` read back. */
export function parseAlgorithmLabel(label: string): Pick<TimestampFacts, 'digestAlgorithm' | 'keyType' | 'keyBits'> {
  const [digestAlgorithm = '', key = ''] = label.split('/');
  const m = /^(.*?)(?:-(\d+))?$/.exec(key)!;
  return { digestAlgorithm, keyType: m[1], keyBits: m[2] ? Number(m[2]) : null };
}

export function weakAlgorithm(t: Pick<TimestampFacts, 'digestAlgorithm' | 'keyType' | 'keyBits'>): boolean {
  if (WEAK_DIGESTS.includes(t.digestAlgorithm.toLowerCase())) return true;
  const min = MIN_KEY_BITS[t.keyType];
  return min !== undefined && (t.keyBits === null || t.keyBits < min);
}

/** Why the e-copy is due for renewal at `now`, or null when it is not (facts null: it has no document timestamp). */
export function renewalDue(facts: TimestampFacts | null, now: Date, marginDays: number): RenewalReason | null {
  if (!facts) return 'noTimestamp';
  if (weakAlgorithm(facts)) return 'weakAlgorithm';
  const expires = Date.parse(facts.tsaNotAfter);
  if (!(expires - now.getTime() > marginDays * 86_400_000)) return 'expiring';
  return null;
}
