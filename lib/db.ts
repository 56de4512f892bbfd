// Kysely database: one interface per table, and the migration runner.
import { Kysely, Migrator, PostgresDialect, type ColumnType, type Generated, type Selectable } from 'kysely';
import pg from 'pg';
import type { AuditEventType, AuditPayload } from '../domain/audit.js';
import { migrationProvider } from '../migrations/index.js';
import { addTiming } from './request-timing.js';

// Return bigint/count columns as numbers (sizes and counts here stay far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));
// Keep DATE columns as 'yyyy-MM-dd' strings: no timezone shifts.
pg.types.setTypeParser(1082, (v) => v);

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface Database {
  /** The tree of agencies (parent_code; codes never change). `kind` is one of AGENCY_KINDS (domain/agency.ts). */
  agencies: {
    code: string; name: string; portal_code: string; parent_code: string | null;
    kind: Generated<string>; address: Generated<string>; active: Generated<boolean>;
    /** The head, who signs in the head's own title; others sign for the head (domain/signing-authority.ts). */
    head_username: ColumnType<string | null, string | null | undefined, string | null>;
    collective_name: ColumnType<string | null, string | null | undefined, string | null>;
  };
  signing_delegations: {
    id: Generated<number>; agency_code: string; deputy_username: string; kind: 'KT' | 'TL'; from_day: string; to_day: string;
    note: Generated<string>; created_by: string; created_at: GeneratedTimestamp; revoked_at: Timestamp | null; revoked_by: string | null;
  };
  users: {
    username: string; full_name: string; title: Generated<string>; password_hash: string; agency_code: string;
    email: string | null; active: Generated<boolean>; created_at: GeneratedTimestamp;
    /** CMND/CCCD (9 or 12 digits), set by the administration. */
    id_number: ColumnType<string | null, string | null | undefined, string | null>;
    /** The next login goes to "Đổi mật khẩu" first (an account made or reset by an admin). */
    must_change_password: Generated<boolean>;
  };
  user_roles: { username: string; agency_code: string; role: string };
  portal_accounts: {
    username: string; kind: 'citizen' | 'business'; full_name: string; id_number: string; email: string | null;
    phone: string | null; password_hash: string;
  };
  /** `active` false: no longer offered for new dossiers and bookings (never deleted: dossiers keep its name). */
  document_types: { code: string; name: string; sort: Generated<number>; active: Generated<boolean> };
  dossier_sequences: { agency_code: string; day: string; last: number };
  create_requests: {
    idempotency_key: string; dossier_code: string; created_at: GeneratedTimestamp;
    /** The workflow's input, written with the reservation (null only for rows from before it was kept). */
    dossier_input: ColumnType<unknown, string | null | undefined, string | null>;
  };
  dossiers: {
    code: string; agency_code: string; status: string; applicant_kind: string; applicant_name: string;
    applicant_id_number: string | null; applicant_email: string | null; applicant_phone: string | null;
    applicant_account: string | null; document_type_code: string; document_type_name: string; copies: number;
    page_count: number; fee: number; certification_number: string | null; register_book_id: number | null;
    return_reason: string | null; created_by: string; created_at: Timestamp; updated_at: Timestamp;
    delivered_at: Timestamp | null; due_date: string | null;
    /** When it was sealed (completed): on time when its Vietnam day is on or before due_date. */
    completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>; snapshot: ColumnType<unknown, string, string>; event_seq: Generated<number>;
    /** The role the dossier waits on now (its process's step), null when it waits on nobody. */
    awaiting_role: string | null;
  };
  /** The audit trail: `type` + `payload` hold the typed event (domain/audit.ts); `note` its short text as kept in
   * the dossier's history, for people reading the table (never parsed). */
  dossier_events: {
    event_id: string; dossier_code: string; seq: number; action: string; actor: string; actor_name: string;
    status: string; note: string | null; at: Timestamp;
    type: AuditEventType; payload: ColumnType<AuditPayload, AuditPayload | string, AuditPayload | string>;
  };
  /** Kept by triggers (migration 027): per agency with its subtree, Vietnam day of receipt and status. */
  dossier_counts: { agency_code: string; day: string; status: string; n: number; on_time: number; late: number };
  /** Kept by triggers (migration 027): a histogram of the finished stays per waiting status (bucket: step_time_bucket). */
  dossier_step_times: { agency_code: string; day: string; status: string; bucket: number; n: number };
  dossier_files: {
    key: string; dossier_code: string; kind: string; sha256: string; size: number; created_at: GeneratedTimestamp;
    /** The signed files: the certificate that signed (SHA-256 of its DER) and its holder. */
    certificate_fingerprint: ColumnType<string | null, string | null | undefined, string | null>; certificate_holder: ColumnType<string | null, string | null | undefined, string | null>;

    /** A leader-signed file: the attestation template version it was made with (templates). */
    template_version: ColumnType<number | null, number | null | undefined, number | null>;
  };
  /** Versions of issued e-copies: 0 as issued (the dossier's sealedPdf; previous_sha256 ''), then each archival renewal. */
  ecopy_versions: {
    dossier_code: string; version: number; sha256: string; size: ColumnType<string, number, number>; previous_sha256: string;
    timestamped_at: Timestamp; tsa_name: string; tsa_not_after: Timestamp; tsa_algorithm: string; created_at: GeneratedTimestamp;
  };
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
    /** SHA-256 of the leader's and the seal's certificates, once sealed. */
    signer_certificate: ColumnType<string | null, string | null | undefined, string | null>; seal_certificate: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** Uploaded certificates; `key_wrapped` is the PKCS#8 private key under the KEK `kek_id` (lib/key-encryption.ts). */
  /** A webhook of an agency: the events it wants, its HMAC secret wrapped under the KEK `kek_id`. */
  webhook_subscriptions: {
    id: Generated<number>; agency_code: string; url: string; events: ColumnType<string[], string, string>;
    secret_wrapped: Buffer; kek_id: string; active: Generated<boolean>; created_by: string; created_at: GeneratedTimestamp;
  };
  /** One event for one subscription (the outbox row), and how its sending went. */
  webhook_deliveries: {
    id: Generated<number>; subscription_id: number; event_id: string; event_type: string; dossier_code: string;
    payload: ColumnType<Record<string, unknown>, string, string>; status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined, 'pending' | 'sent' | 'failed'>;
    attempts: Generated<number>; last_status: number | null; last_error: string | null; run: Generated<number>;
    created_at: GeneratedTimestamp; sent_at: Timestamp | null;
  };
  certificates: {
    fingerprint: string; purpose: 'personal' | 'seal'; owner: string; subject: string; issuer: string; serial: string;
    common_name: string | null; not_before: Timestamp; not_after: Timestamp;
    key_usage: ColumnType<string[] | null, string | null, string | null>; cert_der: Buffer;
    chain_der: ColumnType<string[], string, string>; key_wrapped: Buffer; kek_id: string;
    warnings: ColumnType<{ code: string; message: string }[], string | undefined, string>;
    needs_approval: Generated<boolean>; approved_by: string | null; approved_at: Timestamp | null; in_use: Generated<boolean>;
    uploaded_by: string; uploaded_at: GeneratedTimestamp; first_used_at: Timestamp | null;
  };
  /** A leader's remote signing service (CSC API); `secret_wrapped` is the JSON of its secrets under the KEK `kek_id`. */
  remote_signers: {
    username: string; service_url: string; credential_id: string; auth_kind: 'none' | 'token' | 'basic' | 'oauth2';
    secret_wrapped: Buffer | null; kek_id: string | null; cert_fingerprint: string; cert_der: Buffer;
    chain_der: ColumnType<string[], string, string>; subject: string; common_name: string | null; not_after: Timestamp;
    in_use: Generated<boolean>; updated_by: string; updated_at: GeneratedTimestamp;
    needs_approval: Generated<boolean>; approved_by: string | null; approved_at: Timestamp | null;
    warnings: ColumnType<{ code: string; message: string }[], string | undefined, string>;
  };
  /** Where a leader last placed the signature box (PDF points, lower-left corner): their default. */
  /** An agency's process definitions, immutable versions (domain/process.ts). */
  process_definitions: { agency_code: string; version: number; definition: ColumnType<unknown, string, string>; published_by: string; published_at: GeneratedTimestamp };
  signature_placements: { username: string; x: number; y: number; updated_at: GeneratedTimestamp };
  images: {
    kind: 'seal' | 'signature'; owner: string; sha256: string; size: number; width: number; height: number;
    uploaded_by: string; uploaded_at: GeneratedTimestamp;
  };
  appointment_slots: { agency_code: string; start_time: string; capacity: number };
  agency_days: { agency_code: string; day: string; working: boolean; note: Generated<string> };
  /** National public holidays (days off) and the Government's make-up working days; agency_days win for their agency. */
  public_holidays: { day: string; name: string; working: Generated<boolean> };
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
  /** Every administrative change (domain/admin-audit.ts), written in the transaction of the change. */
  /** Versioned templates (domain/templates.ts): immutable rows, (kind, version); body per kind. */
  templates: {
    kind: string; version: number; body: ColumnType<unknown, string, string>; published_by: string | null; published_at: GeneratedTimestamp;
  };
  admin_events: {
    id: Generated<number>; at: GeneratedTimestamp; actor: string; actor_kind: ColumnType<'staff' | 'citizen', 'staff' | 'citizen' | undefined, never>; agency_code: string; entity: string; entity_id: string; action: string;
    before: ColumnType<unknown, string | null, string | null>; after: ColumnType<unknown, string | null, string | null>;
  };
  /** express-session's store (connect-pg-simple); `sess` holds uid (staff) or pid (portal account). */
  sessions: { sid: string; sess: ColumnType<Record<string, unknown>, string, string>; expire: Timestamp };
  api_tokens: { id: string; subject: string; created_at: GeneratedTimestamp; expires_at: Timestamp };
}

