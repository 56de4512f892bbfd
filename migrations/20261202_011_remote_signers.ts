// Frozen: a leader's remote signing service (Cloud Signature Consortium API): the service, the credential, how the
// platform authenticates (its secrets wrapped under the key-encryption key), the credential's certificate as it was
// checked on save, and whether the leader signs with it.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('remote_signers')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('auth_kind', 'text', (c) => c.notNull().check(sql`auth_kind in ('none', 'token', 'basic', 'oauth2')`))
    // JSON {token?, username?, password?, clientId?, clientSecret?, tokenUrl?, pin?} under the KEK kek_id (lib/key-encryption.ts); null when nothing is secret.
    .addColumn('secret_wrapped', 'bytea')
    .addColumn('kek_id', 'text')
    .addColumn('cert_fingerprint', 'text', (c) => c.notNull()) // SHA-256 of the credential's certificate, hex
    .addColumn('cert_der', 'bytea', (c) => c.notNull())
    .addColumn('chain_der', 'jsonb', (c) => c.notNull()) // base64 DER, the certificate first
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('common_name', 'text')
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('in_use', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('remote_signers').execute();
}
