// Who signs for the agency, and how the attestation names it (Nghị định 30/2020/NĐ-CP, Điều 13 and Phụ lục I: the
// forms of signing). The head signs in the head's own title; anyone else with the signer role signs for the head:
// "KT." (ký thay, a deputy) or, under a planned delegation of that kind, "TL." (thừa lệnh); a collective body's
// agency (a commune's Ủy ban nhân dân) puts "TM. <body>" above. The title block is uppercase, one form per line.
// An agency without a head set keeps the signer's own title as it always printed. Pure module, sandbox-safe.

export type DelegationKind = 'KT' | 'TL';
export const DELEGATION_KIND_LABELS: Record<DelegationKind, string> = { KT: 'Ký thay (KT.)', TL: 'Thừa lệnh (TL.)' };

export interface SigningAuthority {
  /** The head (Trưởng phòng, Chủ tịch, Đại sứ…): username and title; null when the agency has not set one. */
  head: { username: string; title: string } | null;
  /** For a collective body, e.g. "Ủy ban nhân dân": "TM. ỦY BAN NHÂN DÂN" heads the block. */
  collective: string | null;
}

const upper = (s: string) => s.trim().toUpperCase();

/** The title block under the date on the attestation page, its lines joined by "\n". */
export function signingTitle(a: SigningAuthority, signer: { username: string; title: string }, delegation: DelegationKind | null): string {
  if (!a.head) return signer.title;
  const lines = a.collective ? [`TM. ${upper(a.collective)}`] : [];
  if (signer.username === a.head.username) lines.push(upper(a.head.title));
  else lines.push(`${delegation === 'TL' ? 'TL.' : 'KT.'} ${upper(a.head.title)}`, upper(signer.title));
  return lines.join('\n');
}

/** A planned delegation is in force on `day` (yyyy-MM-dd, Vietnam) when not revoked and within its period. */
export const delegationInForce = (d: { from_day: string; to_day: string; revoked_at: unknown }, day: string) => !d.revoked_at && d.from_day <= day && day <= d.to_day;
