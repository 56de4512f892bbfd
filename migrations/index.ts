// The explicit, ordered list of migrations (a directory scan breaks once code is bundled).
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './20261127_001_initial.js';
import * as m002 from './20261127_002_office.js';
import * as m003 from './20261127_003_appointments.js';
import * as m004 from './20261201_001_sessions.js';
import * as m005 from './20261201_002_register_year.js';
import * as m006 from './20261201_004_create_reservations.js';
import * as m007 from './20261202_001_audit_event_type.js';
import * as m008 from './20261202_003_certificates.js';
import * as m009 from './20261202_004_certificate_of_record.js';
import * as m010 from './20261202_010_ecopy_versions.js';
import * as m011 from './20261202_011_remote_signers.js';
import * as m012 from './20261202_012_signature_placements.js';
import * as m013 from './20261202_013_agency_tree_admin_events.js';
import * as m014 from './20261202_014_public_holidays.js';
import * as m015 from './20261202_015_remote_signer_approval.js';
import * as m016 from './20261202_016_reviewer_tester_roles.js';
import * as m017 from './20261202_017_accounts.js';
import * as m018 from './20261202_018_catalogues.js';
import * as m019 from './20261202_019_templates.js';
import * as m020 from './20261202_020_process_definitions.js';
import * as m023 from './20261202_023_webhooks.js';
import * as m025 from './20261203_025_dossier_completed_at.js';
import * as m024 from './20261202_024_signing_authority.js';
import * as m026 from './20261203_026_audit_actor_kind.js';
import * as m027 from './20261203_027_dossier_statistics.js';
import * as m028 from './20261203_028_dossier_search_indexes.js';

export const migrations: Record<string, Migration> = {
  '20261127_001_initial': m001,
  '20261127_002_office': m002,
  '20261127_003_appointments': m003,
  '20261201_001_sessions': m004,
  '20261201_002_register_year': m005,
  '20261201_004_create_reservations': m006,
  '20261202_001_audit_event_type': m007,
  '20261202_003_certificates': m008,
  '20261202_004_certificate_of_record': m009,
  '20261202_010_ecopy_versions': m010,
  '20261202_011_remote_signers': m011,
  '20261202_012_signature_placements': m012,
  '20261202_013_agency_tree_admin_events': m013,
  '20261202_014_public_holidays': m014,
  '20261202_015_remote_signer_approval': m015,
  '20261202_016_reviewer_tester_roles': m016,
  '20261202_017_accounts': m017,
  '20261202_018_catalogues': m018,
  '20261202_019_templates': m019,
  '20261202_020_process_definitions': m020,
  '20261202_023_webhooks': m023,
  '20261202_024_signing_authority': m024,
  '20261203_025_dossier_completed_at': m025,
  '20261203_026_audit_actor_kind': m026,
  '20261203_027_dossier_statistics': m027,
  '20261203_028_dossier_search_indexes': m028,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
