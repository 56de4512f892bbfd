// The SQL of logins and tokens: staff users and their roles, portal accounts, API tokens, the agency's name.
import type { Db } from '../../lib/db.js';

/** An active staff user, by username. */
export const activeUser = (db: Db, username: string) =>
  db.selectFrom('users').selectAll().where('username', '=', username).where('active', '=', true).executeTakeFirst();

/** The user's roles in one agency. */
export const rolesOf = (db: Db, username: string, agencyCode: string) =>
  db.selectFrom('user_roles').select('role').where('username', '=', username).where('agency_code', '=', agencyCode).execute();

/** Every role of the user, in every agency (the home agency's first, then by agency code). */
export const allRolesOf = (db: Db, username: string) =>
  db.selectFrom('user_roles').innerJoin('users', 'users.username', 'user_roles.username')
    .select(['user_roles.agency_code', 'user_roles.role']).where('user_roles.username', '=', username)
    .orderBy((eb) => eb.case().when('user_roles.agency_code', '=', eb.ref('users.agency_code')).then(0).else(1).end())
    .orderBy('user_roles.agency_code').orderBy('user_roles.role').execute();

/** The agencies where the user holds a role, by code and name (home agency first). */
export const roleAgencies = (db: Db, username: string) =>
  db.selectFrom('user_roles').innerJoin('agencies', 'agencies.code', 'user_roles.agency_code').innerJoin('users', 'users.username', 'user_roles.username')
    .select(['agencies.code', 'agencies.name']).distinct().where('user_roles.username', '=', username)
    .select((eb) => eb.case().when('agencies.code', '=', eb.ref('users.agency_code')).then(0).else(1).end().as('home'))
    .orderBy('home').orderBy('agencies.code').execute();

/** What a staff login is checked against (active or not: the check says "wrong password" either way). */
export const staffCredentials = (db: Db, username: string) =>
  db.selectFrom('users').select(['username', 'password_hash', 'active']).where('username', '=', username).executeTakeFirst();

/** Whether a staff user of that name exists (the token route tells staff from portal accounts by it). */
export const staffUsername = (db: Db, username: string) =>
  db.selectFrom('users').select('username').where('username', '=', username).executeTakeFirst();

export const portalAccount = (db: Db, username: string) =>
  db.selectFrom('portal_accounts').select(['username', 'full_name', 'kind', 'id_number']).where('username', '=', username).executeTakeFirst();

export const portalCredentials = (db: Db, username: string) =>
  db.selectFrom('portal_accounts').select(['username', 'password_hash']).where('username', '=', username).executeTakeFirst();

export const agencyName = async (db: Db, code: string) =>
  (await db.selectFrom('agencies').select('name').where('code', '=', code).executeTakeFirst())?.name;

/** Keeps the table to live tokens. */
export const deleteExpiredTokens = (db: Db) => db.deleteFrom('api_tokens').where('expires_at', '<', new Date()).execute();

export const insertToken = (db: Db, id: string, subject: string, expiresAt: Date) =>
  db.insertInto('api_tokens').values({ id, subject, expires_at: expiresAt }).execute();

/** The token's row, when it is still live (not expired, not revoked). */
export const liveToken = (db: Db, id: string, subject: string) =>
  db.selectFrom('api_tokens').select('id').where('id', '=', id).where('subject', '=', subject).where('expires_at', '>', new Date()).executeTakeFirst();
