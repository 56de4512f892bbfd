// Frozen: two more roles, a reviewer (a review step between submit and sign) and a tester (replays workflows).
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table user_roles drop constraint if exists user_roles_role_check`.execute(db);
  await sql`alter table user_roles add constraint user_roles_role_check check (role in ('creator','reviewer','signer','sealer','admin','supervisor','tester'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table user_roles drop constraint if exists user_roles_role_check`.execute(db);
  await sql`alter table user_roles add constraint user_roles_role_check check (role in ('creator','signer','sealer','admin','supervisor'))`.execute(db);
}
