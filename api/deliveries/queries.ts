// SQL of the deliveries feature: the agency's e-mail deliveries (latest state per dossier), every delivery attempt
// of a dossier, and the e-mailed download links. The delivery activity writes these tables (activities/delivery.ts).
import { containsPattern, type Database, type Db } from '../../lib/db.js';
// The e-copy's newest version (an archival renewal), worker-side SQL: one copy.
export { newestVersionOf } from '../../activities/ecopy-versions.js';

export type DeliveryStatus = Database['deliveries']['status'];

export interface DeliveryRows { status?: DeliveryStatus; code?: string; q?: string; page: number; pageSize: number }

/** One page of the agency's e-mail deliveries, newest first, and how many match. */
export async function emailDeliveries(db: Db, agencyCode: string, f: DeliveryRows) {
  let q = db.selectFrom('deliveries').innerJoin('dossiers', 'dossiers.code', 'deliveries.dossier_code')
    .where('dossiers.agency_code', '=', agencyCode).where('deliveries.channel', '=', 'email');
  if (f.status) q = q.where('deliveries.status', '=', f.status);
  if (f.code) q = q.where('deliveries.dossier_code', 'ilike', containsPattern(f.code));
  if (f.q) {
    const like = containsPattern(f.q);
    q = q.where((eb) => eb.or([eb('deliveries.address', 'ilike', like), eb('dossiers.applicant_name', 'ilike', like)]));
  }
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const items = await q.select([
    'deliveries.dossier_code as code', 'deliveries.address', 'deliveries.status', 'deliveries.error', 'deliveries.attempts',
    'deliveries.sent_at', 'deliveries.created_at', 'dossiers.applicant_name', 'dossiers.document_type_name', 'dossiers.certification_number',
  ]).orderBy('deliveries.created_at', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute();
  return { total: Number(total), items };
}

/** Every delivery attempt of a dossier (each e-mail try included), oldest first. */
export function attemptsOf(db: Db, code: string) {
  return db.selectFrom('delivery_attempts').selectAll().where('dossier_code', '=', code).orderBy('created_at').orderBy('id').execute();
}

export function downloadLink(db: Db, token: string) {
  return db.selectFrom('download_links').selectAll().where('token', '=', token).executeTakeFirst();
}