export type Db = Kysely<Database>;
export type DossierRow = Selectable<Database['dossiers']>;
export type RegisterBookRow = Selectable<Database['register_books']>;

/** A `%text%` pattern for ILIKE that matches the text literally (its %, _ and \ escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Pools are made here only, through createDb (the session store reuses the app's pool rather than making another).
 * A PostgreSQL restart must not take the process down: pg emits `error` on a pooled client whose connection the
 * server ends — idle in the pool or checked out between two queries — and an `error` event nobody listens to kills
 * the process. The broken client is dropped (the pool discards unqueryable clients), the query in flight fails with
 * a connection error (a 503 for the person, a retry for an activity), and new connections are made once the
 * server is back.
 */
function createPool(connectionString: string, max = 10): pg.Pool {
  // Never wait for ever: a server that does not answer gives an error (a 503) after this, not a hung request.
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 10_000, keepAlive: true });
  let last = 0;
  const report = (err: Error) => {
    // One line per outage, not one per pooled connection.
    if (Date.now() - last > 5_000) console.error(`database: connection lost (${err.message}); reconnecting on the next query`);
    last = Date.now();
  };
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}

const pools = new WeakMap<Db, pg.Pool>();

export function createDb(connectionString: string, max = 10): Db {
  const pool = createPool(connectionString, max);
  // Each query's time counts towards the current web request's Server-Timing (lib/request-timing.ts).
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => addTiming('db', e.queryDurationMillis) });
  pools.set(db, pool);
  return db;
}

/** The pg pool under a Db made by createDb, for libraries that take a pool (the session store). */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('poolOf: this Db was not made by createDb');
  return pool;
}

// SQLSTATEs of a server that is going away or not yet there: admin_shutdown, crash_shutdown, cannot_connect_now,
// too_many_connections, and the whole connection_exception class (08).
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|53300|08...)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// pg's own words when a connection ends or cannot be had (no code on these).
const UNAVAILABLE_MESSAGE = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/** The error says the database cannot be reached right now (restart, outage), as opposed to a bad query or data. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // Unordered: migrations written on parallel branches land in any order; each runs once.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) if (r.status === 'Error') console.error(`migration ${r.migrationName} failed`);
  if (error) throw error;
}
