// SQL of who signs for an agency: its head, its collective body, the planned delegations.
import type { Db } from '../../lib/db.js';

export const authorityRow = (db: Db, agencyCode: string) =>
  db.selectFrom('agencies').leftJoin('users as head', 'head.username', 'agencies.head_username')
    .select(['agencies.code', 'agencies.name', 'agencies.head_username', 'agencies.collective_name', 'head.title as head_title', 'head.full_name as head_name'])
    .where('agencies.code', '=', agencyCode).executeTakeFirst();

export const setAuthority = (db: Db, agencyCode: string, headUsername: string | null, collective: string | null) =>
  db.updateTable('agencies').set({ head_username: headUsername, collective_name: collective }).where('code', '=', agencyCode).execute();

/** The agency's active users who hold the signer role there. */
export const signersOf = (db: Db, agencyCode: string) =>
  db.selectFrom('user_roles').innerJoin('users', 'users.username', 'user_roles.username')
    .select(['users.username', 'users.full_name', 'users.title']).where('user_roles.agency_code', '=', agencyCode).where('user_roles.role', '=', 'signer')
    .where('users.active', '=', true).orderBy('users.full_name').execute();

const DELEGATION = ['signing_delegations.id', 'signing_delegations.agency_code', 'signing_delegations.deputy_username', 'signing_delegations.kind', 'signing_delegations.from_day', 'signing_delegations.to_day', 'signing_delegations.note', 'signing_delegations.created_by', 'signing_delegations.created_at', 'signing_delegations.revoked_at', 'signing_delegations.revoked_by', 'users.full_name as deputy_name', 'users.title as deputy_title'] as const;

export const delegationsOf = (db: Db, agencyCode: string) =>
  db.selectFrom('signing_delegations').innerJoin('users', 'users.username', 'signing_delegations.deputy_username').select(DELEGATION)
    .where('signing_delegations.agency_code', '=', agencyCode).orderBy('from_day', 'desc').orderBy('signing_delegations.id', 'desc').limit(200).execute();

export const delegation = (db: Db, id: number) =>
  db.selectFrom('signing_delegations').innerJoin('users', 'users.username', 'signing_delegations.deputy_username').select(DELEGATION)
    .where('signing_delegations.id', '=', id).executeTakeFirst();

/** The delegation in force for this signer on this day, if any (the latest made wins). */
export const delegationInForceFor = (db: Db, agencyCode: string, username: string, day: string) =>
  db.selectFrom('signing_delegations').select(['kind']).where('agency_code', '=', agencyCode).where('deputy_username', '=', username)
    .where('revoked_at', 'is', null).where('from_day', '<=', day).where('to_day', '>=', day).orderBy('id', 'desc').executeTakeFirst();

export const insertDelegation = (db: Db, v: { agency_code: string; deputy_username: string; kind: 'KT' | 'TL'; from_day: string; to_day: string; note: string; created_by: string }) =>
  db.insertInto('signing_delegations').values(v).returning('id').executeTakeFirstOrThrow();

export const revokeDelegation = (db: Db, id: number, by: string) =>
  db.updateTable('signing_delegations').set({ revoked_at: new Date(), revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).execute();
