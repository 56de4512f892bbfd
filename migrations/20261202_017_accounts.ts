// Frozen: accounts administered on screens and the API: the CMND/CCCD of a staff user, and the flag that sends a
// user to "Đổi mật khẩu" at the next login (a new account, a password reset by an admin).
import { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users')
    .addColumn('id_number', 'text')
    .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('id_number').dropColumn('must_change_password').execute();
}
