// The SQL of the daily fee report: the agency, and the register entries certified in an interval.
import type { Db } from '../../lib/db.js';

export function agencyOf(db: Db, code: string) {
  return db.selectFrom('agencies').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
}

/** The agency's register entries certified in [from, to), in time order, with their book and the dossier's pages. */
export function entriesCertifiedBetween(db: Db, agencyCode: string, from: Date, to: Date) {
  return db.selectFrom('register_entries')
    .innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
    .leftJoin('dossiers', 'dossiers.code', 'register_entries.dossier_code')
    .select([
      'register_entries.certification_number', 'register_entries.dossier_code', 'register_entries.applicant_name',
      'register_entries.document_type_name', 'register_entries.copies', 'register_entries.fee', 'register_entries.certified_at',
      'register_entries.number', 'register_books.name as book_name', 'dossiers.page_count',
    ])
    .where('register_books.agency_code', '=', agencyCode)
    .where('register_entries.certified_at', '>=', from).where('register_entries.certified_at', '<', to)
    .orderBy('register_entries.certified_at').orderBy('register_books.id').orderBy('register_entries.number')
    .execute();
}
