// Frozen: uploaded certificates (the leader's personal one, the agency's seal) with their private keys wrapped
// under the key-encryption key (lib/key-encryption.ts). Never deleted once used: e-copies name them.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificates')
    .addColumn('fingerprint', 'text', (c) => c.primaryKey()) // SHA-256 of the certificate's DER, hex
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('personal', 'seal')`))
    // personal: the user's username; seal: the agency's code
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('common_name', 'text')
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('key_usage', 'jsonb')
    .addColumn('cert_der', 'bytea', (c) => c.notNull())
    .addColumn('chain_der', 'jsonb', (c) => c.notNull()) // base64 DER, the certificate first
    .addColumn('key_wrapped', 'bytea', (c) => c.notNull())
    .addColumn('kek_id', 'text', (c) => c.notNull())
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // A warning (a holder name that differs) keeps it out of use until an administrator approves it.
    .addColumn('needs_approval', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('in_use', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('first_used_at', 'timestamptz')
    .execute();
  // At most one in use per owner and purpose.
  await sql`create unique index certificates_one_in_use on certificates (purpose, owner) where in_use`.execute(db);
  await db.schema.createIndex('certificates_owner').on('certificates').columns(['purpose', 'owner', 'uploaded_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificates').execute();
}
