// The SQL of accounts: staff users, their roles in every agency, and their password.
import type { Role } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';

export interface UserRow {
  username: string; full_name: string; title: string; id_number: string | null; email: string | null; agency_code: string;
  active: boolean; must_change_password: boolean; created_at: Date;
}
const COLUMNS = ['username', 'full_name', 'title', 'id_number', 'email', 'agency_code', 'active', 'must_change_password', 'created_at'] as const;

export const findUser = (db: Db, username: string): Promise<UserRow | undefined> =>
  db.selectFrom('users').select(COLUMNS).where('username', '=', username).executeTakeFirst();

/** Locks the user's row for the change (two admins editing one account wait for each other). */
export const lockUser = (db: Db, username: string): Promise<UserRow | undefined> =>
  db.selectFrom('users').select(COLUMNS).where('username', '=', username).forUpdate().executeTakeFirst();

/** The users whose home agency is one of `agencyCodes`, by username. */
export const usersOf = (db: Db, agencyCodes: string[]): Promise<UserRow[]> =>
  agencyCodes.length ? db.selectFrom('users').select(COLUMNS).where('agency_code', 'in', agencyCodes).orderBy('username').execute() : Promise.resolve([]);

/** The roles of these users, in every agency. */
export const rolesOfUsers = async (db: Db, usernames: string[]) =>
  usernames.length
    ? (await db.selectFrom('user_roles').select(['username', 'agency_code', 'role']).where('username', 'in', usernames).orderBy('agency_code').orderBy('role').execute())
      .map((r) => ({ username: r.username, agencyCode: r.agency_code, role: r.role as Role }))
    : [];

export const takenByPortalAccount = async (db: Db, username: string) =>
  Boolean(await db.selectFrom('portal_accounts').select('username').where('username', '=', username).executeTakeFirst());

export const insertUser = (db: Db, u: { username: string; fullName: string; title: string; idNumber: string | null; email: string | null; agencyCode: string; passwordHash: string }) =>
  db.insertInto('users').values({
    username: u.username, full_name: u.fullName, title: u.title, id_number: u.idNumber, email: u.email, agency_code: u.agencyCode,
    password_hash: u.passwordHash, must_change_password: true,
  }).execute();

export const updateUser = (db: Db, username: string, u: { fullName: string; title: string; idNumber: string | null; email: string | null; active: boolean }) =>
  db.updateTable('users').set({ full_name: u.fullName, title: u.title, id_number: u.idNumber, email: u.email, active: u.active }).where('username', '=', username).execute();

/** Replaces the user's roles in the given agencies by `roles` (roles elsewhere stay). */
export async function replaceRoles(db: Db, username: string, agencyCodes: string[], roles: { agencyCode: string; role: Role }[]) {
  if (agencyCodes.length) await db.deleteFrom('user_roles').where('username', '=', username).where('agency_code', 'in', agencyCodes).execute();
  if (roles.length) await db.insertInto('user_roles').values(roles.map((r) => ({ username, agency_code: r.agencyCode, role: r.role }))).execute();
}

/** A new password hash; `mustChange`: the next login goes to "Đổi mật khẩu" first. */
export const setPassword = (db: Db, username: string, passwordHash: string, mustChange: boolean) =>
  db.updateTable('users').set({ password_hash: passwordHash, must_change_password: mustChange }).where('username', '=', username).execute();

export const passwordHashOf = async (db: Db, username: string) =>
  (await db.selectFrom('users').select('password_hash').where('username', '=', username).where('active', '=', true).executeTakeFirst())?.password_hash;
