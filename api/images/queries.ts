// SQL of the images feature: the current image (one copy, shared with the signing activity), saving one, and what
// the two screens show beside it (the open register book for the seal's sample, the user's e-mail and agencies).
import type { Db } from '../../lib/db.js';
import type { ImageKind } from '../../activities/images.js';

export { getImage } from '../../activities/images.js';

/** Records the stored file as the current image of `owner` (replacing the previous one). */
export async function upsertImage(
  db: Db, image: { kind: ImageKind; owner: string; sha256: string; size: number; width: number; height: number; uploadedBy: string },
): Promise<void> {
  const row = { sha256: image.sha256, size: image.size, width: image.width, height: image.height, uploaded_by: image.uploadedBy, uploaded_at: new Date() };
  await db.insertInto('images').values({ kind: image.kind, owner: image.owner, ...row })
    .onConflict((oc) => oc.columns(['kind', 'owner']).doUpdateSet(row)).execute();
}

/** The agency's register book open on `isoDate` (the first by id), for the sample under the seal preview. */
export function openBookOn(db: Db, agencyCode: string, isoDate: string) {
  return db.selectFrom('register_books').select(['name', 'current_number']).where('agency_code', '=', agencyCode)
    .where('open_date', '<=', isoDate).where('close_date', '>=', isoDate).orderBy('id').executeTakeFirst();
}

export function userEmail(db: Db, username: string) {
  return db.selectFrom('users').select(['email']).where('username', '=', username).executeTakeFirst();
}

/** The user's own agency and every agency where they hold a role. */
export function agenciesOf(db: Db, username: string, agencyCode: string) {
  return db.selectFrom('agencies').select(['code', 'name'])
    .where((eb) => eb.or([
      eb('code', '=', agencyCode),
      eb('code', 'in', eb.selectFrom('user_roles').select('agency_code').where('username', '=', username)),
    ])).orderBy('code').execute();
}
