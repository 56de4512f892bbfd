// Kysely database: one interface per table, and the migration runner.
import { Kysely, Migrator, PostgresDialect, type ColumnType, type Generated, type Selectable } from 'kysely';
import pg from 'pg';
import { migrationProvider } from '../migrations/index.js';

// Return bigint/count columns as numbers (sizes and counts here stay far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));
// Keep DATE columns as 'yyyy-MM-dd' strings: no timezone shifts.
pg.types.setTypeParser(1082, (v) => v);

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface Database {
  agencies: { code: string; name: string; portal_code: string; parent_code: string | null };
  users: {
    username: string; full_name: string; title: Generated<string>; password_hash: string; agency_code: string;
    email: string | null; active: Generated<boolean>; created_at: GeneratedTimestamp;
  };
  user_roles: { username: string; agency_code: string; role: string };
  portal_accounts: {
    username: string; kind: 'citizen' | 'business'; full_name: string; id_number: string; email: string | null;
    phone: string | null; password_hash: string;
  };
  document_types: { code: string; name: string; sort: Generated<number> };
  dossier_sequences: { agency_code: string; day: string; last: number };
  create_requests: { idempotency_key: string; dossier_code: string; created_at: GeneratedTimestamp };
  dossiers: {
    code: string; agency_code: string; status: string; applicant_kind: string; applicant_name: string;
    applicant_id_number: string | null; applicant_email: string | null; applicant_phone: string | null;
    applicant_account: string | null; document_type_code: string; document_type_name: string; copies: number;
    page_count: number; fee: number; certification_number: string | null; register_book_id: number | null;
    return_reason: string | null; created_by: string; created_at: Timestamp; updated_at: Timestamp;
    delivered_at: Timestamp | null; due_date: string | null; snapshot: ColumnType<unknown, string, string>; event_seq: Generated<number>;
  };
  dossier_events: {
    event_id: string; dossier_code: string; seq: number; action: string; actor: string; actor_name: string;
    status: string; note: string | null; at: Timestamp;
  };
  dossier_files: { key: string; dossier_code: string; kind: string; sha256: string; size: number; created_at: GeneratedTimestamp };
  register_books: {
    id: Generated<number>; agency_code: string; name: string; start_number: number; current_number: number;
    open_date: string; close_date: string; created_by: string; created_at: GeneratedTimestamp;
    closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>; closed_by: string | null;
    closed_count: number | null; closed_year_count: number | null;
  };
  register_years: {
    agency_code: string; year: number; last_number: Generated<number>; last_book_id: number | null;
    closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>; closed_by: string | null; certification_count: number | null;
  };
  register_entries: {
    id: Generated<number>; register_book_id: number; number: number; certification_number: string; dossier_code: string;
    applicant_name: string; document_type_name: string; signer_name: string; copies: number; fee: number; certified_at: Timestamp;
  };
  deliveries: {
    id: Generated<number>; dossier_code: string; channel: 'email' | 'portal'; address: string; status: 'pending' | 'sent' | 'failed';
    error: string | null; message_id: string | null; attempts: Generated<number>; created_at: GeneratedTimestamp; sent_at: Timestamp | null;
  };
  portal_inbox: {
    id: Generated<number>; account_username: string; dossier_code: string; title: string; body: string; file_sha256: string;
    download_token: string; created_at: GeneratedTimestamp; read_at: Timestamp | null;
  };
  download_links: { token: string; dossier_code: string; file_sha256: string; expires_at: Timestamp };
  images: {
    kind: 'seal' | 'signature'; owner: string; sha256: string; size: number; width: number; height: number;
    uploaded_by: string; uploaded_at: GeneratedTimestamp;
  };
  appointment_slots: { agency_code: string; start_time: string; capacity: number };
  agency_days: { agency_code: string; day: string; working: boolean; note: Generated<string> };
  slot_usage: { agency_code: string; day: string; start_time: string; used: number };
  appointment_sequences: { day: string; last: number };
  appointments: {
    code: string; agency_code: string; account_username: string; document_type_code: string; day: string; start_time: string;
    status: 'booked' | 'processed' | 'no_show' | 'cancelled'; original_day: string; original_start_time: string;
    reschedule_reason: string | null; dossier_code: string | null; created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp;
  };
  appointment_effects: { key: string; appointment_code: string; created_at: GeneratedTimestamp };
  notifications: {
    id: Generated<number>; dedupe_key: string; account_username: string; title: string; body: string;
    appointment_code: string | null; created_at: GeneratedTimestamp; read_at: Timestamp | null;
  };
  sms_messages: {
    id: Generated<number>; dedupe_key: string; phone: string; body: string; status: 'pending' | 'sent' | 'failed';
    tries: Generated<number>; error: string | null; provider_id: string | null; created_at: GeneratedTimestamp; sent_at: Timestamp | null;
  };
  delivery_attempts: {
    id: Generated<number>; attempt_key: string; dossier_code: string; channel: 'email' | 'portal'; address: string;
    status: 'pending' | 'sent' | 'failed'; error: string | null; tries: Generated<number>; requested_by: string;
    created_at: GeneratedTimestamp; updated_at: GeneratedTimestamp;
  };
}

export type Db = Kysely<Database>;
export type DossierRow = Selectable<Database['dossiers']>;
export type RegisterBookRow = Selectable<Database['register_books']>;

/** A `%text%` pattern for ILIKE that matches the text literally (its %, _ and \ escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createDb(connectionString: string, max = 10): Db {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max }) }),
  });
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) if (r.status === 'Error') console.error(`migration ${r.migrationName} failed`);
  if (error) throw error;
}
