// The SQL of uploaded certificates (db-first Kysely functions): the only place that reads or writes `certificates`.
import type { Selectable } from 'kysely';
import type { CertificatePurpose } from '../../domain/certificate.js';
import type { Database, Db } from '../../lib/db.js';

export type CertificateRow = Selectable<Database['certificates']>;

/** Every column but the wrapped key: what lists and screens read. */
const PUBLIC_COLUMNS = [
  'fingerprint', 'purpose', 'owner', 'subject', 'issuer', 'serial', 'common_name', 'not_before', 'not_after', 'key_usage',
  'warnings', 'needs_approval', 'approved_by', 'approved_at', 'in_use', 'uploaded_by', 'uploaded_at', 'first_used_at',
] as const;
export type CertificateListRow = Pick<CertificateRow, (typeof PUBLIC_COLUMNS)[number]>;

export function listCertificates(db: Db, purpose: CertificatePurpose, owner: string): Promise<CertificateListRow[]> {
  return db.selectFrom('certificates').select(PUBLIC_COLUMNS).where('purpose', '=', purpose).where('owner', '=', owner)
    .orderBy('in_use', 'desc').orderBy('uploaded_at', 'desc').execute();
}

export function findCertificate(db: Db, fingerprint: string): Promise<CertificateListRow | undefined> {
  return db.selectFrom('certificates').select(PUBLIC_COLUMNS).where('fingerprint', '=', fingerprint).executeTakeFirst();
}

export interface NewCertificate {
  fingerprint: string; purpose: CertificatePurpose; owner: string; subject: string; issuer: string; serial: string;
  commonName: string | null; notBefore: string; notAfter: string; keyUsage: string[] | null; certDer: Buffer; chainDer: Buffer[];
  keyWrapped: Buffer; kekId: string; warnings: { code: string; message: string }[]; needsApproval: boolean; uploadedBy: string;
}

/**
 * Stores a new certificate, in use at once unless it needs an administrator's approval. False: already there.
 * Call it with a transaction (the service records its audit event in the same one).
 */
export async function insertCertificate(tx: Db, c: NewCertificate): Promise<boolean> {
  const inserted = await tx.insertInto('certificates').values({
    fingerprint: c.fingerprint, purpose: c.purpose, owner: c.owner, subject: c.subject, issuer: c.issuer, serial: c.serial,
    common_name: c.commonName, not_before: c.notBefore, not_after: c.notAfter, key_usage: c.keyUsage ? JSON.stringify(c.keyUsage) : null,
    cert_der: c.certDer, chain_der: JSON.stringify(c.chainDer.map((d) => d.toString('base64'))), key_wrapped: c.keyWrapped,
    kek_id: c.kekId, warnings: JSON.stringify(c.warnings), needs_approval: c.needsApproval, uploaded_by: c.uploadedBy,
  }).onConflict((oc) => oc.column('fingerprint').doNothing()).returning('fingerprint').executeTakeFirst();
  if (!inserted) return false;
  if (!c.needsApproval) await putInUse(tx, c.purpose, c.owner, c.fingerprint);
  return true;
}

/** `fingerprint` becomes the one in use for its owner and purpose (the others stay, for verification). */
export async function putInUse(db: Db, purpose: CertificatePurpose, owner: string, fingerprint: string): Promise<void> {
  await db.updateTable('certificates').set({ in_use: false }).where('purpose', '=', purpose).where('owner', '=', owner)
    .where('in_use', '=', true).where('fingerprint', '<>', fingerprint).execute();
  await db.updateTable('certificates').set({ in_use: true }).where('fingerprint', '=', fingerprint).execute();
}

/** Call it with a transaction: the certificate's row is locked, approved and put in use. */
export async function approveCertificate(tx: Db, fingerprint: string, by: string): Promise<void> {
  const row = await tx.selectFrom('certificates').select(['purpose', 'owner']).where('fingerprint', '=', fingerprint).forUpdate().executeTakeFirstOrThrow();
  await tx.updateTable('certificates').set({ needs_approval: false, approved_by: by, approved_at: new Date() }).where('fingerprint', '=', fingerprint).execute();
  await putInUse(tx, row.purpose, row.owner, fingerprint);
}

/** Personal certificates waiting for an administrator, of the users of `agencyCode`. */
export function pendingApprovals(db: Db, agencyCode: string): Promise<CertificateListRow[]> {
  return db.selectFrom('certificates').innerJoin('users', 'users.username', 'certificates.owner')
    .select(PUBLIC_COLUMNS.map((c) => `certificates.${c}` as const))
    .where('certificates.purpose', '=', 'personal').where('certificates.needs_approval', '=', true).where('users.agency_code', '=', agencyCode)
    .orderBy('certificates.uploaded_at').execute();
}

/** The certificate of the leader's remote signing service, if they configured one. */
export const remoteSignerCertificate = (db: Db, username: string) =>
  db.selectFrom('remote_signers').select(['cert_fingerprint', 'common_name', 'subject', 'not_after', 'needs_approval']).where('username', '=', username).executeTakeFirst();

/** Remote signing credentials waiting for an administrator, of the users of `agencyCode`. */
export function pendingRemoteApprovals(db: Db, agencyCode: string) {
  return db.selectFrom('remote_signers').innerJoin('users', 'users.username', 'remote_signers.username')
    .select(['remote_signers.username', 'remote_signers.cert_fingerprint', 'remote_signers.cert_der', 'remote_signers.warnings', 'remote_signers.updated_by', 'remote_signers.updated_at'])
    .where('remote_signers.needs_approval', '=', true).where('users.agency_code', '=', agencyCode)
    .orderBy('remote_signers.updated_at').execute();
}

/** An administrator accepts a remote credential: it signs from now on. */
export async function approveRemoteSigner(db: Db, username: string, fingerprint: string, by: string): Promise<void> {
  await db.updateTable('remote_signers').set({ needs_approval: false, in_use: true, approved_by: by, approved_at: new Date() })
    .where('username', '=', username).where('cert_fingerprint', '=', fingerprint).execute();
}
