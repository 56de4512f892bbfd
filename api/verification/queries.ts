// SQL of the public verification: the read model's dossiers as the public record is built from them, found by
// code (issued only), by the sealed e-copy's SHA-256, or by the certification details a seal carries.
import { sql } from 'kysely';
import type { Db } from '../../lib/db.js';

const rows = (db: Db) => db.selectFrom('dossiers').select(['code', 'status', 'agency_code', 'document_type_name', 'snapshot']);

export type VerifiableRow = NonNullable<Awaited<ReturnType<typeof issuedByCode>>>;

/** A completed dossier with a certification number and a sealed e-copy, by its code. */
export function issuedByCode(db: Db, code: string) {
  return rows(db).where('code', '=', code).where('status', '=', 'completed')
    .where('certification_number', 'is not', null).where(sql<string>`snapshot->'sealedPdf'->>'sha256'`, 'is not', null).executeTakeFirst();
}

/** The completed dossier whose sealed e-copy, as issued or as renewed (ecopy_versions), has one of these SHA-256s. */
export function completedBySealedSha256(db: Db, sha256s: string[]) {
  if (!sha256s.length) return Promise.resolve(undefined);
  return rows(db).where('status', '=', 'completed').where((eb) => eb.or([
    eb(sql<string>`snapshot->'sealedPdf'->>'sha256'`, 'in', sha256s),
    eb('code', 'in', eb.selectFrom('ecopy_versions').select('dossier_code').where('sha256', 'in', sha256s)),
  ])).executeTakeFirst();
}

/** Completed dossiers with this certification number in this register book, of this agency (by code or name); two at most. */
export function completedByDetails(db: Db, d: { certificationNumber: string; registerBook: string; agencyCode: string | null; agencyName: string | null }) {
  return rows(db).where('status', '=', 'completed').where('certification_number', '=', d.certificationNumber)
    .where(sql<string>`snapshot->'registerBook'->>'name'`, '=', d.registerBook)
    .where((eb) => eb.or([
      ...(d.agencyCode ? [eb('agency_code', '=', d.agencyCode)] : []),
      ...(d.agencyName ? [eb(sql<string>`snapshot->>'agencyName'`, '=', d.agencyName)] : []),
    ]))
    .limit(2).execute();
}
