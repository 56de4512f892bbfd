// Frozen: the lists and searches at a million dossiers (issue 12). "Tìm kiếm" looks for a part of the applicant's
// name, ID number or e-mail, or of the dossier's code (ILIKE '%…%'): trigram indexes (pg_trgm, a trusted extension
// shipped with PostgreSQL) answer those from three characters on. "Theo dõi hồ sơ" over a province lists the newest
// (or oldest) first across hundreds of agencies: an index on the receipt time and code (the list's order) gives the
// first page without sorting them all; one on the applicant's kind and agency counts a kind over a province from
// the index alone.
import { Kysely, sql } from 'kysely';

const TRIGRAM_COLUMNS = ['applicant_name', 'applicant_id_number', 'applicant_email', 'code'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  for (const column of TRIGRAM_COLUMNS) {
    await sql.raw(`create index dossiers_${column}_trgm on dossiers using gin (${column} gin_trgm_ops)`).execute(db);
  }
  await sql`create index dossiers_created_code on dossiers (created_at, code)`.execute(db);
  await sql`create index dossiers_kind_agency on dossiers (applicant_kind, agency_code)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index dossiers_kind_agency`.execute(db);
  await sql`drop index dossiers_created_code`.execute(db);
  for (const column of TRIGRAM_COLUMNS) await sql.raw(`drop index dossiers_${column}_trgm`).execute(db);
  // The extension stays: other objects of the database may use it.
}
