// SQL of the citizen portal (db-first): the account's details, its notifications and the e-copies delivered to it.
// Appointments are read and booked through api/appointments/service.ts, never here.
import { sql } from 'kysely';
import type { Db } from '../../lib/db.js';
import { newestVersionOf } from '../../activities/ecopy-versions.js';

/** What the booking form shows of the account (the booking is made in its name). */
export const accountDetails = (db: Db, username: string) =>
  db.selectFrom('portal_accounts').select(['full_name', 'id_number', 'phone', 'email', 'kind'])
    .where('username', '=', username).executeTakeFirstOrThrow();

export async function unreadNotifications(db: Db, username: string): Promise<number> {
  return Number((await db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_username', '=', username).where('read_at', 'is', null).executeTakeFirstOrThrow()).n);
}

/** The account's notifications, newest first. */
export const notificationsOf = (db: Db, username: string) =>
  db.selectFrom('notifications').selectAll().where('account_username', '=', username)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();

export async function markNotificationsRead(db: Db, username: string, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db.updateTable('notifications').set({ read_at: sql<Date>`now()` }).where('account_username', '=', username).where('id', 'in', ids).execute();
}

/** The e-copies delivered to the account's portal inbox, newest first, with their dossier's details. */
export const copiesOf = (db: Db, username: string) =>
  db.selectFrom('portal_inbox')
    .leftJoin('dossiers', 'dossiers.code', 'portal_inbox.dossier_code')
    .leftJoin('agencies', 'agencies.code', 'dossiers.agency_code')
    .select([
      'portal_inbox.dossier_code', 'portal_inbox.title', 'portal_inbox.download_token', 'portal_inbox.created_at', 'portal_inbox.read_at',
      'dossiers.document_type_name', 'dossiers.certification_number', 'dossiers.copies', 'agencies.name as agency_name',
    ])
    .where('portal_inbox.account_username', '=', username)
    .orderBy('portal_inbox.created_at', 'desc').orderBy('portal_inbox.id', 'desc').execute();

/** The e-copy behind a download token, only if it was delivered to this account. */
/** An e-copy in the account's inbox, as its newest version (renewed since it was delivered: archival renewal). */
export async function copyOfAccount(db: Db, token: string, username: string) {
  const item = await db.selectFrom('portal_inbox').select(['id', 'dossier_code', 'file_sha256'])
    .where('download_token', '=', token).where('account_username', '=', username).executeTakeFirst();
  const newest = item && await newestVersionOf(db, item.dossier_code, item.file_sha256);
  return item && newest ? { ...item, file_sha256: newest.sha256 } : item;
}

/** The first download marks the e-copy read. */
export async function markCopyRead(db: Db, id: number): Promise<void> {
  await db.updateTable('portal_inbox').set({ read_at: sql<Date>`coalesce(read_at, now())` }).where('id', '=', id).execute();
}
